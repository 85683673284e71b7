import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const main = join(root, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main as string);

describe('the deployed entry point (package.json "main")', () => {
  test('when a fresh process loads it, every function registers and no SDK that only some paths need is loaded', () => {
    const probe = `require(${JSON.stringify(main)});
      const loaded = Object.keys(require.cache);
      const heavy = ['applicationinsights', '@azure/keyvault-secrets', '@azure/identity', '@azure/data-tables', '@azure/storage-queue', '@microsoft/microsoft-graph-client', 'node-forge', 'puppeteer-core'];
      process.stdout.write(JSON.stringify(heavy.filter((m) => loaded.some((p) => p.includes('/node_modules/' + m + '/')))));`;
    const result = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const registered = [...result.stderr.matchAll(/Skipping call to register function "([^"]+)" because the "@azure\/functions" package is in test mode/g)].map((m) => m[1]);
    expect(registered.sort()).toEqual([
      'acknowledgeApnsAlert',
      'approveRenewalProposal',
      'checkApnsExpiry',
      'checkTenantFromQueue',
      'getApnsCalendar',
      'getApnsCsr',
      'getApnsDashboard',
      'getApnsDashboardCsr',
      'getApnsStatus',
      'handleTenantCheckPoison',
      'keyVaultSecretVersionCreated',
      'proposeRenewalFromDashboard',
      'rejectRenewalProposal',
      'renewApnsCertificate',
      'renewFromApnsDashboard',
      'unacknowledgeApnsAlert',
    ]);
    // Loaded on first use instead (cold start: SPEC §8).
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});
