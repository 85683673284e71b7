import { uniformSnapshot, type MonitoredKind, type TenantSnapshot } from '../domain/assets';
import { AppError } from '../domain/errors';
import type { IntuneGateway } from '../ports/intuneGateway';
import { checkExpiry, type CheckDeps, type CheckOptions, type CheckReport } from './checkExpiry';

/**
 * A fleet tenant whose check kept failing (its queue message reached the poison queue) must not
 * vanish: its `monitor` asset turns critical saying so, through the same policy, state and channels
 * as any run — so it is de-duplicated, reminded and resolved by the next good check like any other.
 */
export async function reportGivenUpCheck(deps: CheckDeps, options: CheckOptions): Promise<CheckReport> {
  const error = new AppError(
    'check_given_up',
    'The check of this tenant failed on every try and was given up (poison queue apns-tenant-checks-poison); its expiries are not being watched.',
    { hint: 'Look for checkTenantFromQueue failures of this tenant in Application Insights; the next scheduled run tries again.' },
  );
  return checkExpiry({ ...deps, gateway: givenUp(error) }, options);
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
