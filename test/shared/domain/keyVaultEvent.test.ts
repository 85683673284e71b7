import { parseKeyVaultEvent, secretVersionTarget, type CertificateSecrets } from '../../../shared/domain/keyVaultEvent';

const VERSION = 'ee059b2bb5bc48398a53b168c6cdcb10';
const TENANT = { id: '72f988bf-86f1-41af-91ab-2d7cd011db47', name: 'Contoso' };
const SINGLE: CertificateSecrets = { vaultUrl: 'https://sample-kv.vault.azure.net', secretName: 'apns-certificate', fleet: false, tenants: [TENANT] };

/** Microsoft's own example ("Azure Key Vault as Event Grid source"), quirks included: `"ObjectName "` and `" <version>"`. */
function eventGridEvent(data: Record<string, unknown> = {}, over: Record<string, unknown> = {}) {
  return {
    id: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
    topic: '/subscriptions/{subscription-id}/resourceGroups/sample-rg/providers/Microsoft.KeyVault/vaults/sample-kv',
    subject: 'apns-certificate',
    eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
    eventTime: '2019-07-25T01:08:33.1036736Z',
    data: {
      Id: `https://sample-kv.vault.azure.net/secrets/apns-certificate/${VERSION}`,
      VaultName: 'sample-kv',
      ObjectType: 'Secret',
      'ObjectName ': 'apns-certificate',
      Version: ` ${VERSION}`,
      NBF: '1559081980',
      EXP: '1559082102',
      ...data,
    },
    dataVersion: '1',
    metadataVersion: '1',
    ...over,
  };
}

function cloudEvent(data: unknown = eventGridEvent().data) {
  return {
    id: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
    source: '/subscriptions/{subscription-id}/resourceGroups/sample-rg/providers/Microsoft.KeyVault/vaults/sample-kv',
    subject: 'apns-certificate',
    type: 'Microsoft.KeyVault.SecretNewVersionCreated',
    time: '2019-07-25T01:08:33.1036736Z',
    data,
    specversion: '1.0',
  };
}

describe('parseKeyVaultEvent', () => {
  test.each([
    ['the Event Grid schema', eventGridEvent(), 'eventgrid'],
    ['the CloudEvents 1.0 schema', cloudEvent(), 'cloudevents'],
    ['the CloudEvents schema with data as a JSON string', cloudEvent(JSON.stringify(eventGridEvent().data)), 'cloudevents'],
  ])('when an event comes in %s, with Microsoft’s example keys (a trailing space, a padded version), it reads the secret, its version and its dates', (_what, event, schema) => {
    expect(parseKeyVaultEvent(event)).toEqual({
      eventId: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
      schema,
      eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
      source: '/subscriptions/{subscription-id}/resourceGroups/sample-rg/providers/Microsoft.KeyVault/vaults/sample-kv',
      subject: 'apns-certificate',
      vaultName: 'sample-kv',
      objectType: 'Secret',
      objectName: 'apns-certificate',
      version: VERSION,
      objectUrl: `https://sample-kv.vault.azure.net/secrets/apns-certificate/${VERSION}`,
      notBefore: 1559081980_000,
      expires: 1559082102_000,
    });
  });

  test('when the data keys come in camelCase (the SDK models) or UPPER case, with numbers for the dates, they read the same', () => {
    const camel = parseKeyVaultEvent(eventGridEvent({}, { data: { id: 'https://sample-kv.vault.azure.net/secrets/apns-certificate/v1', vaultName: 'sample-kv', objectType: 'secret', objectName: 'apns-certificate', version: 'v1', nbf: 1559081980, exp: null } }));
    const upper = parseKeyVaultEvent(eventGridEvent({}, { data: { ID: 'x', VAULTNAME: 'sample-kv', OBJECTTYPE: 'SECRET', OBJECTNAME: 'apns-certificate', VERSION: 'v1' } }));
    expect([camel.vaultName, camel.objectName, camel.version, camel.notBefore, camel.expires]).toEqual(['sample-kv', 'apns-certificate', 'v1', 1559081980_000, undefined]);
    expect([upper.vaultName, upper.objectType, upper.objectName, upper.version]).toEqual(['sample-kv', 'SECRET', 'apns-certificate', 'v1']);
  });

  test.each([
    ['an array', []],
    ['a string', 'hello'],
    ['an object with no id', { eventType: 'Microsoft.KeyVault.SecretNewVersionCreated' }],
    ['an Event Grid event with no eventType', { id: '1', data: {} }],
    ['a CloudEvent with no type', { id: '1', specversion: '1.0', data: {} }],
  ])('when the delivery is %s, it is invalid_request', (_what, value) => {
    expect(() => parseKeyVaultEvent(value)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('secretVersionTarget (which events count, decided before anything is read)', () => {
  const target = (event: unknown, secrets: CertificateSecrets = SINGLE) => secretVersionTarget(parseKeyVaultEvent(event), secrets);

  test('when a new version of APNS_CERT_SECRET_NAME is stored in the configured vault, it is the one tenant’s certificate (in the configured spelling)', () => {
    expect(target(eventGridEvent({ 'ObjectName ': 'APNS-Certificate' }))).toEqual({ relevant: true, tenant: TENANT, secretName: 'apns-certificate', version: VERSION });
  });

  test('when the fleet’s secret <prefix>-<tenantId> of a watched tenant is stored, it is that tenant’s; another tenant’s or the bare prefix is not', () => {
    const other = { id: '5c0e7d2a-1b4f-4a8e-9d3c-2f6b8a1e0c41', name: 'Fabrikam' };
    const fleet: CertificateSecrets = { ...SINGLE, fleet: true, tenants: [TENANT, other] };
    expect(target(eventGridEvent({ 'ObjectName ': `apns-certificate-${other.id.toUpperCase()}` }), fleet)).toEqual({ relevant: true, tenant: other, secretName: `apns-certificate-${other.id}`, version: VERSION });
    expect(target(eventGridEvent({ 'ObjectName ': 'apns-certificate-11111111-2222-3333-4444-555555555555' }), fleet)).toMatchObject({ relevant: false, why: expect.stringContaining('not a certificate secret of the monitor') });
    expect(target(eventGridEvent(), fleet)).toMatchObject({ relevant: false });
  });

  test.each([
    ['another secret of the vault (a channel secret)', eventGridEvent({ 'ObjectName ': 'teams-webhook-url' }), 'not a certificate secret of the monitor'],
    ['a name that only starts like the certificate secret', eventGridEvent({ 'ObjectName ': 'apns-certificate-old' }), 'not a certificate secret of the monitor'],
    ['another vault', eventGridEvent({ VaultName: 'other-kv' }), 'comes from the vault other-kv'],
    ['an object in another vault’s host', eventGridEvent({ Id: `https://other-kv.vault.azure.net/secrets/apns-certificate/${VERSION}` }), 'is not in sample-kv.vault.azure.net'],
    ['a key, not a secret', eventGridEvent({ ObjectType: 'Key' }), 'object is a Key'],
    ['another event type', eventGridEvent({}, { eventType: 'Microsoft.KeyVault.SecretNearExpiry' }), 'Microsoft.KeyVault.SecretNearExpiry event'],
  ])('when the event is for %s, it is ignored, saying why', (_what, event, why) => {
    expect(target(event)).toEqual({ relevant: false, why: expect.stringContaining(why) });
  });

  test('when the certificate secret’s event carries no usable version, it is invalid_request (nothing to dry-run)', () => {
    expect(() => target(eventGridEvent({ Version: 'not/a version' }))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
