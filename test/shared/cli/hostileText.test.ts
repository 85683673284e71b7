import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeLogText, escapeNagiosText, escapeTerminalOutput } from '../../../shared/adapters/notifiers/plainText';
import { createAppleCertificate } from '../../../shared/simulator/certificates';
import { adeFixture, apnsFixture, vppFixture } from '../../../shared/simulator/tenantFixtures';
import { runCli } from '../../support/cliProcess';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// In an MSP fleet a customer's admin names the VPP and ADE tokens and the Apple IDs: that text must
// never act on the terminal (SPEC §9). Each attack below was reproduced against the CLI before.
const DAY = 86_400_000;
const UUID = 'BADC0DE0-1234-4321-8888-ABCDEFABCDEF';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const HOSTILE = {
  // CR/LF start a forged status line; OSC sets the window title; BEL; ESC[2J clears the screen.
  appleId: 'mdm@contoso.com\r\nAPNS OK - all fine\u001b]0;pwned\u0007\u001b[2J',
  // A `|` forges perfdata; U+202E reorders what follows; DEL and a C1 CSI (U+009B).
  vppName: "Contoso | 'vpp:forged'=999 \u202eevil\u007f\u009b31m",
  vppId: "vpp'=|id",
  // Isolates and marks: LRI/PDI, RLM, ALM, LRM; and a line separator.
  adeName: 'ADE \u2066x\u2069 \u200f\u061c\u200e\u2028next',
};
// Every control and bidi character but the line feed that separates our own lines.
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let h: TenantHarness;
let dir: string;

beforeAll(async () => {
  h = await startTenantHarness();
  dir = mkdtempSync(join(tmpdir(), 'apns-hostile-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: HOSTILE.appleId, expiresAt: Date.now() + 200 * DAY });
  h.graph.tenant.vppTokens = [vppFixture({ id: HOSTILE.vppId, organizationName: HOSTILE.vppName, appleId: HOSTILE.appleId, expiresAt: Date.now() + 20 * DAY + 3_600_000 })];
  h.graph.tenant.adeTokens = [adeFixture({ tokenName: HOSTILE.adeName, appleId: HOSTILE.appleId, expiresAt: Date.now() + 100 * DAY })];
});

/** The installed command in its own process, its real stdout and stderr. */
const cli = (args: string[]) => runCli(args, { env: { ...process.env, ...h.env }, cwd: dir });

function expectNothingRaw(text: string): void {
  const found = RAW.exec(text);
  expect(found ? `U+${found[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${found.index}` : 'none').toBe('none');
}

describe('text from Graph never reaches the terminal or Nagios raw', () => {
  test('when asset names and Apple IDs hold controls, bidi characters and "|", check prints no raw one, line 1 is the only status line and its perfdata is intact', async () => {
    const { code, out, err } = await cli(['check', '--state-file', join(dir, 'check.json'), '--verbose']);
    expect(code).toBe(1); // the VPP token expires in 20 days: a warning
    expectNothingRaw(out);
    expectNothingRaw(err);
    const lines = out.split('\n');
    expect(lines.filter((l) => /^APNS /.test(l))).toEqual([lines[0]]);
    const [text, perf, ...more] = (lines[0] as string).split('|');
    expect(more).toEqual([]);
    expect(text).toMatch(/^APNS WARNING - The VPP token "Contoso ¦ 'vpp:forged'=999 \\u202eevil\\u007f\\u009b31m" expires in 20 days/);
    // One label per asset with days left, in the plugin format ('label'=value), none forged.
    const entries = perf?.trim().split(' ') ?? [];
    expect(entries).toHaveLength(3);
    for (const entry of entries) expect(entry).toMatch(/^'(apns|vpp|ade):[^'=|]+'=-?\d+$/);
    expect(entries).toContain("'vpp:vpp__¦id'=20");
    // The values are still there for a person to read, escaped.
    expect(out).toContain('mdm@contoso.com\\r\\nAPNS OK - all fine\\u001b]0;pwned\\u0007\\u001b[2J');
    expect(out).toContain('ADE \\u2066x\\u2069 \\u200f\\u061c\\u200e\\u2028next');
  });

  test('when asked for JSON, the output parses back to the same text and holds no raw character', async () => {
    const { out, err } = await cli(['check', '--json', '--no-notify', '--state-file', join(dir, 'json.json')]);
    expectNothingRaw(out);
    expectNothingRaw(err);
    const json = JSON.parse(out) as { assets: { appleId?: string; name: string }[] };
    expect(json.assets.map((a) => a.appleId)).toContain(HOSTILE.appleId);
    expect(json.assets.map((a) => a.name)).toContain(`ADE token "${HOSTILE.adeName}"`);
  });

  test('when renew checks a certificate against Intune, its report holds no raw character', async () => {
    const file = join(dir, 'renewed.pem');
    writeFileSync(file, createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 400 * DAY) }).certPem);
    const { code, out, err } = await cli(['renew', '--file', file, '--dry-run', '--state-file', join(dir, 'renew.json')]);
    expect(code).toBe(0);
    expectNothingRaw(out);
    expectNothingRaw(err);
    expect(out).toContain('\\r\\nAPNS OK - all fine\\u001b]0;pwned');
  });
});

describe('the plain-text escapes, one per format', () => {
  test.each([
    ['LRM, RLM and ALM', 'a\u200eb\u200fc\u061cd', 'a\\u200eb\\u200fc\\u061cd'],
    ['isolates', 'a\u2066b\u2069', 'a\\u2066b\\u2069'],
    ['DEL and a C1 CSI', 'a\u007fb\u009bc', 'a\\u007fb\\u009bc'],
  ])('when a value holds %s, a log or terminal line shows them escaped', (_what, input, expected) => {
    expect(escapeLogText(input)).toBe(expected);
  });

  test('when the CLI prints several lines, its line breaks stay and everything else in a line is escaped', () => {
    expect(escapeTerminalOutput('line 1\nline\r2 \u001b[2J\n')).toBe('line 1\nline\\r2 \\u001b[2J\n');
  });

  test('when status-line text holds "|", it cannot start the perfdata', () => {
    expect(escapeNagiosText("VPP a|b 'x'=1\n")).toBe("VPP a¦b 'x'=1\\n");
  });
});
