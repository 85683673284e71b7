import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The compiled CLI, as `bin/apns-monitor.js` loads it (npm test builds dist/ first).
const root = join(__dirname, '..', '..', '..');
const cliMain = join(root, 'dist', 'shared', 'cli', 'main.js');

// What `check` and `help` must never load: the demo and its simulators, node-forge (PKCS#12 and the
// simulators' certificates) and the headless browser. They used to cost ~45 ms on every command.
const FORBIDDEN = /[\\/](?:dist[\\/]shared[\\/](?:demo|simulator)|node_modules[\\/](?:node-forge|puppeteer-core))[\\/]/;

interface Probe {
  code: number;
  stdout: string;
  forbidden: string[];
}

/** Runs one CLI command in a fresh process with no settings at all, and lists what it loaded. */
function probe(argv: string[]): Probe {
  const cwd = mkdtempSync(join(tmpdir(), 'apns-cli-load-'));
  try {
    const script = `
      const { main } = require(${JSON.stringify(cliMain)});
      const out = [];
      const io = { stdout: (t) => out.push(t), stderr: () => undefined, env: {}, cwd: ${JSON.stringify(cwd)} };
      main(${JSON.stringify(argv)}, io).then((code) => {
        const forbidden = Object.keys(require.cache).filter((m) => ${FORBIDDEN.toString()}.test(m));
        process.stdout.write(JSON.stringify({ code, stdout: out.join('\\n'), forbidden }));
      });`;
    // No Azure or product setting reaches the child: `check` must stop at the configuration.
    const result = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Probe;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('what the CLI loads (dist/shared/cli/main.js in a fresh process)', () => {
  beforeAll(() => {
    if (!existsSync(cliMain)) throw new Error(`${cliMain} is missing: run "npm run build" first (npm test does).`);
  });

  test('when check runs with no settings, it fails fast on the configuration without loading the demo, the simulators, node-forge or puppeteer-core', () => {
    const { code, stdout, forbidden } = probe(['check']);
    expect(code).toBe(3);
    expect(stdout.split('\n')[0]).toMatch(/^APNS UNKNOWN - /);
    expect(forbidden).toEqual([]);
  });

  test('when help runs, it prints the usage without loading the demo, the simulators, node-forge or puppeteer-core', () => {
    const { code, stdout, forbidden } = probe(['help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: apns-monitor');
    expect(forbidden).toEqual([]);
  });

  test('when the probe loads the demo command, it does see the demo and node-forge (so the probe can fail)', () => {
    // Guards the guard: a pattern that never matches would pass the two tests above for nothing.
    const cwd = mkdtempSync(join(tmpdir(), 'apns-cli-load-'));
    try {
      const script = `
        require(${JSON.stringify(join(root, 'dist', 'shared', 'cli', 'commands', 'demoCommand.js'))});
        require(${JSON.stringify(join(root, 'dist', 'shared', 'demo', 'runDemo.js'))});
        process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((m) => ${FORBIDDEN.toString()}.test(m)).length));`;
      const result = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 });
      expect(result.status).toBe(0);
      expect(Number(result.stdout)).toBeGreaterThan(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
