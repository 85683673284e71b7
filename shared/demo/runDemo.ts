import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { formatTable } from '../cli/formatReport';
import { formatRenewal } from '../cli/commands/renewCommand';
import { loadConfig, type AppConfig } from '../config/loadConfig';
import { checkOptionsFrom, createCheckDeps, createRenewDeps, renewOptionsFor } from '../composition/createServices';
import { formatUtc } from '../domain/graphDateTime';
import { silentLogger } from '../ports/logger';
import { fixedClock } from '../ports/clock';
import { createAppleCertificate } from '../simulator/certificates';
import { trustLoopbackCa } from '../simulator/loopbackCa';
import { startChannelReceivers, type ChannelReceivers, type Received } from '../simulator/channelReceivers';
import { startGraphSimulator, type GraphSimulator } from '../simulator/graphSimulator';
import { startIdentitySimulator, type IdentitySimulator } from '../simulator/identitySimulator';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../simulator/keyVaultSimulator';
import { installLoopbackDns } from '../simulator/loopbackDns';
import { apnsFixture, vppFixture, adeFixture } from '../simulator/tenantFixtures';
import { checkExpiry } from '../useCases/checkExpiry';
import { renewCertificate } from '../useCases/renewCertificate';

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

export interface DemoOptions {
  write: (text: string) => void;
}

interface Sims {
  identity: IdentitySimulator;
  graph: GraphSimulator;
  kv: KeyVaultSimulator;
  rx: ChannelReceivers;
}

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
        adeTokens: [adeFixture({ id: 'c1d2e3f4-0000-4000-8000-000000000002', expiresAt: realNow + 250 * DAY })],
      },
    });
    const kv = await startKeyVaultSimulator({ tls: tlsPair, tenantId: identity.tenantId });
    const rx = await startChannelReceivers({ tls: tlsPair });
    sims = { identity, graph, kv, rx };

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

    out('intune-apns-monitor demo — a simulated Intune tenant on loopback (identity, Graph, Key Vault, Teams, Slack, e-mail, PagerDuty, webhook, Application Insights).');
    out(`The Apple MDM push certificate (topic ${TOPIC}, Apple ID ${APPLE_ID}) expires ${formatUtc(expiry)}. Each step evaluates the tenant "as if" on another day (--now).\n`);

    const step = async (title: string, at: number, expectation: (sent: number, worst: string) => string | undefined) => {
      rx.clear();
      graph.mails.length = 0;
      out(`━━ ${title} — as if on ${formatUtc(at).slice(0, 10)} ━━`);
      const deps = await createCheckDeps(config, { logger: silentLogger, stateFile, clock: fixedClock(at) });
      const report = await checkExpiry(deps, checkOptionsFrom(config, { now: at, deliveryBackoffMs: 10 }));
      await deps.telemetry.flush();
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

    // The guarded renewal, at the same simulated instant.
    const renewDeps = async () => createRenewDeps(config, { logger: silentLogger, stateFile, clock: fixedClock(expiredAt + 3_600_000) });
    const renewOptions = renewOptionsFor(config, config.tenant, { actor: 'demo@contoso.com', via: 'cli', correlationId: 'demo' });
    rx.clear();
    out('━━ 7. Renewal refused: someone stored a NEW certificate (another topic) in Key Vault ━━');
    const wrong = createAppleCertificate({ uuid: '00000000-1111-4222-8333-444444444444', notBefore: new Date(expiredAt - DAY), notAfter: new Date(expiredAt + 365 * DAY) });
    kv.setSecret('apns-certificate', wrong.certPem, { contentType: 'application/x-pem-file' });
    const refused = await renewCertificate(await renewDeps(), {}, renewOptions);
    out(indent(formatRenewal(refused)));
    out(indent(`Uploads to Intune: ${graph.uploads.length} (nothing uploaded).`));
    expect(!refused.ok && refused.error.code === 'topic_mismatch' && graph.uploads.length === 0, 'the wrong-topic renewal must be refused with no upload');
    out('');

    out('━━ 8. Renewal: the renewed .pem (same topic, same Apple ID) is in Key Vault — dry run, then for real ━━');
    const good = createAppleCertificate({ uuid: UUID, notBefore: new Date(expiredAt - DAY), notAfter: new Date(expiredAt + 364 * DAY) });
    kv.setSecret('apns-certificate', good.certPem, { contentType: 'application/x-pem-file' });
    const dry = await renewCertificate(await renewDeps(), { dryRun: true }, renewOptions);
    out(indent(`Dry run: ${dry.ok ? dry.message : dry.error.message}`));
    rx.clear();
    graph.mails.length = 0;
    const done = await renewCertificate(await renewDeps(), {}, renewOptions);
    out(indent(formatRenewal(done)));
    out(indent(`Uploads to Intune: ${graph.uploads.length} (PATCH /beta/deviceManagement/applePushNotificationCertificate, PEM, Apple ID ${String(graph.uploads[0]?.appleIdentifier)}).`));
    const announced = describeReceived(out, rx, graph, config);
    expect(done.ok && done.code === 'renewed' && graph.uploads.length === 1 && announced > 0, 'the good renewal must upload once, verify and announce');
    out('');

    await step('9. Resolved: the next scheduled run finds a healthy certificate', expiredAt + DAY, (sent, worst) => (worst === 'ok' && sent === 0 ? undefined : `expected ok and nothing new, got ${worst}/${sent}`));

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (failures.length > 0) {
      out(`The demo did not go as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
      return 1;
    }
    out(`Done in ${seconds} s: alerts escalated notice → warning → critical → expired without repeating themselves, a wrong certificate was refused with nothing uploaded, the renewal was verified in Intune and announced on every channel. Deploy it for real with "azd up" (see README).`);
    return 0;
  } finally {
    const { shutdownAppInsights } = await import('../adapters/notifiers/appinsights/appInsightsClient');
    await shutdownAppInsights();
    if (sims) await Promise.all([sims.identity.close(), sims.graph.close(), sims.kv.close(), sims.rx.close()]);
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
    rmSync(dir, { recursive: true, force: true });
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `   ${l}`)
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
  const metric = ai.flatMap((i) => i.data?.baseData?.metrics ?? []).find((m) => m.name === 'ApnsDaysRemaining');
  const messages = lines.length;
  if (aiEvents.length > 0 || metric) lines.push(`App Insights ${[...aiEvents, 'ApnsCheckCompleted'].join(', ')}${metric ? `; metric ApnsDaysRemaining recorded` : ''}`);
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
  const [title, ...rest] = texts;
  const buttons = card.actions?.map((a) => `[${a.title}]`).join(' ') ?? '';
  return [`Teams     ┌ ${title ?? ''}`, ...rest.filter((t) => !t.startsWith('Alert key')).map((t) => `          │ ${t}`), `          └ ${buttons}`];
}
