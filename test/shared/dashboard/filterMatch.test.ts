import { filterTerms, matchCountText, matchesTerms } from '../../../shared/dashboard/filterMatch';

// The server side of the one definition; the browser side runs the same source in
// dashboard.browser.test.ts ("the live filter and ?q= agree").

describe('filterTerms and matchesTerms (what the fleet filter matches)', () => {
  const text = 'contoso ltd 11111111-1111-4111-8111-111111111111 vpp token "contoso retail" vpp mdm-admin@contoso.com ok';

  test.each([
    ['', true],
    ['   ', true],
    ['contoso', true],
    ['CONTOSO', true],
    ['  Contoso   VPP ', true],
    ['vpp contoso', true],
    ['"contoso retail"', true],
    ['contoso fabrikam', false],
    ['warning', false],
    ['mdm-admin@contoso', true],
    ['11111111-1111', true],
  ])('when the query is %j, the row matches: %s', (query, expected) => {
    expect(matchesTerms(text, filterTerms(query))).toBe(expected);
  });

  test('when a query is split, it is lower case and has no empty term', () => {
    expect(filterTerms('\tNorthwind \n Traders ')).toEqual(['northwind', 'traders']);
  });
});

describe('matchCountText (the filter count names tenants and assets)', () => {
  test('when nothing is filtered, it counts the whole table in assets and tenants', () => {
    expect(matchCountText({ assets: 3012, tenants: 1000 }, { assets: 3012, tenants: 1000 }, false)).toBe('3,012 assets in 1,000 tenants');
    expect(matchCountText({ assets: 1, tenants: 1 }, { assets: 1, tenants: 1 }, false)).toBe('1 asset in 1 tenant');
  });

  test('when filtered, it says how many of each match', () => {
    expect(matchCountText({ assets: 2, tenants: 1 }, { assets: 20, tenants: 8 }, true)).toBe('2 of 20 assets, in 1 of 8 tenants, match');
  });
});
