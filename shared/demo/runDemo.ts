import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { fleetExitCode, formatFleetReport, formatTable } from '../cli/formatReport';
import { formatRenewal } from '../cli/commands/renewCommand';
import { loadConfig, type AppConfig } from '../config/loadConfig';
import { InvocationContext } from '@azure/functions';
import { formatProposal } from '../cli/commands/renewalsCommand';
import { checkOptionsFrom, createCheckDeps, createDecideDeps, createProposalStore, createSharedCheckServices, fleetHealthReport, fleetTenantCheck, loadFleetStatus, secretsOf, type SharedCheckServices } from '../composition/createServices';
import { createTenantAccess } from '../composition/tenantAccess';
import { renderDashboard } from '../dashboard/renderDashboard';
import { AppError } from '../domain/errors';
import { approveRenewal } from '../useCases/approveRenewal';
import { listProposals, type ProposalView } from '../useCases/listProposals';
import { formatUtc } from '../domain/graphDateTime';
import { silentLogger } from '../ports/logger';
import { fixedClock, systemClock, type Clock } from '../ports/clock';
import { createAppleCertificate } from '../simulator/certificates';
import { trustLoopbackCa } from '../simulator/loopbackCa';
import { startChannelReceivers, type ChannelReceivers, type Received } from '../simulator/channelReceivers';
import { startEntraSimulator, type EntraSimulator, type TenantConsent } from '../simulator/entraSimulator';
import { startGraphSimulator, type GraphSimulator, type GraphTenant } from '../simulator/graphSimulator';
import { startIdentitySimulator, type IdentitySimulator } from '../simulator/identitySimulator';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../simulator/keyVaultSimulator';
import { installLoopbackDns } from '../simulator/loopbackDns';
import { adeFixture, apnsFixture, mtdConnectorFixture, ndesConnectorFixture, partnerFixture, vppFixture } from '../simulator/tenantFixtures';
import { adminConsentUrl } from '../adapters/identity/explainers';
import { createRedactor } from '../adapters/logging/redact';
import { contextLogger } from '../adapters/functions/contextLogger';
import { checkExpiry } from '../useCases/checkExpiry';
import { checkFleet } from '../useCases/checkFleet';

/**
 * `apns-monitor demo`: the whole product against an embedded simulated tenant — managed identity,
 * Graph, Key Vault and a receiver per channel, all on loopback HTTPS with a CA made for this run —
 * playing a year of one certificate's life with `--now`. Needs no Azure account and no network.
 */
const DAY = 86_400_000;
const UUID = '7F4C6B1E-2D3A-4C5B-9E8F-0A1B2C3D4E5F';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const APPLE_ID = 'mdm-admin@contoso.com';
const WEBHOOK_SECRET = 'whsec_ZGVtby1zZWNyZXQtZm9yLXRoZS1zaWduZWQtd2ViaG9vaw==';
const ADE_ID = 'c1d2e3f4-0000-4000-8000-000000000002';
const NDES_ID = 'a1b2c3d4-0000-4000-8000-000000000003';

export interface DemoOptions {
  write: (text: string) => void;
  /**
   * `demo --serve`: once the story is told, serve the simulated fleet's status page on 127.0.0.1
   * (the simulators stay up) until `until` resolves (Ctrl-C).
   */
  serve?: { port: number; until: () => Promise<unknown>; log: (text: string) => void };
}

interface Sims {
  identity: IdentitySimulator;
  graph: GraphSimulator;
  kv: KeyVaultSimulator;
  rx: ChannelReceivers;
  entra: EntraSimulator;
}

/** The fleet's multi-tenant app registration (`APNS_APP_CLIENT_ID`), fixed so the output reads the same every run. */
const FLEET_APP_ID = 'a9e3c5d7-2b4f-4e6a-8c1d-9f0b7e5a3c21';

/**
 * The fleet act's customer tenants (SPEC §11): fixed ids, so the output reads the same every run.
 * `days`: the push certificate's; `vppDays`/`adeDays`: each tenant's VPP and ADE token, so the
 * status page of `demo --serve` shows them as the README's picture does.
 */
const CUSTOMERS: readonly { id: string; name: string; days: number; vppDays: number; adeDays: number; consent: TenantConsent; connectors?: Partial<GraphTenant> }[] = [
  // Healthy, connectors included: it must get no message.
  { id: '5c0e7d2a-1b4f-4a8e-9d3c-2f6b8a1e0c41', name: 'Fabrikam', days: 200, vppDays: 320, adeDays: 280, consent: 'consented', connectors: { ndesConnectors: [ndesConnectorFixture({ machineName: 'FAB-PKI-01' })], mtdConnectors: [mtdConnectorFixture()] } },
  // Its VPP token enters notice too: time to find who owns its Apple ID.
  { id: '8a3f1c9e-6d2b-4e7a-b5c0-7e9d4f2a1b52', name: 'Northwind Traders', days: 25, vppDays: 48, adeDays: 160, consent: 'consented' },
  // Its Jamf Pro stopped reporting: Intune marks its Macs non-compliant in 3 days.
  {
    id: 'c7b2e4d1-3a9f-4c6e-8b1d-5a0f2e7c9d63',
    name: 'Tailspin Toys',
    days: 5,
    vppDays: 150,
    adeDays: 210,
    consent: 'consented',
    connectors: { deviceManagementPartners: [partnerFixture({ displayName: 'Jamf Pro', partnerState: 'unresponsive', nonCompliantAt: Date.now() + 3 * DAY + 3_600_000 })] },
  },
  // Never granted admin consent: Entra answers AADSTS7000229 (no service principal of the app there).
  { id: 'e1d9a6b3-7c4e-4f2a-9e8b-3c5d1a0f6e74', name: 'Woodgrove Bank', days: 40, vppDays: 90, adeDays: 120, consent: 'noServicePrincipal' },
];

export async function runDemo(options: DemoOptions): Promise<number> {
  const out = options.write;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'apns-monitor-demo-'));
  const savedEnv = { ...process.env };
  let sims: Sims | undefined;
  const failures: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) failures.push(what);
  };

  try {
    installLoopbackDns();
    const tlsPair = trustLoopbackCa('apns-monitor demo CA (this run only)');
    const realNow = Date.now();
    const expiry = Math.floor((realNow + 90 * DAY) / 1000) * 1000;
    const identity = await startIdentitySimulator({ tenantId: '0b4a7c1e-5d2f-4e3a-9b8c-7d6e5f4a3b2c' });
    const graph = await startGraphSimulator({
      tls: tlsPair,
      tenant: {
        apns: apnsFixture({ topic: TOPIC, appleId: APPLE_ID, serialNumber: '4D2A61F0B9C3E817', expiresAt: expiry }),
        vppTokens: [vppFixture({ id: 'b1f2c3d4-0000-4000-8000-000000000001', expiresAt: realNow + 300 * DAY })],
        adeTokens: [adeFixture({ id: ADE_ID, expiresAt: realNow + 250 * DAY })],
        // Intune's other connectors this tenant uses (SPEC §14); Google Play, Autopilot and Exchange it does not.
        ndesConnectors: [ndesConnectorFixture({ id: NDES_ID, machineName: 'PKI-CONN-01' })],
        mtdConnectors: [mtdConnectorFixture()],
        deviceManagementPartners: [partnerFixture({ id: 'd1e2f3a4-0000-4000-8000-000000000004', displayName: 'Jamf Pro' })],
      },
    });
    const kv = await startKeyVaultSimulator({ tls: tlsPair, tenantId: identity.tenantId });
    const rx = await startChannelReceivers({ tls: tlsPair });
    // Entra for the fleet act: the multi-tenant app trusts this managed identity (federated credential).
    const entra = await startEntraSimulator({ tls: tlsPair, appClientId: FLEET_APP_ID, federatedCredential: { issuerTenantId: identity.tenantId, subject: identity.principalId }, defaultResource: graph.baseUrl });
    sims = { identity, graph, kv, rx, entra };

    // The managed-identity endpoint, exactly as a Function App gets it.
    Object.assign(process.env, identity.env, { APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true' });
    for (const name of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'MSI_ENDPOINT']) delete process.env[name];
    const config = loadConfig({
      APNS_TENANT_ID: identity.tenantId,
      APNS_TENANT_NAME: 'Contoso (simulated)',
      APNS_GRAPH_BASE_URL: graph.baseUrl,
      APNS_KEY_VAULT_URL: kv.vaultUrl,
      APNS_TEAMS_WEBHOOK_URL: rx.urls.teams,
      APNS_SLACK_WEBHOOK_URL: rx.urls.slack,
      APNS_EMAIL_FROM: 'apns-monitor@contoso.com',
      APNS_EMAIL_TO: 'intune-oncall@contoso.com',
      APNS_PAGERDUTY_ROUTING_KEY: 'R0DEM0DEM0DEM0DEM0DEM0DEM0DEM0DE',
      APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
      APNS_WEBHOOK_URL: rx.urls.webhook,
      APNS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-0000000000d0;IngestionEndpoint=${rx.urls.appinsights}`,
      APNS_DELIVERY_ATTEMPTS: '1',
    });
    const stateFile = join(dir, 'state.json');

    out('intune-apns-monitor demo — a simulated Intune tenant on loopback (identity, Entra, Graph, Key Vault, Teams, Slack, e-mail, PagerDuty, webhook, Application Insights).');
    out(`Steps 1–9 play one year of Contoso's Apple MDM push certificate (topic ${TOPIC}, Apple ID ${APPLE_ID}), which expires ${formatUtc(expiry)}: each step evaluates the tenant "as if" on another day (--now). Steps 10–11 break and repair two of Intune's other connectors, at today's date: how long ago a connector last synced counts from when Intune is read, never from --now. Step 12 checks a fleet of customer tenants.\n`);

    const step = async (title: string, asIf: number | 'today', expectation: (sent: number, worst: string) => string | undefined) => {
      rx.clear();
      graph.mails.length = 0;
      const at = asIf === 'today' ? Date.now() : asIf;
      out(`━━ ${title} — ${asIf === 'today' ? `today, ${formatUtc(Date.now()).slice(0, 10)}` : `as if on ${formatUtc(at).slice(0, 10)}`} ━━`);
      const deps = await createCheckDeps(config, { logger: silentLogger, stateFile, clock: fixedClock(at) });
      const report = await checkExpiry(deps, checkOptionsFrom(config, { now: at, deliveryBackoffMs: 10 }));
      await deps.telemetry.flush();
      await deps.store.close();
      out(indent(formatTable(report.assessments)));
      const sent = describeReceived(out, rx, graph, config);
      const problem = expectation(sent, report.worst);
      if (problem) expect(false, `${title}: ${problem}`);
      out('');
      return report;
    };

    await step('1. Healthy (90 days left)', expiry - 90 * DAY, (sent, worst) => (worst === 'ok' && sent === 0 ? undefined : `expected ok and no message, got ${worst}/${sent}`));
    await step('2. Notice (45 days): time to find the Apple ID owner', expiry - 45 * DAY, (sent, worst) => (worst === 'notice' && sent > 0 ? undefined : 'expected a notice'));
    await step('3. Warning (25 days)', expiry - 25 * DAY, (sent, worst) => (worst === 'warning' && sent > 0 ? undefined : 'expected a warning'));
    await step('4. Warning, the next day: nothing new is sent', expiry - 24 * DAY, (sent) => (sent === 0 ? undefined : `expected nothing, got ${sent}`));
    await step('5. Critical (5 days): PagerDuty pages, same dedup_key', expiry - 5 * DAY, (sent, worst) => (worst === 'critical' && sent > 0 ? undefined : 'expected critical'));
    const expiredAt = expiry + 2 * DAY;
    await step('6. Expired (2 days ago; renewable for 28 more days)', expiredAt, (sent, worst) => (worst === 'expired' && sent > 0 ? undefined : 'expected expired'));

    // The renewal, at the same simulated instant: storing the certificate in Key Vault proposes it (its
    // Event Grid event reaches keyVaultSecretVersionCreated, as in Azure), a person approves it.
    const renewAt = expiredAt + 3_600_000;
    const keyVault = await keyVaultEvents(config, stateFile, fixedClock(renewAt));
    const store = async (pem: string) => {
      rx.clear();
      graph.mails.length = 0;
      return keyVault.store(kv, pem);
    };
    out('━━ 7. Renewal refused: someone stored a NEW certificate (another topic) in Key Vault ━━');
    const wrong = createAppleCertificate({ uuid: '00000000-1111-4222-8333-444444444444', notBefore: new Date(expiredAt - DAY), notAfter: new Date(expiredAt + 365 * DAY) });
    const refused = await store(wrong.certPem);
    out(indent(`Key Vault → Event Grid → keyVaultSecretVersionCreated: the dry run of that version made proposal ${refused.id}:`));
    out(indent(formatProposal(refused).slice(0, 6).join('\n')));
    const refusedSent = describeReceived(out, rx, graph, config);
    const refusedApproval = await keyVault.approve(refused.id, 'oncall@contoso.com').catch((error: unknown) => error as AppError);
    out(indent(`Approving it: refused (${refusedApproval instanceof AppError ? `${refusedApproval.code}): ${refusedApproval.message}` : 'no refusal?)'}`));
    out(indent(`Uploads to Intune: ${graph.uploads.length} (nothing uploaded).`));
    expect(refused.state === 'refused' && refused.outcome === 'topic_mismatch' && refusedSent > 0 && refusedApproval instanceof AppError && refusedApproval.code === 'proposal_closed' && graph.uploads.length === 0, 'the wrong-topic certificate must make a refused proposal, told everywhere, that cannot be approved, with no upload');
    out('');

    out('━━ 8. Renewal: the renewed .pem (same topic, same Apple ID) is stored in Key Vault — proposed, then approved by a person ━━');
    const good = createAppleCertificate({ uuid: UUID, notBefore: new Date(expiredAt - DAY), notAfter: new Date(expiredAt + 364 * DAY) });
    const proposal = await store(good.certPem);
    out(indent(`Key Vault → Event Grid → keyVaultSecretVersionCreated: proposal ${proposal.id} passed every check; nothing is uploaded yet.`));
    const proposedSent = describeReceived(out, rx, graph, config);
    const page = await keyVault.page();
    const panel = page.includes(`id="proposal-${proposal.id}"`) && page.includes('Waiting for approval') && page.includes('Approve and upload');
    out(indent(`The status page shows it under "Renewal proposals": proposal ${proposal.id}, waiting for approval, serial ${proposal.serialNumber ?? '?'}, ${proposal.checks.filter((c) => c.ok).length} checks passed, [Approve and upload] [Reject].`));
    rx.clear();
    graph.mails.length = 0;
    const { renewal: done } = await keyVault.approve(proposal.id, 'oncall@contoso.com');
    out(indent(`oncall@contoso.com approves it (on the page, or "apns-monitor renewals approve ${proposal.id}"): every check runs again on that version, then the upload.`));
    out(indent(formatRenewal(done)));
    out(indent(`Uploads to Intune: ${graph.uploads.length} (PATCH /beta/deviceManagement/applePushNotificationCertificate, PEM, Apple ID ${String(graph.uploads[0]?.appleIdentifier)}).`));
    const announced = describeReceived(out, rx, graph, config);
    const again = await keyVault.approve(proposal.id, 'oncall@contoso.com').catch((error: unknown) => error as AppError);
    out(indent(`Approving it again: refused (${again instanceof AppError ? again.code : 'no refusal?'}); uploads to Intune still ${graph.uploads.length}.`));
    expect(proposal.state === 'pending' && proposedSent > 0 && panel, 'the renewed certificate must make a passing proposal, told everywhere and shown on the page');
    expect(done.ok && done.code === 'renewed' && graph.uploads.length === 1 && announced > 0 && again instanceof AppError, 'the approval must upload once, verify and announce; a second approval uploads nothing');
    out('');

    await step('9. Resolved: the next scheduled run finds a healthy certificate', expiredAt + DAY, (sent, worst) => (worst === 'ok' && sent === 0 ? undefined : `expected ok and nothing new, got ${worst}/${sent}`));

    // Intune's other connectors (SPEC §14): the certificate connector's server stopped three days ago,
    // and Apple Business Manager has new terms waiting, so the ADE token's sync fails with code 3.
    graph.tenant.ndesConnectors = [ndesConnectorFixture({ id: NDES_ID, machineName: 'PKI-CONN-01', state: 'inactive', lastConnectionAt: Date.now() - 3 * DAY - 2 * 3_600_000 })];
    graph.tenant.adeTokens = [adeFixture({ id: ADE_ID, expiresAt: realNow + 250 * DAY, lastSyncErrorCode: 3, lastSyncAt: Date.now() - 30 * 3_600_000 })];
    await step(
      "10. A connector breaks: the certificate connector's server stopped, and Apple Business Manager has new terms to accept",
      'today',
      (sent, worst) => (worst === 'critical' && sent > 0 ? undefined : `expected the connector alerts, got ${worst}/${sent}`),
    );
    graph.tenant.ndesConnectors = [ndesConnectorFixture({ id: NDES_ID, machineName: 'PKI-CONN-01' })];
    graph.tenant.adeTokens = [adeFixture({ id: ADE_ID, expiresAt: realNow + 250 * DAY })];
    await step('11. Repaired: the connector is back and the terms are accepted', 'today', (sent, worst) => (worst === 'ok' && sent > 0 ? undefined : `expected resolved messages, got ${worst}/${sent}`));

    const fleet = await fleetAct({ out, expect, sims, dir });

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (failures.length > 0) {
      out(`The demo did not go as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
      return 1;
    }
    out(
      `Done in ${seconds} s: alerts escalated notice → warning → critical → expired without repeating themselves, a wrong certificate stored in Key Vault was refused with nothing uploaded, the renewed one was proposed on its Key Vault event, approved by a person, uploaded once, verified in Intune and announced on every channel, a stopped certificate connector and Apple's new terms were alerted and resolved, and a fleet of customer tenants was read with a token each, the one without consent named with the link that fixes it. Deploy it for real with "azd up" (see README).`,
    );
    if (options.serve) await serveFleet(options.serve, out, fleet);
    return 0;
  } finally {
    const { shutdownAppInsights } = await import('../adapters/notifiers/appinsights/appInsightsClient');
    await shutdownAppInsights();
    if (sims) await Promise.all([sims.identity.close(), sims.graph.close(), sims.kv.close(), sims.rx.close(), sims.entra.close()]);
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The renewal as it happens in Azure (SPEC §16): a new version of the certificate secret, its
 * Key Vault event handed to the deployed Event Grid handler, the proposal on the page, a person's
 * approval — all against the demo's state file and simulated instant.
 */
async function keyVaultEvents(config: AppConfig, stateFile: string, clock: Clock) {
  // The function file registers its trigger on import: outside the host, with nothing to register with.
  const { provideQuietFunctionsCore } = await import('../cli/localServer');
  provideQuietFunctionsCore();
  const { createKeyVaultEventHandler } = await import('../../functions/keyVaultSecretVersionCreated');
  const access = createTenantAccess(config, { env: process.env });
  const handler = createKeyVaultEventHandler({ services: () => ({ config, logger: silentLogger, access, stateFile, clock }) });
  const quiet = () => new InvocationContext({ functionName: 'keyVaultSecretVersionCreated', invocationId: 'demo', logHandler: () => undefined });
  const proposals = async () => listProposals(await createProposalStore(config, (await access).home, stateFile), clock.now());
  return {
    async store(kv: KeyVaultSimulator, pem: string, secretName = config.renewal.secretName): Promise<ProposalView> {
      const version = kv.setSecret(secretName, pem, { contentType: 'application/x-pem-file' });
      await handler(kv.secretEvent(secretName, version), quiet());
      const made = (await proposals()).find((p) => p.secretVersion === version);
      if (!made) throw new AppError('internal_error', `No proposal was made for version ${version}.`);
      return made;
    },
    async approve(id: string, person: string) {
      const decide = await createDecideDeps(config, { logger: silentLogger, stateFile, clock, access: await access }, { via: 'http', correlationId: 'demo' });
      return approveRenewal(decide, id, person);
    },
    /** The tenant view of the status page, as an Operator sees it. */
    async page(): Promise<string> {
      const view = await loadFleetStatus(config, (await access).home, stateFile, clock);
      return renderDashboard({ view, viewer: { name: 'oncall@contoso.com', canRenew: true }, nonce: 'ZGVtby1ub25jZS1mb3ItdGhlLXBhZ2U=', now: clock.now(), selectedTenantId: config.tenant.id });
    },
  };
}

interface FleetAct {
  config: AppConfig;
  shared: SharedCheckServices;
  stateFile: string;
}

/**
 * Act two (SPEC §11): the same monitor watching customer tenants, each read through the real fleet
 * sign-in (the managed identity's token as the client assertion of the multi-tenant app, one Graph
 * token per tenant from Entra), checked exactly as `apns-monitor check` checks a fleet.
 */
async function fleetAct(ctx: { out: (text: string) => void; expect: (ok: boolean, what: string) => void; sims: Sims; dir: string }): Promise<FleetAct> {
  const { out, expect, sims } = ctx;
  const { identity, graph, entra, kv, rx } = sims;
  const now = Math.floor(Date.now() / 1000) * 1000; // whole seconds, as Intune's dates read
  entra.addTenant(identity.tenantId, { displayName: 'Contoso (simulated)' });
  for (const [i, c] of CUSTOMERS.entries()) {
    // The multi-tenant app as infra grants it when every kind is monitored.
    entra.addTenant(c.id, { displayName: c.name, consent: c.consent, roles: ['DeviceManagementServiceConfig.ReadWrite.All', 'DeviceManagementConfiguration.Read.All'] });
    const domain = `${c.name.split(' ')[0]?.toLowerCase()}.example`;
    graph.addTenant(c.id, {
      apns: apnsFixture({ topic: customerTopic(i), appleId: `mdm@${domain}`, serialNumber: `5EED00000000000${i}`, expiresAt: now + c.days * DAY + 3_600_000 }),
      vppTokens: [vppFixture({ id: `b1f2c3d4-0000-4000-8000-00000000010${i}`, organizationName: c.name, appleId: `vpp@${domain}`, expiresAt: now + c.vppDays * DAY + 3_600_000 })],
      adeTokens: [adeFixture({ id: `a1d2e3f4-0000-4000-8000-00000000020${i}`, tokenName: `${c.name} DEP`, appleId: `dep@${domain}`, expiresAt: now + c.adeDays * DAY + 3_600_000 })],
      ...c.connectors,
    });
  }
  const config = loadConfig({
    APNS_TENANT_ID: identity.tenantId,
    APNS_TENANT_NAME: 'Contoso (simulated)',
    APNS_TENANTS: CUSTOMERS.map((c) => `${c.id}=${c.name}`).join(','),
    APNS_APP_CLIENT_ID: entra.appClientId,
    AZURE_AUTHORITY_HOST: entra.authorityHost,
    APNS_GRAPH_BASE_URL: graph.baseUrl,
    APNS_KEY_VAULT_URL: kv.vaultUrl,
    APNS_TEAMS_WEBHOOK_URL: rx.urls.teams,
    APNS_SLACK_WEBHOOK_URL: rx.urls.slack,
    APNS_PAGERDUTY_ROUTING_KEY: 'R0DEM0DEM0DEM0DEM0DEM0DEM0DEM0DE',
    APNS_PAGERDUTY_EVENTS_URL: rx.urls.pagerduty,
    APNS_DELIVERY_ATTEMPTS: '1',
  });
  const stateFile = join(ctx.dir, 'fleet-state.json');
  rx.clear();
  entra.reset();

  out('━━ 12. A fleet: Contoso now also watches four customer tenants, as a managed-service provider would ━━');
  out(indent(`APNS_TENANTS lists them. Each is read with a Graph token of its own: the Function App's managed identity signs
in as the multi-tenant app APNS_APP_CLIENT_ID (its token is the client assertion), so no secret exists anywhere.
Woodgrove Bank's administrator has not granted admin consent yet, Tailspin Toys' Jamf Pro stopped reporting to
Intune, and Northwind Traders' VPP token is due within 60 days. Unlike the story above this runs at today's date.

What "apns-monitor check" prints for this fleet (its first line is the Nagios status line):\n`));
  const shared = await createSharedCheckServices(config, { logger: silentLogger, stateFile, env: process.env });
  const fleet = await checkFleet(config.tenants, fleetTenantCheck(config, shared, { deliveryBackoffMs: 10 }), {
    concurrency: config.fleetConcurrency,
    reportHealth: fleetHealthReport(config, shared, { deliveryBackoffMs: 10 }),
  });
  await shared.store.close();
  const { results } = fleet;
  const exitCode = fleetExitCode(fleet);
  out(indent(formatFleetReport(fleet, exitCode, now)));
  out(indent(`(exit code ${exitCode}, as "apns-monitor check" gives it: 3 when any tenant could not be read)`));
  out('');

  const messages = describeFleetReceived(out, rx, config);
  const woodgrove = CUSTOMERS[3] as (typeof CUSTOMERS)[number];
  const consentUrl = adminConsentUrl('https://login.microsoftonline.com', woodgrove.id, entra.appClientId);
  out(`\n   The link Woodgrove Bank's administrator opens once to grant consent (the hint above names the simulated Entra;
   in Azure it is this one, and "apns-monitor tenants consent-url ${woodgrove.id}" prints it):\n     ${consentUrl}`);
  out('');

  const byName = new Map(results.map((r) => [r.tenant.name, r]));
  const worst = (name: string) => byName.get(name)?.report?.worst;
  const tokens = entra.requests.filter((r) => r.endpoint === 'token' && r.status === 200).map((r) => r.tenant);
  const refusal = entra.requests.find((r) => r.tenant === woodgrove.id && r.endpoint === 'token');
  expect(worst('Fabrikam') === 'ok' && worst('Northwind Traders') === 'warning' && worst('Tailspin Toys') === 'critical', 'the fleet: expected Fabrikam ok, Northwind warning, Tailspin critical');
  expect(byName.get('Woodgrove Bank')?.report?.readFailures[0]?.code === 'graph_consent_missing' && refusal?.errorCode === 7000229, 'the fleet: Woodgrove must be unreadable for lack of consent (AADSTS7000229)');
  expect(exitCode === 3, `the fleet: expected exit code 3, got ${exitCode}`);
  expect(CUSTOMERS.slice(0, 3).every((c) => tokens.includes(c.id)) && new Set(tokens).size === tokens.length, 'the fleet: each consented tenant must get one token of its own');
  expect(messages.length > 0 && messages.every((m) => CUSTOMERS.some((c) => m.includes(c.name))), 'the fleet: every message must name its tenant');
  expect(!messages.some((m) => m.includes('Fabrikam')), 'the fleet: the healthy tenant must get no message');

  // For the status page of `--serve`: Tailspin's renewed certificate was stored in Key Vault, so its
  // proposal waits on Tailspin's page for the person at this computer to approve (and its dry run passes).
  const tailspin = CUSTOMERS[2] as (typeof CUSTOMERS)[number];
  const events = await keyVaultEvents(config, stateFile, systemClock);
  const pending = await events.store(kv, createAppleCertificate({ topic: customerTopic(2), notAfter: new Date(now + 370 * DAY) }).certPem, `${config.renewal.secretName}-${tailspin.id}`);
  expect(pending.state === 'pending', "the fleet: Tailspin's stored certificate must wait for approval");
  return { config, shared, stateFile };
}

function customerTopic(index: number): string {
  return `com.apple.mgmt.External.${(CUSTOMERS[index]?.id ?? '').toUpperCase()}`;
}

/** `--serve`: the fleet's status page on 127.0.0.1 through the deployed handlers, until stopped. */
async function serveFleet(serve: NonNullable<DemoOptions['serve']>, out: (text: string) => void, fleet: FleetAct): Promise<void> {
  const { describeLocalApi, localViewer, startLocalServer } = await import('../cli/localServer');
  const redact = createRedactor(secretsOf(fleet.config));
  const access = Promise.resolve(fleet.shared.access);
  const server = await startLocalServer({
    port: serve.port,
    viewer: localViewer(),
    services: (context) => ({ config: fleet.config, logger: contextLogger(context, redact), access, stateFile: fleet.stateFile }),
    log: (level, text) => {
      if (level === 'warning' || level === 'error' || level === 'critical') serve.log(`${level === 'warning' ? 'warning' : 'error'}: ${text}`);
    },
  });
  try {
    out(`\nThe simulated fleet's status page is served on 127.0.0.1 (the simulators keep running). Tailspin Toys' renewed certificate was stored in the simulated Key Vault: its proposal waits on Tailspin's page — approve it there with this run's key. Ctrl-C stops it.\n${describeLocalApi(server)}\n${server.dashboardUrl}`);
    await serve.until();
  } finally {
    await server.close();
  }
}

/** One line per message, in tenant order then channel: the tenant each names is in its text. Returns the lines. */
function describeFleetReceived(out: (t: string) => void, rx: ChannelReceivers, config: AppConfig): string[] {
  const lines: string[] = [];
  for (const r of rx.of('teams')) {
    const texts = teamsAsText(r).map((t) => t.replace(/^Teams\s+[┌│└]\s?/, '').replace(/^\s+[│└]\s?/, ''));
    lines.push(`Teams     ${texts[0] ?? ''} — ${texts[1] ?? ''}`);
  }
  for (const r of rx.of('slack')) lines.push(`Slack     ${(r.json as { text?: string }).text ?? ''}`);
  for (const r of rx.of('pagerduty')) {
    const e = r.json as { event_action: string; payload?: { severity: string; summary: string } };
    lines.push(`PagerDuty ${e.event_action}${e.payload ? ` (${e.payload.severity}): ${e.payload.summary}` : ''}`);
  }
  const order = (line: string) => config.tenants.findIndex((t) => line.includes(t.name));
  lines.sort((a, b) => order(a) - order(b));
  out(lines.length > 0 ? `   What the channels received (Teams, Slack and PagerDuty here):\n${lines.map((l) => `     ${l}`).join('\n')}` : '   What the channels received: nothing.');
  return lines;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `   ${l}`))
    .join('\n');
}

/** Prints what each channel received, the Teams card rendered as text; returns the number of messages. */
function describeReceived(out: (t: string) => void, rx: ChannelReceivers, graph: GraphSimulator, config: AppConfig): number {
  const lines: string[] = [];
  for (const r of rx.of('teams')) lines.push(...teamsAsText(r));
  for (const r of rx.of('slack')) lines.push(`Slack     ${(r.json as { text?: string }).text ?? ''}`);
  for (const m of graph.mails) {
    const msg = (m.body as { message?: { subject?: string; toRecipients?: { emailAddress: { address: string } }[] } }).message;
    lines.push(`E-mail    to ${msg?.toRecipients?.map((t) => t.emailAddress.address).join(', ')}: "${msg?.subject ?? ''}"`);
  }
  for (const r of rx.of('pagerduty')) {
    const e = r.json as { event_action: string; dedup_key: string; payload?: { severity: string; summary: string } };
    lines.push(`PagerDuty ${e.event_action}${e.payload ? ` (${e.payload.severity})` : ''} dedup_key=${e.dedup_key}${e.payload ? `: ${e.payload.summary}` : ''}`);
  }
  for (const r of rx.of('webhook')) {
    let verified: string;
    try {
      new Webhook(config.channels.webhook?.secret ?? '').verify(r.raw, r.headers);
      verified = 'signature verified';
    } catch {
      verified = 'signature INVALID';
    }
    const e = r.json as { type: string; data: { severity: string } };
    lines.push(`Webhook   ${e.type} (${e.data.severity}), webhook-id ${r.headers['webhook-id']}, ${verified}`);
  }
  const ai = rx.of('appinsights').flatMap((r) => (Array.isArray(r.json) ? (r.json as { data?: { baseData?: { name?: string; metrics?: { name: string; value: number }[] } } }[]) : []));
  const aiEvents = ai.map((i) => i.data?.baseData?.name).filter((n): n is string => !!n && n !== 'ApnsCheckCompleted');
  // The metrics the deployed Azure Monitor rules read (an expired asset reports ApnsDaysPastExpiry).
  const metrics = [...new Set(ai.flatMap((i) => i.data?.baseData?.metrics ?? []).map((m) => m.name))];
  const messages = lines.length;
  if (aiEvents.length > 0 || metrics.length > 0) lines.push(`App Insights ${[...aiEvents, 'ApnsCheckCompleted'].join(', ')}${metrics.length > 0 ? `; metric${metrics.length > 1 ? 's' : ''} ${metrics.join(', ')} recorded` : ''}`);
  out(lines.length > 0 ? `   What the channels received:\n${lines.map((l) => `     ${l}`).join('\n')}` : '   What the channels received: nothing.');
  return messages;
}

function teamsAsText(r: Received): string[] {
  const card = (r.json as { attachments?: { content?: { body?: unknown[]; actions?: { title: string }[] } }[] }).attachments?.[0]?.content;
  if (!card) return ['Teams     (no card)'];
  const texts: string[] = [];
  const walk = (items: unknown[] | undefined) => {
    for (const item of items ?? []) {
      const el = item as { type: string; text?: string; items?: unknown[]; facts?: { title: string; value: string }[] };
      if (el.type === 'TextBlock' && el.text) texts.push(el.text);
      if (el.type === 'Container') walk(el.items);
      if (el.type === 'FactSet') texts.push(el.facts?.map((f) => `${f.title}: ${f.value}`).join(' · ') ?? '');
    }
  };
  walk(card.body);
  // As Teams shows it: the card's Markdown escapes (a backslash before punctuation, CommonMark) are not seen.
  const [title, ...rest] = texts.map((t) => t.replace(/\\([!-/:-@[-\x60{-~])/g, '$1'));
  const buttons = card.actions?.map((a) => `[${a.title}]`).join(' ') ?? '';
  return [`Teams     ┌ ${title ?? ''}`, ...rest.filter((t) => !t.startsWith('Alert key')).map((t) => `          │ ${t}`), `          └ ${buttons}`];
}
