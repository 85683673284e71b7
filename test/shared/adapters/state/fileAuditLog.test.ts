import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileAuditLog } from '../../../../shared/adapters/state/fileAuditLog';
import type { AuditEntry } from '../../../../shared/ports/auditLog';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apns-audit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (tenantId: string, n: number): AuditEntry => ({
  id: `${tenantId}-${n}`,
  at: 1_800_000_000_000 + n,
  tenantId,
  // Multi-byte characters, so lines straddle the read chunks in the middle of a character too.
  actor: `Zoë Ångström ${'é'.repeat(n % 7)}`,
  via: 'cli',
  secretName: `apns-certificate-${tenantId}`,
  secretVersion: null,
  dryRun: true,
  allowNewTopic: false,
  outcome: 'valid',
  message: `Dry run ${n}: every check passed.`,
  old: null,
  new: null,
  correlationId: `c-${n}`,
});

describe('fileAuditLog', () => {
  test('when nothing was recorded, the latest entries are none', async () => {
    const audit = createFileAuditLog(join(dir, 's.json'));
    await expect(audit.latest('a', 20)).resolves.toEqual([]);
    await expect(audit.latestByTenant(20)).resolves.toEqual(new Map());
  });

  test('when the trail spans many read chunks, a tenant gets its newest entries first, and every tenant its own from one read', async () => {
    const state = join(dir, 's.json');
    const audit = createFileAuditLog(state);
    const tenants = ['a', 'b', 'c'];
    for (let n = 0; n < 900; n++) await audit.record(entry(tenants[n % 3] as string, n));
    expect(statSync(`${state}.audit.jsonl`).size).toBeGreaterThan(3 * 64 * 1024);
    const all = readFileSync(`${state}.audit.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    const newest = (t: string, count: number) => all.filter((e) => e.tenantId === t).reverse().slice(0, count);
    await expect(audit.latest('b', 5)).resolves.toEqual(newest('b', 5));
    await expect(audit.latest('a', 1000)).resolves.toEqual(newest('a', 1000));
    const byTenant = await audit.latestByTenant(20);
    expect([...byTenant.keys()].sort()).toEqual(tenants);
    for (const t of tenants) expect(byTenant.get(t)).toEqual(newest(t, 20));
  });

  test('when a line of the trail is not JSON, reading it is state_unreadable and the file is left as it is', async () => {
    const state = join(dir, 's.json');
    const audit = createFileAuditLog(state);
    await audit.record(entry('a', 1));
    appendFileSync(`${state}.audit.jsonl`, 'not json\n');
    await audit.record(entry('a', 2));
    const before = readFileSync(`${state}.audit.jsonl`, 'utf8');
    await expect(audit.latestByTenant(20)).rejects.toMatchObject({ code: 'state_unreadable' });
    await expect(audit.latest('a', 1)).resolves.toHaveLength(1); // read from the end: the newest comes before the bad line
    await expect(audit.latest('a', 2)).rejects.toMatchObject({ code: 'state_unreadable' });
    expect(readFileSync(`${state}.audit.jsonl`, 'utf8')).toBe(before);
  });
});
