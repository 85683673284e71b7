#!/usr/bin/env node
'use strict';
/**
 * azure.yaml's prepackage hook: builds the app and makes the deployment package in its own folder,
 * `.deploy/` (azure.yaml `dist`): the compiled code, host.json, package.json and package-lock.json, and
 * the production dependencies alone (`npm ci --omit=dev`). azd zips that folder (minus its .funcignore).
 *
 * Why a folder of its own: after this hook azd runs `npm run build --if-present` in the project itself
 * (azure-dev: the Node framework service's Package step). The former hook pruned the dev dependencies
 * in the project before that build, so TypeScript was gone and `azd deploy` failed with
 * `sh: 1: tsc: not found`. Here the project keeps every dependency (the build after the hook works,
 * and a developer's `npm test` still does after a deployment), while the package carries only what
 * runs in Azure.
 */
const { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stage = join(root, '.deploy');

function npm(args, cwd) {
  const result = spawnSync('npm', args, { cwd, stdio: 'inherit', shell: process.platform === 'win32', windowsHide: true });
  if (result.error || result.status !== 0) {
    process.stderr.write(`prepackage: \`npm ${args.join(' ')}\` failed${result.error ? ` (${result.error.message})` : ` with exit code ${result.status}`}.\n`);
    process.exit(result.status || 1);
  }
}

// The project's own dependencies are there (azd restores them before this hook); a clean clone gets them here.
if (!existsSync(join(root, 'node_modules', 'typescript'))) npm(['ci', '--no-audit', '--no-fund'], root);
npm(['run', 'build'], root);

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage);
for (const entry of ['dist', 'host.json', 'package.json', 'package-lock.json']) {
  cpSync(join(root, entry), join(stage, entry), { recursive: true });
}
// The package's own ignore file: azd reads it from the folder it zips. Without one it would leave
// node_modules out (its default for TypeScript), and the app would start without its dependencies.
writeFileSync(join(stage, '.funcignore'), '# Made by scripts/stagePackage.js: everything in this folder is deployed.\n');
// Production dependencies only, exactly as locked; from npm's cache when the project was just installed.
// No install scripts: no production dependency needs one (package.json allowScripts).
npm(['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], stage);
process.stdout.write(`prepackage: the deployment package is ready in ${stage}\n`);
