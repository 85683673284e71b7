import { findTenant, type AppConfig, type TenantRef } from '../../config/loadConfig';
import type { Logger } from '../../ports/logger';
import type { TenantCheckMessage } from '../../ports/tenantCheckQueue';

/**
 * The tenant a queue message names (the host has parsed its JSON), or undefined — logged — when it
 * is not one this deployment watches: such a message is dropped, not retried. The fleet's registry is
 * read (`watched`) only for a tenant that is not in APNS_TENANTS.
 */
export async function tenantOfMessage(message: unknown, config: AppConfig, watched: () => Promise<AppConfig>, logger: Logger): Promise<TenantRef | undefined> {
  const tenantId = (message as Partial<TenantCheckMessage> | null)?.tenantId;
  if (typeof tenantId !== 'string') {
    logger.error('A tenant-check message without a tenantId was dropped (not a message this app enqueued).');
    return undefined;
  }
  const tenant = findTenant(config, tenantId) ?? (config.fleet ? findTenant(await watched(), tenantId) : undefined);
  // Removed from APNS_TENANTS or the registry since it was enqueued: nothing to check, and nothing to retry.
  if (!tenant) logger.warn(`Tenant ${tenantId.slice(0, 64)} is no longer watched (APNS_TENANTS or the registry); its queued check was dropped.`);
  return tenant;
}

/**
 * When a poison message's check was asked for: its `enqueuedAt`, never later than the instant it
 * landed in the poison queue (`insertionTime`, from the host) — a message cannot ask before it
 * existed. Undefined — logged — when it has no readable `enqueuedAt`: the timer always writes one,
 * so such a message is not one this app enqueued, and it is dropped rather than paging anyone.
 */
export function enqueuedAtOf(message: unknown, insertionTime: unknown, logger: Logger): number | undefined {
  const raw = (message as Partial<TenantCheckMessage> | null)?.enqueuedAt;
  const at = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(at)) {
    logger.error('A poison message without a readable enqueuedAt was dropped (not a message this app enqueued).');
    return undefined;
  }
  const inserted = insertionTime instanceof Date ? insertionTime.getTime() : typeof insertionTime === 'string' ? Date.parse(insertionTime) : NaN;
  return Number.isFinite(inserted) ? Math.min(at, inserted) : at;
}
