#!/usr/bin/env node
'use strict';
// Regenerates the README settings table and local.settings.example.json from the config schema
// (shared/config/settings.ts). Run after changing a setting: npm run settings:sync
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const docs = require('../dist/shared/config/settingsDocs.js');

const root = join(__dirname, '..');
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(docs.README_START);
const end = readme.indexOf(docs.README_END);
if (start < 0 || end < 0) throw new Error('README.md has no settings markers');
writeFileSync(readmePath, readme.slice(0, start) + docs.settingsTableMarkdown() + readme.slice(end + docs.README_END.length));
writeFileSync(join(root, 'local.settings.example.json'), JSON.stringify(docs.localSettingsExample(), null, 2) + '\n');
writeFileSync(join(root, 'infra', 'main.parameters.json'), JSON.stringify(docs.infraParameters(), null, 2) + '\n');
process.stdout.write('README.md settings table, local.settings.example.json and infra/main.parameters.json updated.\n');
