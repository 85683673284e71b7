import type { AssetKind } from '../../../shared/domain/assets';
import type { Finding } from '../../../shared/domain/assessment';
import { assessConsent } from '../../../shared/domain/consentStatus';
import type { Severity } from '../../../shared/domain/severity';
import type { AcknowledgementAuditView, AssetStatus, AuditEntryView, ConsentView, FleetStatusView, StatusView } from '../../../shared/useCases/getStatus';

export const NOW = Date.UTC(2026, 10, 23, 8, 0, 0); // 2026-11-23T08:00:00Z
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export const HOSTILE_TENANT_NAME = '<script>alert(1)</script>';
export const HOSTILE_APPLE_ID = '"><img src=x onerror=alert(1)>';
export const HOSTILE_TOKEN_NAME = '<img src=x onerror=alert(2)>';
/** Typed by a person on the page: data like any other, escaped. */
export const HOSTILE_ACK_REASON = 'Renewal booked Thursday <img src=x onerror=alert(4)>';
export const CONSENT_URL = 'https://login.microsoftonline.com/33333333-3333-4333-8333-333333333333/adminconsent?client_id=99999999-9999-4999-8999-999999999999';

interface AssetInput {
  tenantId: string;
  kind: AssetKind;
  name?: string;
  severity: Severity;
  /** Days from NOW to the expiry (fractional allowed); omitted for the monitor. */
  days?: number;
  appleId?: string;
  findings?: Finding[];
  stale?: boolean;
  assessedAt?: number;
  /** A connector: when it last synced (ms), and whether the tenant uses it. */
  lastSyncAt?: number;
  inUse?: boolean;
  assetId?: string;
  acknowledgement?: AssetStatus['acknowledgement'];
}

const APPLE = new Set(['apns', 'vpp', 'ade']);
const NAMES: Record<AssetKind, string> = {
  apns: 'Apple MDM push certificate',
  vpp: 'VPP token',
  ade: 'ADE token',
  certconnectors: 'Certificate connector',
  mtd: 'Mobile Threat Defense connector',
  googleplay: 'Managed Google Play',
  partners: 'Device management partner',
  autopilot: 'Windows Autopilot sync',
  exchange: 'Exchange connector',
  connectorstatus: "Intune's connector status",
  monitor: 'Expiry monitor (reading Intune)',
};

export function asset(a: AssetInput): AssetStatus {
  const expiresAt = a.days === undefined ? null : NOW + a.days * DAY;
  const assetId = a.assetId ?? (a.kind === 'apns' ? 'com.apple.mgmt.External.1b2c3d4e-0000-4000-8000-00000000abcd' : a.kind === 'monitor' ? 'monitor' : `${a.kind}-${a.name ?? 'token'}`);
  return {
    key: `${a.tenantId}:${a.kind}:${assetId}`,
    kind: a.kind,
    name: a.name ?? NAMES[a.kind],
    severity: a.severity,
    expiresAt: expiresAt === null ? null : iso(expiresAt),
    daysRemaining: expiresAt === null ? null : Math.floor((expiresAt - NOW) / DAY),
    appleId: APPLE.has(a.kind) ? (a.appleId ?? 'mdm-admin@contoso.com') : null,
    topic: a.kind === 'apns' ? assetId : null,
    serialNumber: a.kind === 'apns' ? '5A3F1C0D9E8B7A66' : null,
    lastSyncAt: a.lastSyncAt === undefined ? null : iso(a.lastSyncAt),
    findings:
      a.findings ??
      (a.severity === 'ok' || a.days === undefined
        ? []
        : [{ code: 'expiry', severity: a.severity, message: `The ${NAMES[a.kind]} ${a.days < 0 ? 'expired' : 'expires'} ${a.days < 0 ? `${Math.ceil(-a.days)} days ago` : `in ${Math.floor(a.days)} days`}.` }]),
    assessedAt: iso(a.assessedAt ?? NOW - 2 * HOUR),
    stale: a.stale === true,
    inUse: a.inUse !== false,
    acknowledgement: a.acknowledgement ?? null,
  };
}

/** The fleet app's admin-consent link of a tenant, as the product writes it. */
export const consentUrlFor = (tenantId: string) => `https://login.microsoftonline.com/${tenantId}/adminconsent?client_id=99999999-9999-4999-8999-999999999999`;

/** The consent status the read model derives from a last run (the domain's own rule). */
function consentOf(tenantId: string, run: StatusView['lastRun']): ConsentView {
  const c = assessConsent(run ? { at: Date.parse(run.at), ok: run.ok, worstSeverity: run.worstSeverity, ...(run.errorCode ? { errorCode: run.errorCode } : {}), ...(run.message ? { message: run.message } : {}) } : undefined);
  const fixable = c.state === 'consent_missing' || c.state === 'permission_missing';
  return { ...c, checkedAt: c.checkedAt === null ? null : iso(c.checkedAt), consentUrl: fixable ? consentUrlFor(tenantId) : null };
}

function tenant(t: Partial<StatusView> & Pick<StatusView, 'tenantId' | 'tenantName'>): StatusView {
  const lastRun = t.lastRun === undefined ? { at: iso(NOW - 2 * HOUR), ok: true, worstSeverity: 'ok' as const, errorCode: null, message: null } : t.lastRun;
  return {
    source: 'setting',
    routes: [],
    consent: consentOf(t.tenantId, lastRun),
    lastSuccessfulCheckAt: iso(NOW - 2 * HOUR),
    lastRun,
    assets: [],
    openAlerts: {},
    pendingDeliveries: 0,
    lastRenewal: null,
    renewals: [],
    acknowledgements: [],
    ...t,
  };
}

function audit(e: Partial<AuditEntryView> & Pick<AuditEntryView, 'outcome' | 'at'>): AuditEntryView {
  return {
    id: `audit-${e.at}`,
    tenantId: 'contoso',
    actor: 'alex@contoso.com',
    via: 'http',
    secretName: 'apns-certificate-contoso',
    secretVersion: '0f3c5e9a2b7d4e1f8a6b',
    dryRun: false,
    allowNewTopic: false,
    message: '',
    old: null,
    new: null,
    correlationId: 'corr-1',
    ...e,
  };
}

const contosoId = '11111111-1111-4111-8111-111111111111';
const monitorOk = (tenantId: string) => asset({ tenantId, kind: 'monitor', severity: 'ok' });

/** The tenant view's fixture: an expired certificate, open alerts on three channels, an audit trail. */
export function contoso(): StatusView {
  const apns = asset({ tenantId: contosoId, kind: 'apns', severity: 'expired', days: -3.2, appleId: 'mdm-admin@contoso.com' });
  const ade = asset({
    tenantId: contosoId,
    kind: 'ade',
    name: 'ADE token "Contoso DEP"',
    severity: 'warning',
    days: 20.5,
    acknowledgement: { by: 'sam@contoso.com', reason: HOSTILE_ACK_REASON, severity: 'warning', at: iso(NOW - DAY), until: iso(NOW + 4 * DAY) },
  });
  const acknowledgements: AcknowledgementAuditView[] = [
    {
      kind: 'acknowledgement',
      id: 'ack-1',
      at: iso(NOW - DAY),
      tenantId: contosoId,
      actor: 'sam@contoso.com',
      via: 'http',
      outcome: 'acknowledged',
      key: ade.key,
      assetName: ade.name,
      severity: 'warning',
      until: iso(NOW + 4 * DAY),
      reason: HOSTILE_ACK_REASON,
      message: '',
      correlationId: 'corr-ack-1',
    },
  ];
  const renewals = [
    audit({ at: iso(NOW - 26 * HOUR), actor: 'alex@contoso.com', outcome: 'topic_mismatch', message: 'The certificate in Key Vault has a different topic than Intune’s: uploading it would break every enrolled device.', secretName: 'apns-certificate-contoso' }),
    audit({ at: iso(NOW - 30 * HOUR), actor: 'sam@contoso.com', outcome: 'valid', dryRun: true, message: 'All checks passed (dry run).', old: { serialNumber: 'AA', expiresAt: iso(NOW - 3 * DAY), topic: 't' }, new: { serialNumber: 'BB', expiresAt: iso(NOW + 362 * DAY), topic: 't' } }),
    audit({ at: iso(NOW - 368 * DAY), actor: '<img src=x onerror=alert(3)>', via: 'cli', outcome: 'renewed', message: 'Renewed: now expires 2026-11-20 <b>bold?</b>', old: { serialNumber: 'A0', expiresAt: iso(NOW - 368 * DAY), topic: 't' }, new: { serialNumber: 'AA', expiresAt: iso(NOW - 3 * DAY), topic: 't' } }),
  ];
  const ndes = asset({
    tenantId: contosoId,
    kind: 'certconnectors',
    assetId: 'b7a1c0de-0000-4000-8000-00000000d001',
    name: 'Certificate connector "PKI-CONN-01"',
    severity: 'critical',
    lastSyncAt: NOW - 3 * DAY - 5 * HOUR,
    findings: [
      { code: 'connector_state', severity: 'critical', message: 'The certificate connector "PKI-CONN-01" is inactive: Intune has not heard from it recently, so no SCEP or PKCS certificate can be issued (Wi-Fi, VPN and e-mail profiles that need one fail on new devices).' },
      { code: 'sync_stale', severity: 'critical', message: 'The certificate connector "PKI-CONN-01" has not connected to Intune for 3 days (last 2026-11-20T03:00:00.000Z).' },
    ],
  });
  const jamf = asset({
    tenantId: contosoId,
    kind: 'partners',
    assetId: 'b7a1c0de-0000-4000-8000-00000000d002',
    name: 'Device management partner "Jamf Pro"',
    severity: 'warning',
    days: 19.5,
    lastSyncAt: NOW - 2 * DAY,
    findings: [{ code: 'partner_deadline', severity: 'warning', message: 'Intune will mark every device managed by "Jamf Pro" as non-compliant on 2026-12-12T20:00:00.000Z (in 19 days).' }],
  });
  const connectors = [
    ndes,
    jamf,
    asset({ tenantId: contosoId, kind: 'mtd', assetId: 'fc780465-2017-40d4-a0c5-307022471b92', name: 'MTD connector (Microsoft Defender for Endpoint)', severity: 'ok', lastSyncAt: NOW - 40 * 60_000 }),
    asset({ tenantId: contosoId, kind: 'googleplay', assetId: 'binding', name: 'Managed Google Play', severity: 'ok', inUse: false }),
    asset({ tenantId: contosoId, kind: 'exchange', assetId: 'not-in-use', name: 'Exchange connectors (on-premises ActiveSync)', severity: 'ok', inUse: false }),
  ];
  return tenant({
    tenantId: contosoId,
    tenantName: 'Contoso Ltd',
    lastRun: { at: iso(NOW - 2 * HOUR), ok: true, worstSeverity: 'expired', errorCode: null, message: null },
    assets: [apns, asset({ tenantId: contosoId, kind: 'vpp', name: 'VPP token "Contoso Retail"', severity: 'ok', days: 210, lastSyncAt: NOW - 5 * HOUR }), ade, ...connectors, monitorOk(contosoId)],
    openAlerts: { [apns.key]: { teams: 'expired', email: 'expired', pagerduty: 'expired' }, [ade.key]: { teams: 'warning' }, [ndes.key]: { teams: 'critical', pagerduty: 'critical' } },
    pendingDeliveries: 1,
    lastRenewal: renewals[0] ?? null,
    renewals,
    acknowledgements,
  });
}

/** Several tenants in every state the page must make clear. */
export function fleetView(): FleetStatusView {
  const fabrikam = 'fabrikam.onmicrosoft.com';
  const northwind = '33333333-3333-4333-8333-333333333333';
  const woodgrove = '44444444-4444-4444-8444-444444444444';
  const evil = 'evil-tenant';
  const litware = '66666666-6666-4666-8666-666666666666';
  const adatum = '77777777-7777-4777-8777-777777777777';
  return {
    generatedAt: iso(NOW - 60_000),
    fleet: true,
    homeTenantId: contosoId,
    tenants: [
      contoso(),
      tenant({
        tenantId: fabrikam,
        tenantName: 'Fabrikam',
        assets: [
          asset({ tenantId: fabrikam, kind: 'apns', severity: 'critical', days: 5.4, appleId: 'it@fabrikam.com' }),
          asset({ tenantId: fabrikam, kind: 'vpp', name: 'VPP token "Fabrikam Schools"', severity: 'notice', days: 45, appleId: 'vpp@fabrikam.com', stale: true, assessedAt: NOW - 3 * DAY }),
          asset({ tenantId: fabrikam, kind: 'monitor', severity: 'ok' }),
        ],
      }),
      tenant({
        tenantId: northwind,
        tenantName: 'Northwind Traders',
        lastSuccessfulCheckAt: iso(NOW - 9 * DAY),
        lastRun: { at: iso(NOW - 2 * HOUR), ok: false, worstSeverity: 'critical', errorCode: 'graph_consent_missing', message: 'Admin consent is missing for the multi-tenant app (AADSTS65001).' },
        assets: [
          asset({
            tenantId: northwind,
            kind: 'monitor',
            severity: 'critical',
            findings: [{ code: 'read_failed', severity: 'critical', message: 'Could not read the APNs certificate from Intune: admin consent is missing (AADSTS65001).', hint: `A Global Administrator of this tenant grants it once: ${CONSENT_URL}.` }],
          }),
          asset({ tenantId: northwind, kind: 'apns', severity: 'warning', days: 24, appleId: 'apple@northwind.example', stale: true, assessedAt: NOW - 9 * DAY }),
        ],
      }),
      tenant({
        tenantId: woodgrove,
        tenantName: 'Woodgrove Bank',
        lastSuccessfulCheckAt: iso(NOW - 26 * HOUR),
        lastRun: { at: iso(NOW - 2 * HOUR), ok: false, worstSeverity: 'critical', errorCode: 'graph_permission_denied', message: 'Microsoft Graph answered 403 to the VPP token read.' },
        assets: [
          asset({
            tenantId: woodgrove,
            kind: 'monitor',
            severity: 'critical',
            findings: [{ code: 'read_failed', severity: 'critical', message: 'Could not read the VPP tokens from Intune: Microsoft Graph answered 403 Forbidden.', hint: 'Grant the application permission DeviceManagementServiceConfig.Read.All to the multi-tenant app in this tenant.' }],
          }),
          asset({ tenantId: woodgrove, kind: 'apns', severity: 'ok', days: 120, appleId: 'mdm@woodgrove.example' }),
        ],
      }),
      tenant({
        tenantId: evil,
        tenantName: HOSTILE_TENANT_NAME,
        assets: [
          asset({ tenantId: evil, kind: 'apns', severity: 'ok', days: 300, appleId: HOSTILE_APPLE_ID }),
          asset({ tenantId: evil, kind: 'vpp', name: `VPP token "${HOSTILE_TOKEN_NAME}"`, severity: 'notice', days: 52, appleId: HOSTILE_APPLE_ID }),
          monitorOk(evil),
        ],
      }),
      tenant({ tenantId: '55555555-5555-4555-8555-555555555555', tenantName: 'Tailspin Toys', lastSuccessfulCheckAt: null, lastRun: null }),
      tenant({
        tenantId: litware,
        tenantName: 'Litware',
        assets: [
          asset({ tenantId: litware, kind: 'apns', severity: 'critical', days: 0.4, appleId: 'admin@litware.example' }),
          asset({ tenantId: litware, kind: 'ade', name: 'ADE token "Litware Macs"', severity: 'expired', days: -40, appleId: 'dep@litware.example' }),
          monitorOk(litware),
        ],
      }),
      tenant({
        tenantId: adatum,
        tenantName: 'Adatum',
        assets: [
          asset({ tenantId: adatum, kind: 'apns', severity: 'ok', days: 75, appleId: 'mdm@adatum.example' }),
          asset({ tenantId: adatum, kind: 'ade', name: 'ADE token "Adatum"', severity: 'ok', days: 88, appleId: 'dep@adatum.example' }),
          monitorOk(adatum),
        ],
      }),
    ],
  };
}

/** One tenant, as a single-tenant deployment stores it. */
export function singleTenantView(): FleetStatusView {
  return { generatedAt: iso(NOW - 60_000), fleet: false, homeTenantId: contosoId, tenants: [contoso()] };
}

export const CONTOSO_ID = contosoId;

/** The fleet as the README shows it: the same states, with a plausible name in place of the hostile one. */
export function showcaseFleetView(): FleetStatusView {
  const view = fleetView();
  const tenants = view.tenants.map((t) => {
    if (t.tenantName !== HOSTILE_TENANT_NAME) return t;
    const assets = t.assets.map((a) => ({ ...a, name: a.name.replace(HOSTILE_TOKEN_NAME, 'Wide World Schools'), appleId: a.appleId === null ? null : 'vpp@wideworld.example' }));
    return { ...t, tenantId: '88888888-8888-4888-8888-888888888888', tenantName: 'Wide World Importers', assets };
  });
  return { ...view, tenants };
}

/**
 * 1,000 tenants as a large fleet looks on a normal day: APNs, VPP and ADE each, one in 20 with its
 * certificate in warning and one in 50 critical, the rest healthy (the status page's size test).
 */
export function thousandTenants(): FleetStatusView {
  const tenants = Array.from({ length: 1000 }, (_, i) => {
    const tenantId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const days = i % 50 === 49 ? 5 : i % 20 === 19 ? 25 : 120 + (i % 200);
    const severity: Severity = days === 5 ? 'critical' : days === 25 ? 'warning' : 'ok';
    return tenant({
      tenantId,
      tenantName: `Customer ${i + 1} Ltd`,
      assets: [
        asset({ tenantId, kind: 'apns', severity, days, appleId: `mdm-admin@customer${i}.example` }),
        asset({ tenantId, kind: 'vpp', name: `VPP token "Customer ${i} Retail"`, severity: 'ok', days: days + 140, appleId: `vpp@customer${i}.example`, lastSyncAt: NOW - 5 * HOUR }),
        asset({ tenantId, kind: 'ade', name: `ADE token "Customer ${i} DEP"`, severity: 'ok', days: days + 190, appleId: `dep@customer${i}.example`, lastSyncAt: NOW - 5 * HOUR }),
        monitorOk(tenantId),
      ],
    });
  });
  return { generatedAt: iso(NOW - 60_000), fleet: true, homeTenantId: contosoId, tenants };
}
