import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killRunningClis, runCli } from '../../support/cliProcess';

let silent: Server;
let endpoint: string;
let dir: string;
let requests = 0;

beforeAll(async () => {
  // An App Service token endpoint that accepts the request and never answers.
  silent = createServer(() => void requests++);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/msi/token`;
  dir = mkdtempSync(join(tmpdir(), 'apns-identity-hang-'));
});
afterAll(async () => {
  killRunningClis(); // only when the test failed: the command hung
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('nothing hangs: the managed-identity endpoint (SPEC §4 timeouts)', () => {
  test('when IDENTITY_ENDPOINT accepts and never answers, check exits by itself with 3, naming the managed identity endpoint, not Graph', async () => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      IDENTITY_ENDPOINT: endpoint,
      IDENTITY_HEADER: 'test-header',
      APNS_TENANT_ID: '00000000-0000-4000-8000-0000000000aa',
      // Graph is never reached: the sign-in comes first.
      APNS_GRAPH_BASE_URL: 'https://graph.invalid',
      APNS_HTTP_TIMEOUT_SECONDS: '1',
    };
    // The only clock is Jest's test timeout: the process must end on its own, nothing kills it.
    const { code, out, err } = await runCli(['check', '--no-notify', '--state-file', join(dir, 'state.json')], { env, cwd: dir });
    expect(code).toBe(3);
    const first = out.split('\n')[0];
    expect(first).toMatch(/^APNS UNKNOWN - cannot read Intune: The managed identity endpoint \(IDENTITY_ENDPOINT\) did not answer in time \(timed out; APNS_HTTP_TIMEOUT_SECONDS\)/);
    expect(`${out}\n${err}`).not.toMatch(/Microsoft Graph (did not answer|could not be reached)|Graph asked to wait|Graph was unavailable/);
    expect(requests).toBeGreaterThan(0);
  }, 20_000);
});
