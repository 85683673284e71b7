import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startDirectorySimulator, type DirectorySimulator } from '../support/directorySimulator';
import { loopbackTls } from '../support/loopbackTls';

/**
 * azure.yaml's postprovision hook, run as azd runs it (the posix variant as an inline sh script, in the
 * project folder, with the azd environment — where provisioning put APNS_APP_ROLE_GRANTS), against a
 * loopback Microsoft Graph with Entra's replication delay, and a stub `azd` on PATH for the token.
 */

const root = join(__dirname, '..', '..');
const GRAPH_APP = '00000003-0000-0000-c000-000000000000';
const STATUS_APP = '44444444-4444-4444-4444-444444444444';
const IDENTITY = '55555555-5555-5555-5555-555555555555';
const FLEET_SP = '66666666-6666-6666-6666-666666666666';
const DEPLOYER = '11111111-1111-1111-1111-111111111111';
const roleId = (value: string) => `role-${value.replace(/\W/g, '-').toLowerCase()}`;

let directory: DirectorySimulator;
let dir: string;
let azdLog: string;

const grants = [
  { principalId: IDENTITY, principalType: 'ServicePrincipal', principal: 'id-apns-abc', resourceAppId: GRAPH_APP, appRole: 'DeviceManagementServiceConfig.ReadWrite.All' },
  { principalId: IDENTITY, principalType: 'ServicePrincipal', principal: 'id-apns-abc', resourceAppId: GRAPH_APP, appRole: 'Mail.Send' },
  { principalId: FLEET_SP, principalType: 'ServicePrincipal', principal: 'Intune APNs monitor', resourceAppId: GRAPH_APP, appRole: 'DeviceManagementServiceConfig.ReadWrite.All' },
  { principalId: DEPLOYER, principalType: 'User', principal: 'the deploying user', resourceAppId: STATUS_APP, appRole: 'ApnsMonitor.Operator' },
];

beforeAll(async () => {
  directory = await startDirectorySimulator({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-postprovision-'));
  azdLog = join(dir, 'azd.log');
  // `azd auth token --output json --scope …`: what azd prints for the signed-in account.
  writeFileSync(
    join(dir, 'azd'),
    `#!/bin/sh\necho "$*" >> "${azdLog}"\ncase "$*" in\n  "auth token --output json --scope "*) echo '{"token":"${directory.token}","expiresOn":"2099-01-01T00:00:00Z"}' ;;\n  *) echo "unexpected azd $*" >&2; exit 2 ;;\nesac\n`,
  );
  chmodSync(join(dir, 'azd'), 0o755);
});
afterAll(async () => {
  await directory.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  directory.servicePrincipals.length = 0;
  directory.assignments.length = 0;
  directory.requests.length = 0;
  directory.refuseWrites = false;
  directory.servicePrincipals.push(
    { id: 'graph-sp', appId: GRAPH_APP, displayName: 'Microsoft Graph', appRoles: ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All', 'Mail.Send'].map((value) => ({ id: roleId(value), value })) },
    { id: 'status-sp', appId: STATUS_APP, displayName: 'Intune APNs monitor status page', appRoles: [{ id: roleId('ApnsMonitor.Operator'), value: 'ApnsMonitor.Operator' }] },
  );
  writeFileSync(azdLog, '');
});

/** The postprovision hook exactly as azure.yaml states it, run as azd runs an inline sh hook. */
async function postprovision(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const azureYaml = parse(readFileSync(join(root, 'azure.yaml'), 'utf8')) as { hooks: { postprovision: { posix: { run: string } } } };
  const script = join(dir, 'postprovision.sh');
  writeFileSync(script, `#!/bin/sh\nset -e\n\n# Auto generated file from Azure Developer CLI\n${azureYaml.hooks.postprovision.posix.run}\n`);
  chmodSync(script, 0o755);
  try {
    const { stdout, stderr } = await promisify(execFile)(script, [], {
      cwd: root,
      env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`, APNS_GRAPH_BASE_URL: directory.baseUrl, APNS_HOOK_RETRY_BASE_MS: '20', ...env },
      timeout: 60_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const assigned = () => directory.assignments.map((a) => `${a.principalId}:${a.resourceId}:${a.appRoleId}`).sort();

describe('postprovision: the Graph app roles of APNS_APP_ROLE_GRANTS', () => {
  test('when the identity and the fleet app were just created and Entra has not replicated them yet, it waits and grants every role once, first time', async () => {
    directory.replicating(IDENTITY, 3);
    directory.replicating(FLEET_SP, 2);
    directory.replicating('status-sp', 2); // the sign-in app's service principal is new too
    const { code, out } = await postprovision({ APNS_APP_ROLE_GRANTS: JSON.stringify(grants) });
    expect([code, out]).toEqual([0, expect.any(String)]);
    expect(assigned()).toEqual(
      [
        `${IDENTITY}:graph-sp:${roleId('DeviceManagementServiceConfig.ReadWrite.All')}`,
        `${IDENTITY}:graph-sp:${roleId('Mail.Send')}`,
        `${FLEET_SP}:graph-sp:${roleId('DeviceManagementServiceConfig.ReadWrite.All')}`,
        `${DEPLOYER}:status-sp:${roleId('ApnsMonitor.Operator')}`,
      ].sort(),
    );
    expect(out).toMatch(/Not a valid reference update|does not exist/);
    expect(out).toContain('✓ Mail.Send → id-apns-abc: granted');
    expect(out).not.toContain(directory.token);
    expect(readFileSync(azdLog, 'utf8').trim().split('\n')).toEqual([`auth token --output json --scope ${directory.baseUrl}/.default`]);
  });

  test('when it runs again (azd provision, or azd hooks run postprovision), nothing is granted twice', async () => {
    const env = { APNS_APP_ROLE_GRANTS: JSON.stringify(grants) };
    expect((await postprovision(env)).code).toBe(0);
    const first = assigned();
    const again = await postprovision(env);
    expect(again.code).toBe(0);
    expect(assigned()).toEqual(first);
    expect(again.out.match(/already granted/g)).toHaveLength(4);
    expect(directory.requests.filter((r) => r.method === 'POST')).toHaveLength(4);
  });

  test('when the deployer may not grant application permissions (403), it stops at once, says which role is needed and how to finish, and exits 1', async () => {
    directory.refuseWrites = true;
    const { code, out } = await postprovision({ APNS_APP_ROLE_GRANTS: JSON.stringify(grants.slice(0, 1)) });
    expect(code).toBe(1);
    expect(out).toContain('Privileged Role Administrator');
    expect(out).toContain('azd hooks run postprovision');
    expect(directory.requests.filter((r) => r.method === 'POST')).toHaveLength(1); // no retries on a refusal
  });

  test('when a principal never appears within the wait, it names it and how to finish, and exits 1 without hiding the grants that worked', async () => {
    directory.replicating(FLEET_SP, Number.POSITIVE_INFINITY);
    const { code, out } = await postprovision({ APNS_APP_ROLE_GRANTS: JSON.stringify(grants), APNS_HOOK_MAX_WAIT_SECONDS: '1' });
    expect(code).toBe(1);
    expect(out).toContain('✗ granting DeviceManagementServiceConfig.ReadWrite.All for Intune APNs monitor');
    expect(out).toContain('1 of 4 app roles are NOT granted');
    expect(out).toContain('azd hooks run postprovision');
    expect(assigned()).toHaveLength(3);
  });

  test('when there is nothing to grant (APNS_GRANT_GRAPH_PERMISSIONS=false), it says so and does not sign in', async () => {
    const { code, out } = await postprovision({ APNS_APP_ROLE_GRANTS: '[]' });
    expect(code).toBe(0);
    expect(out).toContain('no app role to grant');
    expect(readFileSync(azdLog, 'utf8')).toBe('');
  });
});
