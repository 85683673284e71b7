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

/** Graph's "never": the default of a non-nullable DateTimeOffset. */
export const NEVER = '0001-01-01T00:00:00Z';

export interface NdesConnectorFixtureOptions {
  id?: string;
  machineName?: string;
  /** `ndesConnectorState`: `none`, `active` (default), `inactive`. */
  state?: string;
  lastConnectionAt?: Date | string | number;
}

/** An Intune Certificate Connector as beta returns it (the collection does not exist in v1.0). */
export function ndesConnectorFixture(options: NdesConnectorFixtureOptions = {}): GraphJson {
  const machine = options.machineName ?? 'PKI-CONN-01';
  return {
    '@odata.type': '#microsoft.graph.ndesConnector',
    id: options.id ?? randomUUID(),
    lastConnectionDateTime: iso(options.lastConnectionAt ?? recently()),
    state: options.state ?? 'active',
    displayName: `${machine} (Certificate Connector)`,
    machineName: machine,
    enrolledDateTime: '2025-06-02T09:15:00Z',
    roleScopeTagIds: ['0'],
    connectorVersion: '6.2406.0.1001',
  };
}

/** Microsoft Defender for Endpoint's partner id as Intune lists its MTD connector. */
export const DEFENDER_CONNECTOR_ID = 'fc780465-2017-40d4-a0c5-307022471b92';

export interface MtdConnectorFixtureOptions {
  id?: string;
  /** `mobileThreatPartnerTenantState`: `unavailable`, `available`, `enabled` (default), `unresponsive`. */
  partnerState?: string;
  lastHeartbeatAt?: Date | string | number;
  thresholdDays?: number;
}

/**
 * A Mobile Threat Defense connector as beta returns it: `macEnabled` and
 * `macDeviceBlockedOnMissingPartnerData` are beta-only, stripped from v1.0 by the simulator.
 */
export function mtdConnectorFixture(options: MtdConnectorFixtureOptions = {}): GraphJson {
  return {
    '@odata.type': '#microsoft.graph.mobileThreatDefenseConnector',
    id: options.id ?? DEFENDER_CONNECTOR_ID,
    lastHeartbeatDateTime: iso(options.lastHeartbeatAt ?? recently()),
    partnerState: options.partnerState ?? 'enabled',
    androidMobileApplicationManagementEnabled: false,
    iosMobileApplicationManagementEnabled: false,
    windowsEnabled: true,
    androidEnabled: true,
    iosEnabled: true,
    macEnabled: true,
    androidDeviceBlockedOnMissingPartnerData: false,
    iosDeviceBlockedOnMissingPartnerData: false,
    windowsDeviceBlockedOnMissingPartnerData: false,
    macDeviceBlockedOnMissingPartnerData: false,
    partnerUnsupportedOsVersionBlocked: false,
    partnerUnresponsivenessThresholdInDays: options.thresholdDays ?? 7,
    allowPartnerToCollectIOSApplicationMetadata: false,
    allowPartnerToCollectIOSPersonalApplicationMetadata: false,
    microsoftDefenderForEndpointAttachEnabled: true,
  };
}

export interface GooglePlayFixtureOptions {
  /** `androidManagedStoreAccountBindStatus`: `notBound` (default), `bound`, `boundAndValidated`, `unbinding`. */
  bindStatus?: string;
  /** `androidManagedStoreAccountAppSyncStatus`: `success`, `credentialsNotValid`, …, `none`. */
  lastAppSyncStatus?: string;
  lastAppSyncAt?: Date | string | number;
  owner?: string;
}

/** The Managed Google Play singleton (beta only): a tenant that never bound one answers `notBound` with `0001-01-01` dates. */
export function googlePlayFixture(options: GooglePlayFixtureOptions = {}): GraphJson {
  const bound = (options.bindStatus ?? 'notBound') !== 'notBound';
  return {
    '@odata.context': 'https://graph.microsoft.com/beta/$metadata#deviceManagement/androidManagedStoreAccountEnterpriseSettings/$entity',
    '@odata.type': '#microsoft.graph.androidManagedStoreAccountEnterpriseSettings',
    id: 'a1f0c2d3-0000-4000-8000-00000000c0de',
    bindStatus: options.bindStatus ?? 'notBound',
    lastAppSyncDateTime: bound ? iso(options.lastAppSyncAt ?? recently()) : NEVER,
    lastAppSyncStatus: options.lastAppSyncStatus ?? (bound ? 'success' : 'none'),
    ownerUserPrincipalName: bound ? (options.owner ?? 'android-admin@contoso.com') : null,
    ownerOrganizationName: bound ? 'Contoso' : null,
    lastModifiedDateTime: bound ? '2025-03-01T10:00:00Z' : NEVER,
    enrollmentTarget: bound ? 'all' : 'none',
    targetGroupIds: [],
    deviceOwnerManagementEnabled: bound,
    androidDeviceOwnerFullyManagedEnrollmentEnabled: bound,
    managedGooglePlayInitialScopeTagIds: [],
    companyCodes: [],
  };
}

export interface PartnerFixtureOptions {
  id?: string;
  displayName?: string;
  isConfigured?: boolean;
  /** `deviceManagementPartnerTenantState`: `unknown`, `unavailable`, `enabled` (default), `terminated`, `rejected`, `unresponsive`. */
  partnerState?: string;
  nonCompliantAt?: Date | string | number | null;
  removedAt?: Date | string | number | null;
}

export function partnerFixture(options: PartnerFixtureOptions = {}): GraphJson {
  return {
    '@odata.type': '#microsoft.graph.deviceManagementPartner',
    id: options.id ?? randomUUID(),
    lastHeartbeatDateTime: iso(recently()),
    partnerState: options.partnerState ?? 'enabled',
    partnerAppType: 'multiTenantApp',
    singleTenantAppId: null,
    displayName: options.displayName ?? 'Jamf Pro',
    isConfigured: options.isConfigured ?? true,
    whenPartnerDevicesWillBeRemovedDateTime: options.removedAt ? iso(options.removedAt) : null,
    whenPartnerDevicesWillBeMarkedAsNonCompliantDateTime: options.nonCompliantAt ? iso(options.nonCompliantAt) : null,
    groupsRequiringPartnerEnrollment: [],
  };
}

export interface AutopilotFixtureOptions {
  /** Graph's `0001-01-01` (default): the tenant never synced with Autopilot. */
  lastSyncAt?: Date | string | number;
  /** `windowsAutopilotSyncStatus`: `unknown`, `inProgress`, `completed`, `failed`. */
  syncStatus?: string;
}

/** The Windows Autopilot settings singleton (beta only). */
export function autopilotFixture(options: AutopilotFixtureOptions = {}): GraphJson {
  const synced = options.lastSyncAt !== undefined;
  return {
    '@odata.context': 'https://graph.microsoft.com/beta/$metadata#deviceManagement/windowsAutopilotSettings/$entity',
    id: '5d8a2f1e-0000-4000-8000-0000000a0701',
    lastSyncDateTime: synced ? iso(options.lastSyncAt as Date | string | number) : NEVER,
    lastManualSyncTriggerDateTime: NEVER,
    syncStatus: options.syncStatus ?? (synced ? 'completed' : 'unknown'),
  };
}

export interface ExchangeConnectorFixtureOptions {
  id?: string;
  serverName?: string;
  /** `deviceManagementExchangeConnectorStatus`: `none`, `connectionPending`, `connected` (default), `disconnected`. */
  status?: string;
  lastSyncAt?: Date | string | number;
}

export function exchangeConnectorFixture(options: ExchangeConnectorFixtureOptions = {}): GraphJson {
  return {
    '@odata.type': '#microsoft.graph.deviceManagementExchangeConnector',
    id: options.id ?? randomUUID(),
    lastSyncDateTime: iso(options.lastSyncAt ?? recently()),
    status: options.status ?? 'connected',
    primarySmtpAddress: 'intune-connector@contoso.com',
    serverName: 'mail.contoso.com',
    connectorServerName: options.serverName ?? 'EXCH-CONN-01',
    exchangeConnectorType: 'onPremises',
    version: '15.2.1544',
    exchangeAlias: 'intune-connector',
    exchangeOrganization: 'Contoso',
  };
}

export interface ConnectorStatusFixtureOptions {
  /** A `connectorName` member, e.g. `chromebookLastDirectorySyncDateTime`. */
  connectorName: string;
  /** `connectorHealthState`: `healthy` (default), `warning`, `unhealthy`, `unknown`. */
  status?: string;
  instanceId?: string | null;
  eventAt?: Date | string | number;
}

/** One item of beta `deviceManagement.connectorStatus` (a complex type: no id of its own). */
export function connectorStatusFixture(options: ConnectorStatusFixtureOptions): GraphJson {
  return {
    '@odata.type': '#microsoft.graph.connectorStatusDetails',
    connectorName: options.connectorName,
    connectorInstanceId: options.instanceId ?? null,
    status: options.status ?? 'healthy',
    eventDateTime: iso(options.eventAt ?? recently()),
  };
}

/** A GDAP customer as `GET /tenantRelationships/delegatedAdminCustomers` lists it (`id` is the tenant id in Microsoft's examples). */
export function delegatedAdminCustomerFixture(tenantId: string, displayName: string | null): GraphJson {
  return { id: tenantId, tenantId, displayName };
}
