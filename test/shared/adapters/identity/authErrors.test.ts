import { readEntraFailure } from '../../../../shared/adapters/identity/authErrors';
import { fleetAppAuth } from '../../../../shared/adapters/identity/explainers';

const entraError = (code: number) => Object.assign(new Error(`invalid_client: AADSTS${code}: Something happened.\r\nTrace ID: 1 Correlation ID: 2 Timestamp: 2026-11-23`), { name: 'AuthenticationError' });

describe('readEntraFailure', () => {
  test.each([
    [700016, 'the app is not in this tenant: admin consent is missing', true],
    [7000229, 'the app has no service principal in this tenant: admin consent is missing', true],
    [65001, 'the app has no admin consent in this tenant', true],
    [90002, 'the tenant does not exist (check the tenant ID)', false],
    [7000218, 'the app is not a public client: turn on "Allow public client flows" in its app registration', false],
  ])('when Entra answers AADSTS%i, the meaning is "%s" (consent missing: %s)', (code, meaning, consent) => {
    expect(readEntraFailure(entraError(code))).toMatchObject({ code: `AADSTS${code}`, meaning, consentMissing: consent });
  });

  test('when the code sits in a nested cause or an MSAL errorResponse, it is still found', () => {
    const nested = Object.assign(new Error('wrapped'), { cause: { errorResponse: { error_description: 'x', error_codes: [65001] } } });
    expect(readEntraFailure(nested).code).toBe('AADSTS65001');
  });

  test('when the authority cannot be reached, the network code is named; MSAL\'s endpoints_resolution_error too', () => {
    const refused = Object.assign(new Error('request failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(readEntraFailure(refused)).toMatchObject({ code: undefined, network: 'ECONNREFUSED', unreachable: true, meaning: 'the sign-in endpoint could not be reached: the connection was refused (ECONNREFUSED)' });
    const dns = Object.assign(new Error('request failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND login.example'), { code: 'ENOTFOUND' }) });
    expect(readEntraFailure(dns).meaning).toBe('the sign-in endpoint could not be reached: its host name could not be resolved (DNS: ENOTFOUND)');
    const msal = Object.assign(new Error('endpoints_resolution_error: See https://aka.ms/msal.js.errors#endpoints_resolution_error for details'), { name: 'CredentialUnavailableError' });
    expect(readEntraFailure(msal).meaning).toBe('the sign-in endpoint (AZURE_AUTHORITY_HOST) could not be reached or gave no OpenID metadata');
  });

  test('when MSAL keeps only the OAuth error word (device-code request), it says Entra refused the request and what to check', () => {
    const msal = Object.assign(new Error('post_request_failed: invalid_request'), { name: 'AuthenticationRequiredError', cause: { errorCode: 'post_request_failed', errorMessage: 'post_request_failed: invalid_request' } });
    expect(readEntraFailure(msal).meaning).toBe("Entra refused the sign-in request (invalid_request): check the tenant ID and the app's client ID");
  });
});

describe('fleetAppAuth', () => {
  test('when a customer tenant has not consented, the error is graph_consent_missing naming the tenant, with the admin-consent link as the hint', () => {
    const auth = fleetAppAuth({ id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Fabrikam' }, '11111111-2222-4333-8444-555555555555', 'https://login.microsoftonline.com');
    const error = auth.tokenFailure(entraError(700016), 'Intune');
    expect(error.code).toBe('graph_consent_missing');
    expect(error.message).toContain('Admin consent is missing: tenant Fabrikam (c0ffee00-0000-4000-8000-000000000001)');
    expect(error.hint).toContain('https://login.microsoftonline.com/c0ffee00-0000-4000-8000-000000000001/adminconsent?client_id=11111111-2222-4333-8444-555555555555');
    expect(auth.permissionHint('DeviceManagementServiceConfig.Read.All')).toMatch(/administrator of tenant Fabrikam .* opens https:\/\/login\.microsoftonline\.com\/.*adminconsent.* again/);
  });
});
