import { app, type InvocationContext } from '@azure/functions';
import { createProposeDeps, renewOptionsFor } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, serviceOptionsOf, watchedConfigOf, type ServicesFor } from '../shared/composition/functionServices';
import { AppError, toAppError } from '../shared/domain/errors';
import { parseKeyVaultEvent, secretVersionTarget } from '../shared/domain/keyVaultEvent';
import { KEY_VAULT_EVENT_PROPOSER } from '../shared/domain/renewalProposal';
import { proposeRenewal } from '../shared/useCases/proposeRenewal';

export type EventGridHandler = (event: unknown, context: InvocationContext) => Promise<void>;

/**
 * A Key Vault event (`Microsoft.KeyVault.SecretNewVersionCreated`, Event Grid or CloudEvents 1.0
 * schema) → a renewal proposal (SPEC §16). Only a new version of the monitor's certificate secret in
 * the configured vault counts; any other event is logged and ignored without reading anything. For
 * one that counts, the proposal is the renewal's dry run against that exact version, recorded and
 * announced; nothing is uploaded. A failure that another delivery can fix (Key Vault, Intune or the
 * state unreachable) is thrown: the host answers 500 and Event Grid delivers the event again. An
 * event that is not one (malformed) is logged and dropped: delivering it again cannot fix it.
 */
export function createKeyVaultEventHandler(deps: { services: ServicesFor }): EventGridHandler {
  return async function keyVaultSecretVersionCreated(event, context) {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      // A malformed event is dropped before anything is read for it.
      const parsed = parseKeyVaultEvent(event);
      // A fleet's watched tenants include the registry's, read for this event (no restart needed).
      const config = await watchedConfigOf(services);
      const vaultUrl = config.renewal.keyVaultUrl;
      if (!vaultUrl) throw new AppError('config_invalid', 'APNS_KEY_VAULT_URL: is required for renewal proposals (the Key Vault whose events this function receives).');
      const target = secretVersionTarget(parsed, { vaultUrl, secretName: config.renewal.secretName, fleet: config.fleet, tenants: config.tenants });
      if (!target.relevant) {
        logger.info(`Key Vault event ${parsed.eventId} ignored, nothing read: ${target.why}.`);
        return;
      }
      const proposer = KEY_VAULT_EVENT_PROPOSER;
      const proposeDeps = await createProposeDeps(
        config,
        await serviceOptionsOf(services),
        target.tenant,
      );
      const outcome = await proposeRenewal(
        proposeDeps,
        { secretName: target.secretName, secretVersion: target.version, proposedBy: proposer, person: false },
        renewOptionsFor(config, target.tenant, { actor: proposer, via: 'event', correlationId: context.invocationId }),
      );
      const p = outcome.proposal;
      logger.info(`Key Vault event ${parsed.eventId}: proposal ${p.id} for ${target.secretName} version ${target.version} is ${p.status}${outcome.created ? '' : ' (already recorded)'}.`);
    } catch (thrown) {
      const error = toAppError(thrown);
      if (error.code === 'invalid_request') {
        logger.warn(`A Key Vault event was dropped: ${error.message} (invocation ${context.invocationId})`);
        return;
      }
      if (error.code === 'internal_error') logger.error(`The Key Vault event could not be handled (invocation ${context.invocationId}): ${String((error.cause as Error)?.message ?? error.cause)}`);
      else logger.error(`The Key Vault event could not be handled; Event Grid delivers it again: ${error.describe()} (invocation ${context.invocationId})`);
      throw error;
    }
  };
}

export const keyVaultSecretVersionCreated = createKeyVaultEventHandler({ services: functionServices });

app.eventGrid('keyVaultSecretVersionCreated', {
  handler: keyVaultSecretVersionCreated,
});
