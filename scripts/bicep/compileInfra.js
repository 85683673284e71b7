'use strict';
/**
 * Compiles infra/ with the real Bicep compiler, offline: the Microsoft Graph extension is replaced,
 * for the check only, by a local extension package built from scripts/bicep/graphExtensionTypes.js
 * (`bicep publish-extension`), through a copy of infra/bicepconfig.json passed with `--config`; the
 * committed bicepconfig.json keeps the MCR reference `azd up` restores.
 *
 * Used by `npm run infra:check` (build + lint, any diagnostic fails) and by the tests of test/infra
 * (the compiled template and `bicep snapshot` per mode). Every output is cached under
 * node_modules/.cache/infra-check by the hash of its inputs, so a second run costs nothing.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join, relative, sep } = require('node:path');
const { buildTypes } = require('./graphExtensionTypes');
const { findBicep, writeAtomically } = require('./findBicep');

const ROOT = join(__dirname, '..', '..');
/** Subscription, tenant and region of the snapshots: placeholders, no Azure is reached. */
const SNAPSHOT_SCOPE = {
  subscriptionId: '00000000-0000-0000-0000-0000000000a1',
  tenantId: '00000000-0000-0000-0000-0000000000b2',
  location: 'swedencentral',
};

class BicepMissing extends Error {}

const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : JSON.stringify(p)).update('\0');
  return h.digest('hex').slice(0, 20);
};

/** Every file of infra/ (Bicep and JSON), relative paths with '/', sorted. */
function infraFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(bicep|bicepparam|json)$/.test(entry.name)) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(join(root, 'infra'));
  return out.sort();
}

/**
 * The Bicep CLI, the local Graph extension and the check-time config, made once per process.
 * @returns {{ bicep: { path: string, version: string, source: string }, configPath: string, cacheRoot: string, inputsKey: string }}
 */
let toolchainMemo;
function toolchain({ root = ROOT, env = process.env, log = () => undefined } = {}) {
  if (toolchainMemo && toolchainMemo.root === root) return toolchainMemo;
  const bicep = findBicep({ env, log });
  if (!bicep) throw new BicepMissing();
  const cacheRoot = join(root, 'node_modules', '.cache', 'infra-check');
  const { index, types } = buildTypes();
  const committedConfig = readFileSync(join(root, 'infra', 'bicepconfig.json'), 'utf8');
  const dir = join(cacheRoot, `toolchain-${sha(bicep.version, index, types, committedConfig)}`);
  const tgz = join(dir, 'microsoftgraph-v1.0.tgz');
  const configPath = join(dir, 'bicepconfig.json');
  if (!existsSync(configPath)) {
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(join(dir, 'publish-'));
    try {
      writeFileSync(join(work, 'index.json'), JSON.stringify(index, null, 2));
      writeFileSync(join(work, 'types.json'), JSON.stringify(types, null, 2));
      const published = run(bicep, ['publish-extension', join(work, 'index.json'), '--target', join(work, 'extension.tgz'), '--force'], root);
      if (published.status !== 0) throw new Error(`bicep publish-extension failed:\n${published.stderr}`);
      renameSync(join(work, 'extension.tgz'), tgz);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const config = JSON.parse(committedConfig);
    config.extensions = { ...config.extensions, microsoftGraphV1: tgz };
    writeAtomically(configPath, JSON.stringify(config, null, 2));
  }
  const files = infraFiles(root);
  const inputsKey = sha(bicep.version, configPath, ...files.flatMap((f) => [f, readFileSync(join(root, f), 'utf8')]));
  toolchainMemo = { root, bicep, configPath, cacheRoot, inputsKey, files };
  return toolchainMemo;
}

function run(bicep, args, cwd) {
  const result = spawnSync(bicep.path, args, {
    cwd,
    encoding: 'utf8',
    windowsHide: true,
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    // No telemetry from a check; no prompt.
    env: { ...process.env, BICEP_TELEMETRY_DISABLED: 'true' },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\) : (Error|Warning|Info) ([\w-]+): (.*?)(?: \[(https:[^\]]+)\])?$/;

/** Bicep's diagnostics, de-duplicated, as `file:line:column: Level code: message` relative to the repo. */
function diagnosticsOf(text, root) {
  const seen = new Set();
  const out = [];
  for (const line of text.split(/\r?\n/)) {
    const m = DIAGNOSTIC.exec(line.trim());
    if (!m) continue;
    const [, file, lineNo, column, level, code, message] = m;
    const shown = `${relative(root, file).split(sep).join('/')}:${lineNo}:${column}: ${level} ${code}: ${message}`;
    if (seen.has(shown)) continue;
    seen.add(shown);
    out.push({ file: relative(root, file).split(sep).join('/'), line: Number(lineNo), column: Number(column), level, code, message, text: shown });
  }
  return out;
}

/** Lines bicep wrote that are not diagnostics of a file (a crash, a restore failure): reported as they are. */
function otherOutput(text) {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !DIAGNOSTIC.test(l) && !/^WARNING: The '.*' CLI command group is an experimental feature/.test(l));
}

/**
 * Builds main.bicep (the deployed template) and builds and lints every .bicep file on its own.
 * @returns {{ diagnostics: object[], failures: string[], templatePath: string, files: string[] }}
 */
function checkInfra(options = {}) {
  const root = options.root ?? ROOT;
  const tc = toolchain({ ...options, root });
  const outDir = join(tc.cacheRoot, `build-${tc.inputsKey}`);
  const templatePath = join(outDir, 'main.json');
  const resultPath = join(outDir, 'check.json');
  const summary = (r) => ({ ...r, templatePath, files: tc.files.filter((f) => f.endsWith('.bicep')), bicep: tc.bicep });
  // Same inputs, same compiler: the same result (a clean check is not repeated by `npm test`).
  if (existsSync(resultPath)) return summary(JSON.parse(readFileSync(resultPath, 'utf8')));
  const work = mkdtempSync(join(tc.cacheRoot, 'build-work-'));
  try {
    const config = ['--config', tc.configPath];
    const steps = [
      run(tc.bicep, ['build', join('infra', 'main.bicep'), '--outfile', join(work, 'main.json'), ...config], root),
      run(tc.bicep, ['build', '--pattern', 'infra/**/*.bicep', '--outdir', join(work, 'each'), ...config], root),
      run(tc.bicep, ['lint', '--pattern', 'infra/**/*.bicep', ...config], root),
    ];
    const text = steps.map((s) => s.stdout + s.stderr).join('\n');
    const diagnostics = diagnosticsOf(steps.map((s) => s.stderr).join('\n'), root);
    const failures = steps.some((s) => s.status !== 0) && diagnostics.length === 0 ? otherOutput(text) : [];
    mkdirSync(outDir, { recursive: true });
    if (steps[0].status === 0) writeAtomically(templatePath, readFileSync(join(work, 'main.json'), 'utf8'));
    writeAtomically(resultPath, JSON.stringify({ diagnostics, failures }));
    return summary({ diagnostics, failures });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The compiled main.bicep (ARM JSON), from the cache when the inputs did not change. */
function compiledTemplate(options = {}) {
  const root = options.root ?? ROOT;
  const tc = toolchain({ ...options, root });
  const templatePath = join(tc.cacheRoot, `build-${tc.inputsKey}`, 'main.json');
  if (!existsSync(templatePath)) {
    const result = checkInfra({ ...options, root });
    if (!existsSync(templatePath)) throw new Error(`infra/main.bicep did not compile:\n${result.diagnostics.map((d) => d.text).concat(result.failures).join('\n')}`);
  }
  return JSON.parse(readFileSync(templatePath, 'utf8'));
}

/** A .bicepparam value: strings quoted for Bicep, the rest as JSON. */
function bicepValue(value) {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return JSON.stringify(value);
}

/**
 * `bicep snapshot` of infra/main.bicep with these parameters: the deployment evaluated locally into
 * the list of resources it would create (conditions, loops and names resolved; runtime values such
 * as a created principal's id stay ARM expressions) and its outputs.
 * @param {Record<string, string>} params
 */
function snapshotOf(params, options = {}) {
  const root = options.root ?? ROOT;
  const tc = toolchain({ ...options, root });
  const key = sha(tc.inputsKey, params, SNAPSHOT_SCOPE);
  const target = join(tc.cacheRoot, 'snapshots', `${key}.json`);
  if (existsSync(target)) return JSON.parse(readFileSync(target, 'utf8'));
  mkdirSync(join(tc.cacheRoot, 'snapshots'), { recursive: true });
  // The parameter file must name main.bicep by a relative path: it is written inside the repository.
  const work = mkdtempSync(join(tc.cacheRoot, 'snapshot-work-'));
  try {
    const using = relative(work, join(root, 'infra', 'main.bicep')).split(sep).join('/');
    const lines = [`using '${using}'`, ...Object.entries(params).map(([name, value]) => `param ${name} = ${bicepValue(value)}`), ''];
    const file = join(work, 'mode.bicepparam');
    writeFileSync(file, lines.join('\n'));
    const result = run(
      tc.bicep,
      ['snapshot', file, '--subscription-id', SNAPSHOT_SCOPE.subscriptionId, '--tenant-id', SNAPSHOT_SCOPE.tenantId, '--location', SNAPSHOT_SCOPE.location, '--config', tc.configPath],
      root,
    );
    const output = join(work, 'mode.snapshot.json');
    if (result.status !== 0 || !existsSync(output)) {
      throw new Error(`bicep snapshot failed:\n${[...diagnosticsOf(result.stderr, root).map((d) => d.text), ...otherOutput(result.stdout + result.stderr)].join('\n')}`);
    }
    writeAtomically(target, readFileSync(output, 'utf8'));
    return JSON.parse(readFileSync(target, 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { checkInfra, compiledTemplate, snapshotOf, diagnosticsOf, toolchain, BicepMissing, SNAPSHOT_SCOPE };
