import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

/**
 * azure.yaml's postdeploy hook, run as azd runs it (the posix variant as an inline sh script, in the
 * project folder, with the azd environment where provisioning put APNS_KEY_VAULT_EVENTS_STATE and the
 * function's id), against a loopback Azure Resource Manager that lists the function only after a few
 * tries (the host syncing its triggers after the deploy), and a stub `azd` on PATH that records what
 * it is asked to do.
 */

const root = join(__dirname, '..', '..');
const FUNCTION_ID = '/subscriptions/sub/resourceGroups/rg-apns/providers/Microsoft.Web/sites/func-apns-abc/functions/keyVaultSecretVersionCreated';
const TOKEN = 'arm-token-never-printed';

let arm: Server;
let armUrl: string;
let dir: string;
let azdLog: string;
/** How many GETs of the function answer 404 before it is listed (Infinity: never). */
let missingFor = 0;
let gets: { path: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  arm = createServer((req, res) => {
    gets.push({ path: req.url ?? '', auth: req.headers.authorization });
    const listed = gets.length > missingFor;
    res.writeHead(listed ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(listed ? { id: FUNCTION_ID, name: 'func-apns-abc/keyVaultSecretVersionCreated' } : { error: { code: 'NotFound', message: 'Error retrieving function.' } }));
  });
  await new Promise<void>((resolve) => arm.listen(0, '127.0.0.1', resolve));
  armUrl = `http://127.0.0.1:${(arm.address() as AddressInfo).port}/`;
  dir = mkdtempSync(join(tmpdir(), 'apns-postdeploy-'));
  azdLog = join(dir, 'azd.log');
  // What azd answers: a token, `env set` and `provision` (whose exit code the test chooses).
  writeFileSync(
    join(dir, 'azd'),
    `#!/bin/sh\necho "$*" >> "${azdLog}"\ncase "$*" in\n  "auth token --output json --scope "*) echo '{"token":"${TOKEN}","expiresOn":"2099-01-01T00:00:00Z"}' ;;\n  "env set "*) ;;\n  "provision --no-prompt") echo "provisioning…"; exit "\${STUB_PROVISION_EXIT:-0}" ;;\n  *) echo "unexpected azd $*" >&2; exit 2 ;;\nesac\n`,
  );
  chmodSync(join(dir, 'azd'), 0o755);
});
afterAll(async () => {
  await new Promise((resolve) => arm.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  gets = [];
  missingFor = 0;
  writeFileSync(azdLog, '');
});

async function postdeploy(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const azureYaml = parse(readFileSync(join(root, 'azure.yaml'), 'utf8')) as { hooks: { postdeploy: { posix: { run: string } } } };
  const script = join(dir, 'postdeploy.sh');
  writeFileSync(script, `#!/bin/sh\nset -e\n\n# Auto generated file from Azure Developer CLI\n${azureYaml.hooks.postdeploy.posix.run}\n`);
  chmodSync(script, 0o755);
  try {
    const { stdout, stderr } = await promisify(execFile)(script, [], {
      cwd: root,
      env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`, AZURE_RESOURCE_MANAGER_ENDPOINT: armUrl, APNS_HOOK_RETRY_BASE_MS: '20', ...env },
      timeout: 60_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const azdCalls = () => readFileSync(azdLog, 'utf8').trim().split('\n').filter(Boolean);
const pending = { APNS_KEY_VAULT_EVENTS_STATE: 'function-pending', APNS_KEY_VAULT_EVENTS_FUNCTION_ID: FUNCTION_ID };

describe('postdeploy: the Key Vault events subscribed once the function exists', () => {
  test('when the first azd up has just deployed the function and ARM lists it only after a while, it waits, turns the subscription on and provisions again, once', async () => {
    missingFor = 2;
    const { code, out } = await postdeploy(pending);
    expect([code, out]).toEqual([0, expect.stringContaining('Key Vault events now reach keyVaultSecretVersionCreated')]);
    expect(out).toContain('waiting for the deployed function keyVaultSecretVersionCreated to be listed (404)');
    expect(gets).toHaveLength(3);
    expect(gets[0]).toEqual({ path: `/${FUNCTION_ID.slice(1)}?api-version=2024-04-01`, auth: `Bearer ${TOKEN}` });
    expect(azdCalls()).toEqual([`auth token --output json --scope ${armUrl.replace(/\/$/, '')}/.default`, 'env set APNS_KEY_VAULT_EVENTS_SUBSCRIBED true', 'provision --no-prompt']);
    expect(out).not.toContain(TOKEN);
  });

  test.each([
    ['subscribed', 'already reach keyVaultSecretVersionCreated'],
    ['off', 'renewal proposals from Key Vault are off'],
  ])('when the subscription is %s (a later azd up, or the feature off), it says so and calls nothing', async (state, said) => {
    const { code, out } = await postdeploy({ APNS_KEY_VAULT_EVENTS_STATE: state, APNS_KEY_VAULT_EVENTS_FUNCTION_ID: '' });
    expect([code, out]).toEqual([0, expect.stringContaining(said)]);
    expect(azdCalls()).toEqual([]);
    expect(gets).toEqual([]);
  });

  test('when the function never appears within the wait, it provisions nothing and says how to finish (exit 1)', async () => {
    missingFor = Number.POSITIVE_INFINITY;
    const { code, out } = await postdeploy({ ...pending, APNS_HOOK_MAX_WAIT_SECONDS: '1' });
    expect(code).toBe(1);
    expect(out).toContain('is still not listed after 1 s');
    expect(out).toContain('azd hooks run postdeploy');
    expect(azdCalls().some((c) => c.startsWith('provision') || c.startsWith('env set'))).toBe(false);
  });

  test('when the second provision fails, it exits 1 saying the subscription may be missing and how to finish', async () => {
    const { code, out } = await postdeploy({ ...pending, STUB_PROVISION_EXIT: '1' });
    expect(code).toBe(1);
    expect(out).toContain('azd provision failed (exit 1): the Event Grid subscription may be missing');
  });
});
