import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

describe('apns-monitor demo', () => {
  test('when run as a fresh process, it plays the whole story, exits 0 by itself and leaves nothing running', async () => {
    // Its own CA, simulators and receivers: nothing from the test harness is needed or used.
    const env = { ...process.env };
    for (const name of ['NODE_EXTRA_CA_CERTS', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER']) delete env[name];
    const child = spawn(process.execPath, [join(root, 'bin', 'apns-monitor.js'), 'demo'], { env, cwd: root });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve)); // a left-over server would keep it alive
    expect(out).not.toMatch(/did not go as expected/);
    expect(code).toBe(0);
    for (const heading of ['1. Healthy', '2. Notice', '3. Warning', '4. Warning, the next day: nothing new is sent', '5. Critical', '6. Expired', '7. Renewal refused', '8. Renewal', '9. Resolved']) {
      expect(out).toContain(`━━ ${heading}`);
    }
    expect(out).toMatch(/Teams {5}┌ WARNING: Apple MDM push certificate expires in 25 days/);
    expect(out).toMatch(/PagerDuty trigger \(error\) dedup_key=/);
    expect(out).toMatch(/E-mail {4}to intune-oncall@contoso.com: "\[Intune APNs monitor\] CRITICAL/);
    expect(out).toMatch(/Refused \(topic_mismatch\)[\s\S]*Uploads to Intune: 0 \(nothing uploaded\)/);
    expect(out).toMatch(/Renewed: the certificate now expires[\s\S]*PagerDuty resolve dedup_key=/);
    expect(out).toMatch(/Webhook {3}apns\.renewed \(ok\), webhook-id \S+, signature verified/);
    expect(out).toMatch(/^Done in \d+\.\d s/m);
  });
});
