import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

/** The demo as a fresh process, with nothing from the test harness: its own CA, simulators and receivers. */
function startDemo(args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const env = { ...process.env };
  for (const name of ['NODE_EXTRA_CA_CERTS', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER']) delete env[name];
  const child = spawn(process.execPath, [join(root, 'bin', 'apns-monitor.js'), 'demo', ...args], { env, cwd: root });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve)); // a left-over server would keep it alive
  return { child, output: () => out, exited };
}

/** Resolves true when a TCP connect to the port is refused. */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

const WOODGROVE = 'e1d9a6b3-7c4e-4f2a-9e8b-3c5d1a0f6e74';

describe('apns-monitor demo', () => {
  // One run read by the two tests below (it takes a few seconds).
  let code: number | null;
  let out: string;
  beforeAll(async () => {
    const demo = startDemo([]);
    code = await demo.exited;
    out = demo.output();
  });

  test('when run as a fresh process, it plays the whole story, exits 0 by itself and leaves nothing running', () => {
    expect(out).not.toMatch(/did not go as expected/);
    expect(code).toBe(0);
    for (const heading of ['1. Healthy', '2. Notice', '3. Warning', '4. Warning, the next day: nothing new is sent', '5. Critical', '6. Expired', '7. Renewal refused', '8. Renewal', '9. Resolved', '10. A connector breaks', '11. Repaired', '12. A fleet']) {
      expect(out).toContain(`━━ ${heading}`);
    }
    expect(out).toMatch(/Teams {5}┌ WARNING: Apple MDM push certificate expires in 25 days/);
    expect(out).toMatch(/PagerDuty trigger \(error\) dedup_key=/);
    expect(out).toMatch(/E-mail {4}to intune-oncall@contoso.com: "\[Intune APNs monitor\] CRITICAL/);
    expect(out).toMatch(/Refused \(topic_mismatch\)|REFUSED — do not upload/);
    expect(out).toMatch(/Renewed: the certificate now expires[\s\S]*PagerDuty resolve dedup_key=/);
    expect(out).toMatch(/Webhook {3}apns\.renewed \(ok\), webhook-id \S+, signature verified/);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^Done in \d+\.\d s/);
  });

  test('when the certificates are stored in Key Vault, each event makes a proposal every channel hears of: the wrong one is refused, the renewed one is shown on the page and uploaded once when a person approves it', () => {
    const refused = out.split('━━ 7. Renewal refused')[1]?.split('━━ 8.')[0] ?? '';
    expect(refused).toMatch(/keyVaultSecretVersionCreated: the dry run of that version made proposal [0-9a-f]{12}/);
    expect(refused).toMatch(/Teams {5}┌ Do not upload: the certificate stored in Key Vault as apns-certificate/);
    expect(refused).toContain('1. Do not upload this certificate; renew the existing certificate with the same Apple ID (mdm-admin@contoso.com).');
    expect(refused).toMatch(/Webhook {3}apns\.renewal_proposed \(warning\), webhook-id \S+, signature verified/);
    expect(refused).toMatch(/Approving it: refused \(proposal_closed\)[\s\S]*Uploads to Intune: 0 \(nothing uploaded\)/);
    const renewal = out.split('━━ 8. Renewal')[1]?.split('━━ 9.')[0] ?? '';
    expect(renewal).toMatch(/Teams {5}┌ Renewal ready — approve on the status page: certificate serial [0-9A-F]+/);
    expect(renewal).toMatch(/PagerDuty trigger \(info\) dedup_key=\S+:apns:com\.apple\.mgmt\.External\.\S+: Renewal ready/);
    expect(renewal).toMatch(/The status page shows it under "Renewal proposals": proposal [0-9a-f]{12}, waiting for approval/);
    expect(renewal).toMatch(/uploaded to Intune by oncall@contoso\.com \(approving proposal [0-9a-f]{12} by Key Vault event\)/);
    expect(renewal).toContain('Uploads to Intune: 1 (PATCH');
    expect(renewal).toContain('Approving it again: refused (proposal_closed); uploads to Intune still 1.');
  });

  test("when the story reaches Intune's other connectors, a stopped certificate connector and Apple's new terms alert on every channel, then resolve", () => {
    const broken = out.split('━━ 10. A connector breaks')[1]?.split('━━ 11.')[0] ?? '';
    expect(broken).toMatch(/^ {3}CRITICAL {2}Certificate connector "PKI-CONN-01"/m);
    expect(broken).toMatch(/Teams {5}┌ CRITICAL: The certificate connector "PKI-CONN-01" is inactive\n/);
    expect(broken).toContain('Tenant administration > Connectors and tokens > Certificate connectors');
    expect(broken).toMatch(/PagerDuty trigger \(error\) dedup_key=\S+:certconnectors:\S+: CRITICAL/);
    expect(broken).toMatch(/Teams {5}┌ WARNING: The ADE .* reports sync error code 3 \(often: new Apple Business Manager terms to accept/);
    expect(broken).toMatch(/^ {3}Not in use \(never alerted\): Managed Google Play, Windows Autopilot sync, Exchange connectors/m);
    const repaired = out.split('━━ 11. Repaired')[1]?.split('━━ 12.')[0] ?? '';
    expect(repaired).toMatch(/PagerDuty resolve dedup_key=\S+:certconnectors:/);
    expect(repaired).toMatch(/Teams {5}┌ RESOLVED: Certificate connector "PKI-CONN-01" recovered/);
  });

  test('the connector steps run at today\'s date, so the last-sync dates they print agree with their header', () => {
    // A connector's sync age counts from when Intune is read, not from --now: an "as if" date in the
    // story's future beside a last sync of this week would contradict itself.
    const header = /━━ 10\. A connector breaks[^━]* — today, (\d{4}-\d{2}-\d{2}) ━━/.exec(out);
    expect(header).not.toBeNull();
    const today = Date.parse(`${header?.[1]}T00:00:00Z`);
    const broken = out.split('━━ 10. A connector breaks')[1]?.split('━━ 11.')[0] ?? '';
    const lastSyncs = [...broken.matchAll(/has not (?:connected to Intune|synced with Apple) for [^(]*\(last (\d{4}-\d{2}-\d{2})T/g)].map((m) => Date.parse(`${m[1]}T00:00:00Z`));
    expect(lastSyncs).toHaveLength(2);
    for (const at of lastSyncs) {
      expect((today - at) / 86_400_000).toBeGreaterThanOrEqual(0);
      expect((today - at) / 86_400_000).toBeLessThanOrEqual(4);
    }
    expect(out).toMatch(/━━ 11\. Repaired[^━]* — today, \d{4}-\d{2}-\d{2} ━━/);
  });

  test('the Teams cards read as Teams shows them: no Markdown escape character reaches the demo\'s text', () => {
    expect(out).toMatch(/Teams {5}┌ Do not upload: .* was refused \(topic_mismatch\)\n/);
    for (const line of out.split('\n').filter((l) => /^ {5}(Teams {5}[┌│]| {10}│)/.test(l))) expect(line).not.toMatch(/\\[!-/:-@[-\x60{-~]/);
  });

  test('when the story reaches the fleet, the table ranks four tenants, the channels name each tenant, and the consent link is given', () => {
    const fleet = out.split('━━ 12. A fleet')[1] ?? '';
    // The fleet report exactly as `apns-monitor check` prints it: Nagios line first, worst tenant first.
    expect(fleet).toMatch(/^ {3}APNS UNKNOWN - 4 tenants: 1 unreadable, 1 critical, 1 warning, 1 ok; worst: Woodgrove Bank/m);
    const order = ['UNKNOWN  Woodgrove Bank', 'CRITICAL  Tailspin Toys', 'WARNING  Northwind Traders', 'OK  Fabrikam'].map((t) => fleet.indexOf(t));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] as number)))).toBe(true);
    expect(fleet).toContain('AADSTS7000229');
    expect(fleet).toMatch(/Teams {5}WARNING: Apple MDM push certificate expires in 25 days .* — Northwind Traders/);
    expect(fleet).toMatch(/PagerDuty trigger \(error\): CRITICAL: Apple MDM push certificate expires in 5 days .*\(Tailspin Toys\)/);
    expect(fleet).toMatch(/PagerDuty trigger \(error\): CRITICAL: The partner "Jamf Pro" is unresponsive \(Tailspin Toys\)/);
    expect(fleet).toMatch(/Slack {5}CRITICAL: Expiry monitor cannot read Intune \(Woodgrove Bank\)/);
    expect(fleet).not.toMatch(/(Teams|Slack|PagerDuty) .*Fabrikam/);
    expect(fleet).toContain(`https://login.microsoftonline.com/${WOODGROVE}/adminconsent?client_id=`);
  });

  test('when run with --serve --port 0, its output ends with the status page URL, the page shows the fleet, and Ctrl-C exits 0 and closes the port', async () => {
    const demo = startDemo(['--serve', '--port', '0']);
    const url = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const found = /(http:\/\/127\.0\.0\.1:\d+\/api\/apns\/dashboard)\n$/.exec(demo.output())?.[1];
        if (found) resolve(found);
      };
      demo.child.stdout.on('data', look);
      void demo.exited.then((code) => reject(new Error(`the demo exited with ${code} instead of serving:\n${demo.output()}`)));
    });
    expect(demo.output()).not.toMatch(/did not go as expected/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const page = await response.text();
    expect(page).toContain('<h1>Fleet: 4 tenants</h1>');
    for (const name of ['Fabrikam', 'Northwind Traders', 'Tailspin Toys', 'Woodgrove Bank']) expect(page).toContain(name);
    for (const severity of ['critical', 'warning', 'ok']) expect(page).toContain(`<span class="sev sev-${severity}">`);
    // The connectors are on the page too: Tailspin's Jamf Pro, Fabrikam's certificate connector.
    expect(page).toContain('Device management partner &quot;Jamf Pro&quot;');
    expect(page).toContain('Certificate connector &quot;FAB-PKI-01&quot;');
    // Each customer's VPP and ADE tokens too, as the README's picture shows them.
    expect(page).toMatch(/<tr class="row-notice"[^>]*>(?:(?!<\/tr>)[^])*VPP token &quot;Northwind Traders&quot;/);
    for (const token of ['ADE token &quot;Fabrikam DEP&quot;', 'VPP token &quot;Tailspin Toys&quot;', 'ADE token &quot;Northwind Traders DEP&quot;']) expect(page).toContain(token);
    expect(page).toContain('could not be read on the last run');

    // Tailspin's stored certificate waits for approval on its page, with the key field of `serve`.
    const origin = new URL(url).origin;
    const tailspinPage = await (await fetch(`${url}?tenant=c7b2e4d1-3a9f-4c6e-8b1d-5a0f2e7c9d63`)).text();
    expect(tailspinPage).toMatch(/<span class="sev sev-notice">Waiting for approval<\/span>/);
    expect(tailspinPage).toContain('Key printed by <code>apns-monitor serve</code>');
    // The page's dry run works against the simulators that stay up (Tailspin's renewed .pem waits in Key Vault).
    const dryRun = await fetch(`${origin}/api/apns/dashboard/renew`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ dryRun: true, tenantId: 'c7b2e4d1-3a9f-4c6e-8b1d-5a0f2e7c9d63' }),
    });
    expect(((await dryRun.json()) as { outcome?: string }).outcome).toBe('valid');

    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(await refused(Number(new URL(url).port))).toBe(true);
  });
});
