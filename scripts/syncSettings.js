#!/usr/bin/env node
'use strict';
// Regenerates the README settings table, local.settings.example.json and infra/main.parameters.json
// from the config schema (shared/config/settings.ts). Run after changing a setting: npm run settings:sync
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const docs = require('../dist/shared/config/settingsDocs.js');

const root = join(__dirname, '..');

/** Writes only when the content differs, and says which. */
function sync(relative, next) {
  const path = join(root, relative);
  let current;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === next) return `${relative}: unchanged`;
  writeFileSync(path, next);
  return `${relative}: updated`;
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf(docs.README_START);
const end = readme.indexOf(docs.README_END);
if (start < 0 || end < 0) throw new Error('README.md has no settings markers');
const results = [
  sync('README.md', readme.slice(0, start) + docs.settingsTableMarkdown() + readme.slice(end + docs.README_END.length)),
  sync('local.settings.example.json', JSON.stringify(docs.localSettingsExample(), null, 2) + '\n'),
  sync(join('infra', 'main.parameters.json'), JSON.stringify(docs.infraParameters(), null, 2) + '\n'),
];
process.stdout.write(`${results.join('\n')}\n`);
