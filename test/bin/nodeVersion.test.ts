import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeVersionProblem } = require('../../bin/nodeVersion.js') as { nodeVersionProblem: (v: string) => string | undefined };

const root = join(__dirname, '..', '..');
const launcher = join(root, 'bin', 'apns-monitor.js');

/** The machine's own `node` (not the project's pinned one in node_modules/.bin). */
function systemNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

describe('the launcher on an old Node.js', () => {
  test.each([
    ['20.20.2', true],
    ['v18.19.0', true],
    ['22.0.0', false],
    ['24.1.0', false],
  ])('when Node.js is %s, the refusal is %s', (version, refused) => {
    const problem = nodeVersionProblem(version);
    expect(problem !== undefined).toBe(refused);
    if (problem) expect(problem).toMatch(/^apns-monitor needs Node\.js 22 or later \(this is Node\.js [\d.]+\): run it with the project's own Node\.js as "npx apns-monitor <command>"/);
  });

  test.each(['demo', 'check'])("when `node bin/apns-monitor.js %s` runs on the machine's own Node.js 20, it says in one line that 22 is needed, and how", (command) => {
    const node = systemNode();
    expect(node).toBeDefined();
    const version = spawnSync(node as string, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    const result = spawnSync(node as string, [launcher, command], { encoding: 'utf8', cwd: root, env: { PATH: process.env.PATH } });
    if (Number(version.split('.')[0]) >= 22) {
      // This machine has no older Node.js: the guard must then stay out of the way.
      expect(result.stdout + result.stderr).not.toContain('needs Node.js 22');
      return;
    }
    expect(result.status).toBe(3);
    const text = command === 'check' ? result.stdout : result.stderr;
    expect(text.trim().split('\n')).toEqual([expect.stringContaining(`needs Node.js 22 or later (this is Node.js ${version})`)]);
    if (command === 'check') expect(result.stdout).toMatch(/^APNS UNKNOWN - /);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|unexpected error/i);
  });
});
