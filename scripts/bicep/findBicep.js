'use strict';
/**
 * Finds a Bicep CLI: `bicep` on PATH, else the one the Azure CLI manages (`az bicep`), else the
 * self-contained binary of the NuGet package Azure.Bicep.CommandLine.<rid> restored with `dotnet`
 * into the user's cache (NuGet is the one package source this project's machines reach; nothing is
 * downloaded from anywhere else). Returns undefined when none of the three exists.
 */
const { existsSync, mkdirSync, writeFileSync, chmodSync, renameSync, rmSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { homedir, platform, arch } = require('node:os');
const { join } = require('node:path');

/** The version restored through NuGet: the one this repository's infra is checked with. */
const BICEP_VERSION = '0.49.2';
const EXE = platform() === 'win32' ? '.exe' : '';

/** How to get a Bicep CLI, in one line (printed when none is found). */
const HOW_TO_GET_BICEP =
  'No Bicep CLI found: install it (https://aka.ms/bicep-install), or the Azure CLI (`az bicep install`), or the .NET SDK (https://dot.net; the check then restores Azure.Bicep.CommandLine from NuGet by itself).';

/** The user's cache directory for this project (survives `npm ci`, shared by every clone). */
function cacheDir(env = process.env) {
  if (env.APNS_MONITOR_CACHE_DIR) return env.APNS_MONITOR_CACHE_DIR;
  if (platform() === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'intune-apns-monitor', 'Cache');
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Caches', 'intune-apns-monitor');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'intune-apns-monitor');
}

function runs(command, args, env) {
  const result = spawnSync(command, args, { encoding: 'utf8', env, shell: false, windowsHide: true, timeout: 120_000 });
  return result.error === undefined && result.status === 0 ? result : undefined;
}

function versionOf(output) {
  return /(\d+\.\d+\.\d+)/.exec(output ?? '')?.[1] ?? 'unknown';
}

/** The NuGet runtime identifier of this machine (the package carries one binary per platform). */
function runtimeId() {
  const os = { linux: 'linux', darwin: 'osx', win32: 'win' }[platform()];
  const cpu = { x64: 'x64', arm64: 'arm64' }[arch()];
  return os && cpu ? `${os}-${cpu}` : undefined;
}

/**
 * Restores Azure.Bicep.CommandLine.<rid> with a throw-away project (`<PackageDownload>` fetches the
 * package without referencing it) into `<cache>/nuget`, and returns the binary's path.
 */
function restoreWithDotnet(env, log) {
  const rid = runtimeId();
  if (!rid) return undefined;
  const id = `Azure.Bicep.CommandLine.${rid}`;
  const packages = join(cacheDir(env), 'nuget');
  const binary = join(packages, id.toLowerCase(), BICEP_VERSION, 'tools', `bicep${EXE}`);
  if (existsSync(binary)) return binary;
  const sdk = runs('dotnet', ['--version'], env);
  if (!sdk) return undefined;
  // The SDK's own target framework (e.g. net10.0): nothing else to download than the package itself.
  const framework = `net${versionOf(sdk.stdout).split('.').slice(0, 2).join('.')}`;
  log(`Restoring ${id} ${BICEP_VERSION} from NuGet with dotnet (once; cached in ${packages})…`);
  const project = join(cacheDir(env), `restore-${process.pid}`);
  mkdirSync(project, { recursive: true });
  try {
    writeFileSync(
      join(project, 'restore.csproj'),
      [
        '<Project Sdk="Microsoft.NET.Sdk">',
        `  <PropertyGroup><TargetFramework>${framework}</TargetFramework></PropertyGroup>`,
        `  <ItemGroup><PackageDownload Include="${id}" Version="[${BICEP_VERSION}]" /></ItemGroup>`,
        '</Project>',
        '',
      ].join('\n'),
    );
    const restored = spawnSync('dotnet', ['restore', join(project, 'restore.csproj'), '--packages', packages, '--nologo', '-v', 'quiet'], {
      encoding: 'utf8',
      env: { ...env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
      windowsHide: true,
      timeout: 300_000,
    });
    if (restored.status !== 0 || !existsSync(binary)) {
      throw new Error(`dotnet restore of ${id} ${BICEP_VERSION} failed:\n${(restored.stdout ?? '') + (restored.stderr ?? '')}`.trim());
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  // NuGet extracts without the execute bit.
  if (EXE === '') chmodSync(binary, 0o755);
  return binary;
}

/** The binary `az bicep` runs (Azure CLI installs it under its config directory). */
function azBicep(env) {
  if (!runs('az', ['bicep', 'version'], env)) return undefined;
  const binary = join(env.AZURE_CONFIG_DIR || join(homedir(), '.azure'), 'bin', `bicep${EXE}`);
  return existsSync(binary) ? binary : undefined;
}

/**
 * @returns {{ path: string, version: string, source: string } | undefined}
 */
function findBicep({ env = process.env, log = () => undefined } = {}) {
  const onPath = runs(`bicep${EXE}`, ['--version'], env);
  if (onPath) return { path: `bicep${EXE}`, version: versionOf(onPath.stdout), source: 'bicep on PATH' };
  const az = azBicep(env);
  if (az) {
    const v = runs(az, ['--version'], env);
    if (v) return { path: az, version: versionOf(v.stdout), source: 'az bicep' };
  }
  const restored = restoreWithDotnet(env, log);
  if (restored) {
    const v = runs(restored, ['--version'], env);
    if (v) return { path: restored, version: versionOf(v.stdout), source: `NuGet Azure.Bicep.CommandLine ${BICEP_VERSION} (dotnet)` };
  }
  return undefined;
}

/** Writes a file atomically (a parallel reader sees the old file or the new one, never half). */
function writeAtomically(path, content) {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

module.exports = { findBicep, cacheDir, writeAtomically, BICEP_VERSION, HOW_TO_GET_BICEP };
