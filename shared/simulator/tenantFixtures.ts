import { randomUUID } from 'node:crypto';

/** Graph JSON as Intune returns it (dates as strings), for the Graph simulator. */
export type GraphJson = Record<string, unknown>;

const DAY = 86_400_000;
const iso = (value: Date | string | number): string =>
  typeof value === 'string' ? value : new Date(value).toISOString().replace('.000Z', 'Z');

export interface ApnsFixtureOptions {
  expiresAt?: Date | string | number;
  topic?: string;
  appleId?: string;
  serialNumber?: string;
  uploadStatus?: string | null;
  uploadFailureReason?: string | null;
}

export function apnsFixture(options: ApnsFixtureOptions = {}): GraphJson {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#deviceManagement/applePushNotificationCertificate/$entity',
    id: randomUUID(), // not stable in Intune: never key on it
    appleIdentifier: options.appleId ?? 'mdm-admin@contoso.com',
    topicIdentifier: options.topic ?? 'com.apple.mgmt.External.7f4c6b1e-2d3a-4c5b-9e8f-0a1b2c3d4e5f',
    lastModifiedDateTime: '2026-01-10T09:30:12.1234567Z',
    expirationDateTime: iso(options.expiresAt ?? Date.now() + 200 * DAY),
    certificateUploadStatus: options.uploadStatus ?? null,
    certificateUploadFailureReason: options.uploadFailureReason ?? null,
    certificateSerialNumber: options.serialNumber ?? '5A1B2C3D4E5F6071',
    certificate: null,
  };
}

/**
 * The APNs resource of a tenant that never set one up, in the third shape SPEC §2 allows: 200 with
 * null strings and the default of a non-nullable DateTimeOffset (`0001-01-01T00:00:00Z`).
 */
export function unconfiguredApnsFixture(): GraphJson {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#deviceManagement/applePushNotificationCertificate/$entity',
    id: '00000000-0000-0000-0000-000000000000',
    appleIdentifier: null,
    topicIdentifier: null,
    lastModifiedDateTime: '0001-01-01T00:00:00Z',
    expirationDateTime: '0001-01-01T00:00:00Z',
    certificateUploadStatus: null,
    certificateUploadFailureReason: null,
    certificateSerialNumber: null,
    certificate: null,
  };
}

/** A recent sync (three hours ago), as a healthy token or connector reports it. */
const recently = () => Date.now() - 3 * 3_600_000;

export interface VppFixtureOptions {
  id?: string;
  /** null: a malformed item (Graph declares the property non-nullable) to sit beside good ones. */
  expiresAt?: Date | string | number | null;
  state?: string;
  lastSyncStatus?: string;
  /** Default three hours ago; `0001-01-01T00:00:00Z` is Graph's "never". */
  lastSyncAt?: Date | string | number;
  organizationName?: string;
  displayName?: string;
  appleId?: string;
}

/**
 * A VPP token as the beta endpoint returns it. `displayName` and `locationName` are beta-only: the
 * Graph simulator strips them (and anything else outside the v1.0 CSDL) when serving v1.0.
 */
export function vppFixture(options: VppFixtureOptions = {}): GraphJson {
  return {
    id: options.id ?? randomUUID(),
    organizationName: options.organizationName ?? 'Contoso',
    vppTokenAccountType: 'business',
    appleId: options.appleId ?? 'vpp@contoso.com',
    expirationDateTime: options.expiresAt === null ? null : iso(options.expiresAt ?? Date.now() + 300 * DAY),
    lastSyncDateTime: iso(options.lastSyncAt ?? recently()),
    token: '',
    lastModifiedDateTime: '2026-02-01T10:00:00Z',
    state: options.state ?? 'valid',
    lastSyncStatus: options.lastSyncStatus ?? 'completed',
    automaticallyUpdateApps: true,
    countryOrRegion: 'us',
    displayName: options.displayName ?? 'Contoso Apps and Books',
    locationName: 'Contoso HQ',
  };
}

export interface AdeFixtureOptions {
  id?: string;
  expiresAt?: Date | string | number;
  tokenName?: string;
  appleId?: string;
  /** Default three hours ago; `0001-01-01T00:00:00Z` is Graph's "never". */
  lastSyncAt?: Date | string | number;
  /** 0 (default) when the last sync worked; 3 is often Apple Business Manager's new terms. */
  lastSyncErrorCode?: number;
}

export function adeFixture(options: AdeFixtureOptions = {}): GraphJson {
  return {
    id: options.id ?? randomUUID(),
    appleIdentifier: options.appleId ?? 'ade@contoso.com',
    tokenExpirationDateTime: iso(options.expiresAt ?? Date.now() + 250 * DAY),
    lastModifiedDateTime: '2026-03-01T12:00:00Z',
    lastSuccessfulSyncDateTime: iso(options.lastSyncAt ?? recently()),
    lastSyncTriggeredDateTime: iso(recently()),
    shareTokenWithSchoolDataSyncService: false,
    lastSyncErrorCode: options.lastSyncErrorCode ?? 0,
    tokenType: 'dep',
    tokenName: options.tokenName ?? 'Contoso ADE',
    syncedDeviceCount: 412,
    dataSharingConsentGranted: true,
  };
}
