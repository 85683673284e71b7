import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { ignoreMatcher } from '../support/ignoreFile';

/**
 * `azd deploy` as azd does it (Azure/azure-dev, cli/azd/pkg/project): the service manager's Package
 * step first restores the Node project (`npm install --no-audit --no-fund --prefer-offline`: a clean
 * clone has no node_modules), then raises `prepackage` (the hook exactly as azure.yaml states it, as
 * azd writes an inline sh hook: `#!/bin/sh`, `set -e`, the script), then the Node framework service runs
 * `npm run build --if-present` and takes the service folder joined with azure.yaml's `dist`, and the
 * Function App target zips that folder minus its .funcignore (and .azure, local.settings.json, the
 * ignore file itself). Replayed here on a clean copy of the repository; the package is then loaded
 * alone, with only its own node_modules, the way the Functions worker loads package.json `main`.
 *
 * Slow (npm install and two TypeScript builds): it runs once, in beforeAll.
 */

const root = join(__dirname, '..', '..');
const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline'];

interface Step {
  what: string;
  status: number | null;
  output: string;
}

interface Registered {
  name: string;
  bindings: Record<string, Record<string, unknown> & { type: string; direction: string }>;
}

/** Every function the package must register, with its trigger. One more function: one more line. */
const EXPECTED: Record<string, Record<string, unknown>> = {
  checkApnsExpiry: { type: 'timerTrigger', schedule: '%APNS_CHECK_SCHEDULE%' },
  checkTenantFromQueue: { type: 'queueTrigger', queueName: 'apns-tenant-checks' },
  handleTenantCheckPoison: { type: 'queueTrigger', queueName: 'apns-tenant-checks-poison' },
  renewApnsCertificate: { type: 'httpTrigger', route: 'apns/renew', methods: ['POST'], authLevel: 'function' },
  getApnsCsr: { type: 'httpTrigger', route: 'apns/csr', methods: ['GET'], authLevel: 'function' },
  getApnsStatus: { type: 'httpTrigger', route: 'apns/status', methods: ['GET'], authLevel: 'function' },
  getApnsCalendar: { type: 'httpTrigger', route: 'apns/calendar.ics', methods: ['GET'], authLevel: 'function' },
  getApnsDashboard: { type: 'httpTrigger', route: 'apns/dashboard', methods: ['GET'], authLevel: 'anonymous' },
  getApnsDashboardCsr: { type: 'httpTrigger', route: 'apns/dashboard/csr', methods: ['GET'], authLevel: 'anonymous' },
  renewFromApnsDashboard: { type: 'httpTrigger', route: 'apns/dashboard/renew', methods: ['POST'], authLevel: 'anonymous' },
  acknowledgeApnsAlert: { type: 'httpTrigger', route: 'apns/dashboard/ack', methods: ['POST'], authLevel: 'anonymous' },
  unacknowledgeApnsAlert: { type: 'httpTrigger', route: 'apns/dashboard/unack', methods: ['POST'], authLevel: 'anonymous' },
  approveRenewalProposal: { type: 'httpTrigger', route: 'apns/dashboard/renewals/approve', methods: ['POST'], authLevel: 'anonymous' },
  rejectRenewalProposal: { type: 'httpTrigger', route: 'apns/dashboard/renewals/reject', methods: ['POST'], authLevel: 'anonymous' },
  proposeRenewalFromDashboard: { type: 'httpTrigger', route: 'apns/dashboard/renewals/propose', methods: ['POST'], authLevel: 'anonymous' },
  keyVaultSecretVersionCreated: { type: 'eventGridTrigger' },
};

let work: string;
let project: string;
let unzipped: string;
const steps: Step[] = [];
let zipped: string[] = [];
let registered: Registered[] = [];
let loadError = '';

/** The environment of a person's shell: no node_modules/.bin on PATH (npx put this repository's there). */
const cleanEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !resolve(entry).startsWith(root) && !/[\\/]node_modules[\\/]\.bin$/.test(entry))
    .join(delimiter),
};

function run(what: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  steps.push({ what, status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.slice(-4000) });
  return result;
}

/** The repository as a clone has it: tracked and new files, nothing .gitignore leaves out. */
function cleanCopy(to: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of listed) {
    if (!existsSync(join(root, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(root, file), join(to, file));
  }
}

/** The files azd's zip would hold: the folder minus .azure, local.settings.json, the ignore file and what it ignores. */
function packageFiles(folder: string): string[] {
  const ignoreFile = '.funcignore';
  const ignored = existsSync(join(folder, ignoreFile)) ? ignoreMatcher(readFileSync(join(folder, ignoreFile), 'utf8')) : () => false;
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(folder, path).split(sep).join('/');
      const isDir = entry.isDirectory();
      if (isDir && entry.name === '.azure') continue;
      if (!isDir && (entry.name === ignoreFile || entry.name === 'local.settings.json')) continue;
      if (ignored(rel, isDir)) continue;
      if (isDir) walk(path);
      else out.push(rel);
    }
  };
  walk(folder);
  return out.sort();
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'apns-azd-package-'));
  project = join(work, 'clone');
  unzipped = join(work, 'wwwroot');
  cleanCopy(project);
  type Hook = { run?: string; posix?: { run?: string } };
  const azureYaml = parse(readFileSync(join(project, 'azure.yaml'), 'utf8')) as { services: Record<string, { project: string; dist?: string; hooks?: Record<string, Hook> }> };
  const service = azureYaml.services.api;
  if (!service) throw new Error('azure.yaml has no service "api"');
  const servicePath = join(project, service.project);

  // 1. Restore (the Node framework service's Restore: node_modules is missing in a clean clone).
  if (run('npm install (azd restore)', 'npm', NPM_INSTALL, servicePath).status !== 0) return;
  // 2. prepackage, as azure.yaml states it (posix), run the way azd runs an inline sh hook.
  // On Linux and macOS azd runs a hook's posix: variant when it has one, else the hook itself.
  const prepackage = service.hooks?.prepackage;
  const hook = prepackage?.posix?.run ?? prepackage?.run;
  if (hook) {
    const script = join(work, 'prepackage.sh');
    writeFileSync(script, `#!/bin/sh\nset -e\n\n# Auto generated file from Azure Developer CLI\n${hook}\n`);
    chmodSync(script, 0o755);
    if (run(`prepackage hook: ${hook}`, script, [], servicePath).status !== 0) return;
  }
  // 3. azd's own build before zipping.
  if (run('npm run build --if-present (azd package)', 'npm', ['run', 'build', '--if-present'], servicePath).status !== 0) return;
  // 4. The folder azd zips, minus .funcignore; "unzipped" where the platform runs it.
  const packagePath = service.dist ? join(servicePath, service.dist) : servicePath;
  zipped = packageFiles(packagePath);
  for (const file of zipped) {
    mkdirSync(dirname(join(unzipped, file)), { recursive: true });
    copyFileSync(join(packagePath, file), join(unzipped, file));
  }
  // 5. The worker loads package.json `main` from the package alone (no other node_modules above it).
  const main = (JSON.parse(readFileSync(join(unzipped, 'package.json'), 'utf8')) as { main: string }).main;
  const loaded = spawnSync(process.execPath, ['--require', join(__dirname, '..', 'support', 'functionsWorkerStub.js'), '-e', `require(${JSON.stringify(join(unzipped, main))})`], {
    cwd: unzipped,
    encoding: 'utf8',
    env: { PATH: cleanEnv.PATH, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  loadError = loaded.status === 0 ? '' : `${loaded.stderr}`.slice(-3000);
  registered = loaded.status === 0 ? (JSON.parse(loaded.stdout.trim().split('\n').pop() ?? '[]') as Registered[]) : [];
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('azd deploy, replayed on a clean clone (restore, prepackage as azure.yaml states it, npm run build, the folder minus .funcignore)', () => {
  test('when azd’s package sequence runs, every step succeeds (no `tsc: not found` after the hook)', () => {
    expect(steps.map((s) => [s.what, s.status, s.status === 0 ? '' : s.output])).toEqual(steps.map((s) => [s.what, 0, '']));
    expect(steps.map((s) => s.what)).toEqual(['npm install (azd restore)', expect.stringMatching(/^prepackage hook: /), 'npm run build --if-present (azd package)']);
  });

  test('when the package is collected, it holds the compiled entry point, host.json and production dependencies — no sources, tests or dev tools', () => {
    expect(zipped).toEqual(expect.arrayContaining(['package.json', 'host.json', 'dist/functions/index.js', 'node_modules/@azure/functions/package.json']));
    const top = new Set(zipped.map((f) => f.split('/')[0]));
    for (const absent of ['functions', 'shared', 'test', 'infra', 'scripts', 'bench', 'azure.yaml', 'tsconfig.json']) expect(top.has(absent)).toBe(false);
    const packages = new Set(zipped.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/').slice(1, f.split('/')[1]?.startsWith('@') ? 3 : 2).join('/')));
    for (const dev of ['typescript', 'jest', 'eslint', 'azurite', 'puppeteer-core', '@sparticuz/chromium', 'ts-jest', 'node']) expect([dev, packages.has(dev)]).toEqual([dev, false]);
    for (const dependency of Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies)) {
      expect([dependency, packages.has(dependency)]).toEqual([dependency, true]);
    }
  });

  test('when the packaged entry point is loaded with production dependencies only, every function registers with its trigger', () => {
    expect(loadError).toBe('');
    const triggers = Object.fromEntries(registered.map((r) => [r.name, Object.values(r.bindings).find((b) => /trigger$/i.test(b.type))]));
    expect(Object.keys(triggers).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [name, trigger] of Object.entries(EXPECTED)) expect([name, triggers[name]]).toEqual([name, expect.objectContaining(trigger)]);
  });

  test('when azure.yaml is read, every hook has a windows: and a posix: variant running the same Node script', () => {
    const azureYaml = parse(readFileSync(join(root, 'azure.yaml'), 'utf8')) as { hooks?: Record<string, unknown>; services: Record<string, { hooks?: Record<string, unknown> }> };
    const hooks = [...Object.entries(azureYaml.hooks ?? {}), ...Object.values(azureYaml.services).flatMap((s) => Object.entries(s.hooks ?? {}))] as [string, { windows?: { run: string; shell: string }; posix?: { run: string; shell: string } }][];
    expect(hooks.map(([name]) => name).sort()).toEqual(['postdeploy', 'postprovision', 'prepackage']);
    for (const [name, hook] of hooks) {
      expect([name, hook.windows?.shell, hook.posix?.shell]).toEqual([name, 'pwsh', 'sh']);
      expect(hook.windows?.run).toBe(hook.posix?.run);
      expect(hook.posix?.run).toMatch(/^node scripts\/\w+\.js$/);
    }
  });
});
