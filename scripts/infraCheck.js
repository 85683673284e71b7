#!/usr/bin/env node
'use strict';
// npm run infra:check — compiles and lints every Bicep file of infra/ with the real Bicep compiler
// (Graph modules included, against a local build of the Graph extension's types) and fails on any
// error or warning. Without a Bicep CLI (nor `az bicep`, nor `dotnet` to restore one from NuGet) it
// says in one line how to get one: a skip on a person's machine, a failure in CI (CI is set).
const { checkInfra, BicepMissing } = require('./bicep/compileInfra');
const { HOW_TO_GET_BICEP } = require('./bicep/findBicep');

const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
const started = Date.now();
try {
  const result = checkInfra({ log: (line) => process.stderr.write(`${line}\n`) });
  for (const d of result.diagnostics) process.stderr.write(`${d.text}\n`);
  for (const line of result.failures) process.stderr.write(`${line}\n`);
  const errors = result.diagnostics.filter((d) => d.level === 'Error').length;
  const warnings = result.diagnostics.length - errors;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary = `infra:check: ${result.files.length} Bicep files built and linted with Bicep ${result.bicep.version} (${result.bicep.source}) in ${seconds} s: ${errors} errors, ${warnings} warnings`;
  if (errors + warnings > 0 || result.failures.length > 0) {
    process.stderr.write(`${summary}.\n`);
    process.exit(1);
  }
  process.stdout.write(`${summary}.\n`);
} catch (error) {
  if (!(error instanceof BicepMissing)) throw error;
  process.stderr.write(`infra:check: ${HOW_TO_GET_BICEP}${inCi ? ' (CI: a failure, never a skip)' : ' (skipped here; CI fails without it)'}\n`);
  process.exit(inCi ? 1 : 0);
}
