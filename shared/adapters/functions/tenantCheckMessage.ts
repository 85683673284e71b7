import { findTenant, type AppConfig, type TenantRef } from '../../config/loadConfig';
import type { Logger } from '../../ports/logger';
import type { TenantCheckMessage } from '../../ports/tenantCheckQueue';

/**
 * The tenant a queue message names (the host has parsed its JSON), or undefined — logged — when it
 * is not one this deployment watches: such a message is dropped, not retried.
 */
export function tenantOfMessage(message: unknown, config: AppConfig, logger: Logger): TenantRef | undefined {
  const tenantId = (message as Partial<TenantCheckMessage> | null)?.tenantId;
  if (typeof tenantId !== 'string') {
    logger.error('A tenant-check message without a tenantId was dropped (not a message this app enqueued).');
    return undefined;
  }
  const tenant = findTenant(config, tenantId);
  // Removed from APNS_TENANTS since it was enqueued: nothing to check, and nothing to retry.
  if (!tenant) logger.warn(`Tenant ${tenantId.slice(0, 64)} is no longer in APNS_TENANTS; its queued check was dropped.`);
  return tenant;
}
