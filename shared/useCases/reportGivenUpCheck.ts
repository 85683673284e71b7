import type { EpochMs, MonitoredKind } from '../domain/assets';
import { uniformSnapshot, type TenantSnapshot } from '../domain/snapshot';
import { AppError } from '../domain/errors';
import { formatUtc } from '../domain/graphDateTime';
import type { IntuneGateway } from '../ports/intuneGateway';
import { checkExpiry, type CheckDeps, type CheckOptions, type CheckReport } from './checkExpiry';

/**
 * A fleet tenant whose check kept failing (its queue message reached the poison queue) must not
 * vanish: its `monitor` asset turns critical saying so, through the same policy, state and channels
 * as any run — so it is de-duplicated, reminded and resolved by the next good check like any other.
 * Unless a check of that tenant succeeded after the message was enqueued (`enqueuedAt`): then the
 * message is stale (a later run got through) or forged, and paging would be a false alarm — null.
 */
export async function reportGivenUpCheck(deps: CheckDeps, options: CheckOptions, enqueuedAt: EpochMs): Promise<CheckReport | null> {
  const lastSuccessAt = await lastSuccessOf(deps, options.tenantId);
  if (lastSuccessAt !== undefined && lastSuccessAt >= enqueuedAt) {
    deps.logger.info(`A given-up check of tenant ${options.tenantId} enqueued ${formatUtc(enqueuedAt)} is older than its last successful check (${formatUtc(lastSuccessAt)}): nothing to report.`, { tenantId: options.tenantId });
    return null;
  }
  const error = new AppError(
    'check_given_up',
    'The check of this tenant failed on every try and was given up (poison queue apns-tenant-checks-poison); its expiries are not being watched.',
    { hint: 'Look for checkTenantFromQueue failures of this tenant in Application Insights; the next scheduled run tries again.' },
  );
  return checkExpiry({ ...deps, gateway: givenUp(error) }, options);
}

/** The tenant's last successful check, or undefined — also when the state cannot be read: then the run reports (at-least-once). */
async function lastSuccessOf(deps: CheckDeps, tenantId: string): Promise<EpochMs | undefined> {
  try {
    return (await deps.store.load(tenantId)).state.lastSuccessAt;
  } catch {
    // checkExpiry meets the same failure and reports it as the state's own monitor alert.
    return undefined;
  }
}

/** Reads nothing: every kind "failed" with the reason the check was given up. */
function givenUp(error: AppError): IntuneGateway {
  const refuse = async (): Promise<never> => {
    throw error;
  };
  return {
    async readTenant(kinds: readonly MonitoredKind[]): Promise<TenantSnapshot> {
      return uniformSnapshot('', 0, (kind) => (kinds.includes(kind) ? { status: 'failed', error } : { status: 'skipped' }));
    },
    getApnsCertificate: refuse,
    uploadApnsCertificate: refuse,
    downloadCsr: refuse,
  };
}
