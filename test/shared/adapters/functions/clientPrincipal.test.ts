import { clientPrincipal, OPERATOR_ROLE } from '../../../../shared/adapters/functions/clientPrincipal';

const headers = (h: Record<string, string>) => new Headers(h);
const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const principal = (claims: { typ: string; val: string }[], extra: Record<string, unknown> = {}) =>
  encode({ auth_typ: 'aad', claims, name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', ...extra });

const OPERATOR = principal([
  { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', val: 'alex@contoso.com' },
  { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: '11111111-1111-4111-8111-111111111111' },
  { typ: 'roles', val: OPERATOR_ROLE },
  { typ: 'roles', val: 'Reader' },
]);

describe('clientPrincipal (App Service Authentication headers)', () => {
  test('when Easy Auth is off, forged principal headers are ignored (null), however well formed', () => {
    expect(clientPrincipal(headers({ 'x-ms-client-principal': OPERATOR, 'x-ms-client-principal-name': 'alex@contoso.com' }), false)).toBeNull();
  });

  test('when Easy Auth is on, the name, tenant and roles come from the principal', () => {
    expect(clientPrincipal(headers({ 'x-ms-client-principal': OPERATOR, 'x-ms-client-principal-name': 'alex@contoso.com' }), true)).toEqual({
      name: 'alex@contoso.com',
      tenantId: '11111111-1111-4111-8111-111111111111',
      roles: [OPERATOR_ROLE, 'Reader'],
    });
  });

  test('when roles use the claim type named by role_typ, they are read too', () => {
    const p = principal([{ typ: 'name', val: 'sam' }, { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: OPERATOR_ROLE }]);
    expect(clientPrincipal(headers({ 'x-ms-client-principal': p }), true)).toEqual({ name: 'sam', roles: [OPERATOR_ROLE] });
  });

  test('when only the name header is present, the principal has that name and no role', () => {
    expect(clientPrincipal(headers({ 'x-ms-client-principal-name': 'alex@contoso.com' }), true)).toEqual({ name: 'alex@contoso.com', roles: [] });
  });

  test('when no principal header is present, there is nobody (null)', () => {
    expect(clientPrincipal(headers({}), true)).toBeNull();
  });

  test.each([
    ['not base64 JSON', 'bm90IGpzb24='],
    ['JSON without claims', encode({ auth_typ: 'aad' })],
    ['claims that are not a list', encode({ claims: 'roles=ApnsMonitor.Operator' })],
    ['a principal with no name anywhere', principal([{ typ: 'roles', val: OPERATOR_ROLE }])],
  ])('when the principal header is %s, it is not a user (null), even with a role claim', (_what, value) => {
    expect(clientPrincipal(headers({ 'x-ms-client-principal': value }), true)).toBeNull();
  });

  test('when claims have odd shapes, only string typ/val pairs count', () => {
    const p = encode({ claims: [{ typ: 'name', val: 'alex' }, { typ: 'roles', val: 42 }, null, { typ: 'roles' }, { typ: 'roles', val: ' ' }] });
    expect(clientPrincipal(headers({ 'x-ms-client-principal': p }), true)).toEqual({ name: 'alex', roles: [] });
  });
});
