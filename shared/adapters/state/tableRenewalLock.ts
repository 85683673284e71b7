import { odata, RestError } from '@azure/data-tables';
import { AppError } from '../../domain/errors';
import { formatUtc } from '../../domain/graphDateTime';
import type { AuditLog, AuditRecord } from '../../ports/auditLog';
import type { RenewalLock } from '../../ports/renewalLock';
import { createTableClient, describeTable, isNotFound, storageError, tableCreator, type TableStoreOptions } from './tableStateStore';

/** The renewal lock: one entity (RowKey "lock:renewal") created if absent, taken over by ETag once stale. */
export function createTableRenewalLock(options: TableStoreOptions, now: () => number = Date.now): RenewalLock {
  const client = createTableClient(options);
  const where = describeTable(options);
  const ensureTable = tableCreator(client, where);
  const ROW = 'lock:renewal';
  return {
    async acquire(tenantId, owner, ttlMs) {
      await ensureTable();
      const entity = { partitionKey: tenantId, rowKey: ROW, owner, expiresAt: now() + ttlMs, since: new Date(now()).toISOString() };
      let etag: string | undefined;
      try {
        etag = (await client.createEntity(entity)).etag;
      } catch (error) {
        if (!(error instanceof RestError && error.statusCode === 409)) throw storageError(error, where, 'take the renewal lock');
        const held = await client.getEntity<{ owner: string; expiresAt: number; since: string }>(tenantId, ROW).catch((e: unknown) => {
          throw storageError(e, where, 'read the renewal lock');
        });
        if (Number(held.expiresAt) > now()) {
          const until = formatUtc(Number(held.expiresAt));
          throw new AppError('renewal_in_progress', `Another renewal is running or its upload may still reach Intune (since ${held.since}, lock held until ${until}); nothing was uploaded. Try again after that time.`);
        }
        try {
          etag = (await client.updateEntity(entity, 'Replace', { etag: held.etag })).etag; // a stale lock from a crashed run
        } catch (e) {
          if (e instanceof RestError && e.statusCode === 412) throw new AppError('renewal_in_progress', 'Another renewal took the lock at the same moment; nothing was uploaded.');
          throw storageError(e, where, 'take the renewal lock');
        }
      }
      return {
        async extend(ttl: number) {
          // The fence: conditional on the ETag this renewal got, so a lock taken over by another
          // renewal (after this one outlived its lease) is never extended, and nothing is uploaded.
          const expiresAt = now() + ttl;
          try {
            etag = (await client.updateEntity({ ...entity, expiresAt }, 'Replace', { etag })).etag;
            return expiresAt;
          } catch (e) {
            if (e instanceof RestError && (e.statusCode === 412 || e.statusCode === 404)) {
              throw new AppError('renewal_in_progress', 'This renewal outlived its lock and another renewal took it over; nothing was uploaded by this one.');
            }
            throw storageError(e, where, 'extend the renewal lock');
          }
        },
        async release() {
          await client.deleteEntity(tenantId, ROW, { etag }).catch((e: unknown) => {
            // Already gone or taken over after expiry: nothing of ours to release.
            if (!(e instanceof RestError && (e.statusCode === 404 || e.statusCode === 412))) throw storageError(e, where, 'release the renewal lock');
          });
        },
      };
    },
  };
}

const MAX_TIME = 9_999_999_999_999; // inverted timestamps sort the newest audit entry first

/** Audit records (renewals, acknowledgements): RowKey "audit:<inverted time>:<id>", the entry as JSON plus columns for people. */
export function createTableAuditLog(options: TableStoreOptions): AuditLog {
  const client = createTableClient(options);
  const where = describeTable(options);
  const ensureTable = tableCreator(client, where);
  return {
    async record(entry: AuditRecord) {
      await ensureTable();
      const rowKey = `audit:${String(MAX_TIME - entry.at).padStart(13, '0')}:${entry.id}`;
      await client
        .createEntity({
          partitionKey: entry.tenantId,
          rowKey,
          at: new Date(entry.at).toISOString(),
          actor: entry.actor,
          outcome: entry.outcome,
          // The renewal's secret, or the acknowledged alert's key: what the entry is about, for people reading the table.
          secretName: 'secretName' in entry ? entry.secretName : '',
          secretVersion: 'secretName' in entry ? (entry.secretVersion ?? '') : '',
          ...('key' in entry ? { alertKey: entry.key } : {}),
          entry: JSON.stringify(entry),
        })
        .catch((e: unknown) => {
          throw storageError(e, where, 'write the renewal audit record');
        });
    },
    async latest(tenantId: string, count: number) {
      const byTenant = await query(odata`PartitionKey eq ${tenantId} and RowKey ge 'audit:' and RowKey lt 'audit;'`, count, true);
      return byTenant.get(tenantId) ?? [];
    },
    async latestByTenant(count: number) {
      // One query over every partition: rows come by tenant, then by RowKey, which is newest first.
      return query("RowKey ge 'audit:' and RowKey lt 'audit;'", count, false);
    },
  };

  // A read needs no table: none yet means no audit entry yet.
  async function query(filter: string, count: number, oneTenant: boolean): Promise<Map<string, AuditRecord[]>> {
    const out = new Map<string, AuditRecord[]>();
    const pages = client.listEntities<{ entry: string }>({ queryOptions: { filter, select: ['PartitionKey', 'entry'] } });
    try {
      for await (const e of pages) {
        const tenantId = e.partitionKey ?? '';
        let list = out.get(tenantId);
        if (!list) out.set(tenantId, (list = []));
        if (list.length < count) list.push(JSON.parse(e.entry) as AuditRecord);
        else if (oneTenant) break;
      }
    } catch (e) {
      if (isNotFound(e)) return out;
      throw storageError(e, where, 'read the renewal audit');
    }
    return out;
  }
}
