import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE } from '../shared/cli/flags';
import { infraParameters } from '../shared/config/settingsDocs';
import { ERROR_CODES } from '../shared/domain/errors';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const mainBicep = readFileSync(join(root, 'infra', 'main.bicep'), 'utf8');

/** The section under a `## ` heading, up to the next one. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}`);
  const end = readme.indexOf('\n## ', start + 1);
  return start < 0 ? '' : readme.slice(start, end < 0 ? undefined : end);
}

describe('README', () => {
  test('when a newcomer opens it, the first commands are the demo and the tests', () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock.split('\n')[0]).toMatch(/^npm ci && npm run demo/);
    expect(firstBlock).toMatch(/^npm test/m);
  });

  test('when the HTTP API is documented, every error code of the product is in it', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(readme).toContain(`\`${code}\``);
  });

  test('when the first hour is read, its steps come in order: demo, laptop sign-in, file dry run, azd up, Teams', () => {
    const firstHour = section('Your first hour');
    const order = ['npm ci && npm run demo', 'npx apns-monitor login', 'npx apns-monitor check --device-code', 'npx apns-monitor renew --file renewed.pem --dry-run --device-code', 'azd up', 'Teams'];
    const positions = order.map((text) => firstHour.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('when it runs an apns-monitor command, the command and each of its flags exist in the CLI', () => {
    const usageLine = (command: string) => USAGE.split('\n').find((l) => l.trimStart().startsWith(`${command} `) || l.trim() === command) ?? '';
    const calls = [...readme.matchAll(/apns-monitor(?:\.js)? ([a-z][a-z-]*)((?: +--?[\w-]+(?: [^\s-`|#"]+)?)*)/g)];
    expect(calls.length).toBeGreaterThan(10);
    for (const [call, command, rest] of calls) {
      const line = usageLine(command ?? '');
      expect(`${call}: ${line ? 'known' : 'unknown command'}`).toBe(`${call}: known`);
      for (const flag of (rest ?? '').match(/--[\w-]+/g) ?? []) {
        if (flag === '--settings') continue; // global option
        expect(`${call}: ${line.includes(flag) ? 'known' : `unknown flag ${flag}`}`).toBe(`${call}: known`);
      }
    }
  });

  test('when it reads a value with azd env get-value, the deployment outputs that name', () => {
    const names = new Set([...readme.matchAll(/azd env get-value (\w+)/g)].map((m) => m[1]));
    expect(names.size).toBeGreaterThan(3);
    for (const name of names) expect(mainBicep).toMatch(new RegExp(`^output ${name} (string|array|object) = `, 'm'));
  });

  test('when it sets a value with azd env set, infra/main.parameters.json reads that name', () => {
    const mapped = JSON.stringify(infraParameters());
    const names = new Set([...readme.matchAll(/azd env set (\w+)/g)].map((m) => m[1]));
    expect(names.size).toBeGreaterThan(3);
    for (const name of names) expect(`${name}: ${mapped.includes(`\${${name}`) ? 'mapped' : 'not a parameter'}`).toBe(`${name}: mapped`);
  });

  test('when the status page is described, its screenshot is there', () => {
    expect(section('Status page')).toContain('](docs/dashboard.png)');
    expect(existsSync(join(root, 'docs', 'dashboard.png'))).toBe(true);
  });
});

describe('README "What is monitored"', () => {
  test('when the kinds are listed, each kind of the registry is there with its Graph call, and the permission table names the permission of each read', async () => {
    const { KIND_SPECS } = await import('../shared/domain/assetKinds');
    const monitored = section('What is monitored');
    const permissions = section('Graph permissions (least privilege)');
    for (const spec of KIND_SPECS) {
      expect(`${spec.kind}: ${monitored.includes(`| \`${spec.kind}\` |`) ? 'listed' : 'missing'}`).toBe(`${spec.kind}: listed`);
      expect(monitored).toContain(`\`GET /${spec.read.version}${spec.read.path}\``);
      const row = permissions.split('\n').find((l) => l.startsWith(`| \`${spec.read.permission}\` | application |`)) ?? '';
      expect(`${spec.kind}: ${row.includes(`\`${spec.kind}\``) ? 'named' : 'not named'} in the row of ${spec.read.permission}`).toBe(`${spec.kind}: named in the row of ${spec.read.permission}`);
    }
  });

  test('when the status page is described, the connectors screenshot is there', () => {
    expect(section('Status page')).toContain('](docs/connectors.png)');
    expect(existsSync(join(root, 'docs', 'connectors.png'))).toBe(true);
  });
});
