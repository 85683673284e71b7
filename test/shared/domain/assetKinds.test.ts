import { KIND_SPECS, kindsOfVersion, kindSpec } from '../../../shared/domain/assetKinds';
import { MONITORED_KINDS } from '../../../shared/domain/assets';

describe('the registry of kinds', () => {
  test('when the kinds are listed, each has exactly one entry, in the order they are assessed, with its own Graph path', () => {
    expect(KIND_SPECS.map((s) => s.kind)).toEqual([...MONITORED_KINDS]);
    expect(new Set(KIND_SPECS.map((s) => `${s.read.version}${s.read.path}`)).size).toBe(KIND_SPECS.length);
    // Intune's verdicts are compared with the product's own on every other kind: it comes last.
    expect(KIND_SPECS[KIND_SPECS.length - 1]?.kind).toBe('connectorstatus');
  });

  test("when the reads are grouped by API version, each version's $batch stays within Graph's 20 requests", () => {
    for (const version of ['v1.0', 'beta'] as const) expect(kindsOfVersion(version).length).toBeLessThanOrEqual(20);
  });

  test('when a kind exists only in beta (absent from the v1.0 CSDL), it is read from beta; the others from v1.0', () => {
    expect(kindsOfVersion('beta').map((s) => s.kind)).toEqual(['ade', 'certconnectors', 'googleplay', 'autopilot', 'connectorstatus']);
    expect(kindsOfVersion('v1.0').map((s) => s.kind)).toEqual(['apns', 'vpp', 'mtd', 'partners', 'exchange']);
  });

  test('when the permissions are listed, only the certificate connectors, Managed Google Play and the connector status need DeviceManagementConfiguration.Read.All', () => {
    const configuration = KIND_SPECS.filter((s) => s.read.permission === 'DeviceManagementConfiguration.Read.All').map((s) => s.kind);
    expect(configuration).toEqual(['certconnectors', 'googleplay', 'connectorstatus']);
    for (const s of KIND_SPECS.filter((k) => !configuration.includes(k.kind))) expect(s.read.permission).toBe('DeviceManagementServiceConfig.Read.All');
  });

  test('when a calendar asks each kind for its date that matters, the tokens give their expiry and the partners the non-compliance date', () => {
    expect(Object.fromEntries(KIND_SPECS.filter((s) => s.date).map((s) => [s.kind, s.date?.title]))).toEqual({ apns: 'Expires', vpp: 'Expires', ade: 'Expires', partners: 'Devices non-compliant from' });
    expect(kindSpec('connectorstatus').vanished).toBe('recovered');
  });
});
