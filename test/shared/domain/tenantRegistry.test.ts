import { AppError } from '../../../shared/domain/errors';
import {
  emptyRegistry,
  parseRegistry,
  parseRegistryEntry,
  parseRegistryTenantId,
  parseTenantsCsv,
  registerTenants,
  shadowedEntries,
  tenantNameFrom,
  unregisterTenant,
  watchedTenants,
} from '../../../shared/domain/tenantRegistry';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const HOME = '11111111-1111-4111-8111-111111111111';
const setting = [{ id: HOME, name: 'Contoso' }];
const at = (now: number) => ({ setting, now, via: 'add' as const });

describe('tenant ids, names and routes of the registry', () => {
  test.each([
    [A.toUpperCase(), A],
    ['Fabrikam.OnMicrosoft.com', 'fabrikam.onmicrosoft.com'],
    ['  contoso.com ', 'contoso.com'],
  ])('when the id is %j, it is registered as %j (one tenant, one entry, whatever its case)', (text, id) => {
    expect(parseRegistryTenantId(text)).toEqual({ id });
  });

  test.each(['', 'contoso', 'not-a-guid-0000', 'a:b', 'contoso..com', '-contoso.com', `${'a'.repeat(61)}.com`, 'x.y/z'])('when the id is %j, it is refused as not a tenant ID', (text) => {
    expect(parseRegistryTenantId(text)).toEqual({ problem: expect.stringContaining('is not a tenant ID') });
  });

  test('when an entry has several problems, each is reported', () => {
    expect(parseRegistryEntry({ id: 'nope', name: 'bad\u001b[2Jname', routes: ['OK', 'has space', 'x_y'] })).toEqual({
      problems: [expect.stringContaining('"nope" is not a tenant ID'), 'the name holds control characters', expect.stringContaining('route "has space"'), expect.stringContaining('route "x_y"')],
    });
  });

  test('when routes are given in any case, they are kept in capitals and once each, as the setting names spell them', () => {
    expect(parseRegistryEntry({ id: A, routes: ['fabrikam', 'EU2', 'Fabrikam'] })).toEqual({ entry: { id: A, routes: ['FABRIKAM', 'EU2'] } });
  });

  test("when Graph's display name holds control characters or is very long, it becomes one plain line of at most 256 characters", () => {
    expect(tenantNameFrom('Contoso\u202e\r\nEvil\u0007')).toBe('Contoso Evil');
    expect(tenantNameFrom('x'.repeat(300))).toHaveLength(256);
    expect(tenantNameFrom('  ')).toBeUndefined();
  });
});

describe('registering and removing', () => {
  test('when a tenant is added, it has the given name and routes, else its id as name and no route', () => {
    const change = registerTenants(emptyRegistry(), [{ id: A, name: 'Fabrikam', routes: ['FAB'] }, { id: B }], at(1000));
    expect(change.added.map((t) => [t.id, t.name, t.routes])).toEqual([
      [A, 'Fabrikam', ['FAB']],
      [B, B, []],
    ]);
    expect(change.registry.tenants).toHaveLength(2);
  });

  test('when a registered tenant is added again with a route only, its name stays and its routes change; the same again changes nothing', () => {
    const first = registerTenants(emptyRegistry(), [{ id: A, name: 'Fabrikam' }], at(1000)).registry;
    const again = registerTenants(first, [{ id: A, routes: ['FAB', 'EU'] }], at(2000));
    expect(again.updated).toEqual([expect.objectContaining({ id: A, name: 'Fabrikam', routes: ['FAB', 'EU'], addedAt: 1000, updatedAt: 2000 })]);
    expect(registerTenants(again.registry, [{ id: A, routes: ['FAB', 'EU'] }], at(3000))).toMatchObject({ added: [], updated: [], unchanged: [{ id: A }] });
    // What was loaded is not changed in place.
    expect(first.tenants[0]?.routes).toEqual([]);
  });

  test('when an entry is a tenant of APNS_TENANTS, or given twice, nothing is registered and every refusal is said', () => {
    const refuse = () => registerTenants(emptyRegistry(), [{ id: HOME }, { id: A }, { id: A }], at(1));
    expect(refuse).toThrow(AppError);
    expect(refuse).toThrow(new RegExp(`tenant ${HOME} comes from the APNS_TENANTS setting.*tenant ${A} is given twice`));
  });

  test('when a tenant is removed, the others stay; one not registered is reported as such', () => {
    const registry = registerTenants(emptyRegistry(), [{ id: A }, { id: B }], at(1)).registry;
    const { registry: after, removed } = unregisterTenant(registry, A.toUpperCase());
    expect(removed?.id).toBe(A);
    expect(after.tenants.map((t) => t.id)).toEqual([B]);
    expect(unregisterTenant(after, A).removed).toBeUndefined();
  });

  test('when the setting and the registry both hold a tenant, the setting wins: its name, listed once, and the entry is reported as shadowed', () => {
    const registry = { schema: 1 as const, tenants: [{ id: HOME, name: 'Registered name', routes: ['X'], addedAt: 1, updatedAt: 1, via: 'add' as const }, { id: A, name: 'Fabrikam', routes: ['FAB'], addedAt: 1, updatedAt: 1, via: 'import' as const }] };
    expect(watchedTenants(setting, registry)).toEqual([
      { id: HOME, name: 'Contoso' },
      { id: A, name: 'Fabrikam', source: 'registry', routes: ['FAB'] },
    ]);
    expect(shadowedEntries(setting, registry).map((t) => t.id)).toEqual([HOME]);
  });

  test('when the stored registry is not ours, it is unreadable and says where', () => {
    expect(() => parseRegistry({ schema: 1, tenants: [{ id: 1 }] }, 'table "x"')).toThrow(/tenant registry in table "x" is unreadable: entry 1 is not a tenant/);
    expect(() => parseRegistry({ schema: 2, tenants: [] }, 'f')).toThrow(/unknown schema 2/);
  });
});

describe('tenants import: tenantId,name,routes', () => {
  test('when the file has a header, quoted names with commas and quotes, CRLF and blank lines, every tenant is read with its line', () => {
    const csv = ['\uFEFFtenantId,name,routes', `${A},"Fabrikam, Inc. (""FAB"")",FAB+eu`, '', `${B},,`, 'contoso.onmicrosoft.com,Contoso'].join('\r\n');
    expect(parseTenantsCsv(csv)).toEqual({
      entries: [
        { line: 2, id: A, name: 'Fabrikam, Inc. ("FAB")', routes: ['FAB', 'EU'] },
        { line: 4, id: B, routes: [] },
        { line: 5, id: 'contoso.onmicrosoft.com', name: 'Contoso', routes: [] },
      ],
      problems: [],
    });
  });

  test('when several lines are bad, each is reported with its number and what is wrong', () => {
    const csv = [`${A},Fabrikam,FAB`, 'not-a-tenant,Nope,', `${B},Two,R 1`, `${A.toUpperCase()},Again,`, `${B},x,y,z`, '"unclosed,quote'].join('\n');
    expect(parseTenantsCsv(csv).problems).toEqual([
      { line: 2, message: expect.stringContaining('"not-a-tenant" is not a tenant ID') },
      { line: 3, message: expect.stringContaining('route "R 1"') },
      { line: 4, message: `tenant ${A} is already on line 1` },
      { line: 5, message: expect.stringContaining('4 fields') },
      { line: 6, message: 'a quoted field is not closed' },
    ]);
  });

  test('when a quoted name spans lines, the lines after it keep their own numbers', () => {
    const csv = `${A},"two\nlines",\nbad,,`;
    expect(parseTenantsCsv(csv)).toEqual({ entries: [], problems: [{ line: 1, message: 'the name holds control characters' }, { line: 3, message: expect.stringContaining('"bad" is not a tenant ID') }] });
  });

  test('when the file lists nothing, that is a problem (an empty import is a mistake, not a success)', () => {
    expect(parseTenantsCsv('tenantId,name,routes\n\n').problems).toEqual([{ line: 1, message: expect.stringContaining('lists no tenant') }]);
  });
});
