import { randomUUID } from 'node:crypto';
import { createRedactor } from '../../adapters/logging/redact';
import { escapeLogText } from '../../adapters/notifiers/plainText';
import { createAcknowledgeDeps, secretsOf } from '../../composition/createServices';
import { createHomeCredential } from '../../composition/tenantAccess';
import { describeAcknowledgement } from '../../domain/acknowledgement';
import { AppError } from '../../domain/errors';
import { acknowledgeAlert, unacknowledgeAlert, type AcknowledgeDeps } from '../../useCases/acknowledgeAlert';
import { parseFlags, parseInstant, type CliContext } from '../flags';
import { osActor } from '../osActor';
import { resolveStateFile } from '../stateFile';

const ACK_USAGE = 'Usage: apns-monitor ack KEY --until DATE --reason TEXT [--state-file PATH] (the key as "check --json" shows it: assets[].key).';
const UNACK_USAGE = 'Usage: apns-monitor unack KEY [--state-file PATH].';

/** The state and audit trail the checks use: the state file (or Table Storage when configured). */
async function depsFor(ctx: CliContext, stateFlag: string | undefined): Promise<{ deps: AcknowledgeDeps; redact: (text: string) => string }> {
  const config = ctx.loadConfig();
  const stateFile = resolveStateFile(config, ctx.env, stateFlag);
  // The home credential reaches Table Storage when it is configured; a state file needs none.
  return { deps: await createAcknowledgeDeps(config, await createHomeCredential(config), stateFile), redact: createRedactor(secretsOf(config)) };
}

/**
 * `apns-monitor ack KEY --until DATE --reason TEXT`: pause the reminders of one alert at its current
 * severity (SPEC §15). Exit 0 acknowledged, 1 refused (expired and monitor failures never go quiet;
 * at most 30 days; never past the expiry), 3 the command itself failed.
 */
export async function runAckCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, { until: { type: 'string' }, reason: { type: 'string' }, 'state-file': { type: 'string' } }, true);
  const [key, ...extra] = positionals;
  if (!key || extra.length > 0 || values.until === undefined || values.reason === undefined) throw new AppError('cli_usage', ACK_USAGE);
  const until = parseInstant('--until', String(values.until));
  const { deps, redact } = await depsFor(ctx, values['state-file'] as string | undefined);
  try {
    const ack = await acknowledgeAlert(deps, { key, until, reason: String(values.reason) }, { actor: osActor(), via: 'cli', correlationId: randomUUID() });
    ctx.io.stdout(
      redact(
        [
          `Acknowledged: ${ack.assetName} (${ack.key}) at ${ack.severity} ${describeAcknowledgement(ack)}`,
          `Its reminders at ${ack.severity} pause until then; a worse severity still alerts at once and ends the acknowledgement.`,
        ]
          .map(escapeLogText)
          .join('\n'),
      ),
    );
    return 0;
  } finally {
    await deps.store.close();
  }
}

/** `apns-monitor unack KEY`: end an acknowledgement; the reminders resume on the next run. */
export async function runUnackCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, { 'state-file': { type: 'string' } }, true);
  const [key, ...extra] = positionals;
  if (!key || extra.length > 0) throw new AppError('cli_usage', UNACK_USAGE);
  const { deps, redact } = await depsFor(ctx, values['state-file'] as string | undefined);
  try {
    const ack = await unacknowledgeAlert(deps, key, { actor: osActor(), via: 'cli', correlationId: randomUUID() });
    ctx.io.stdout(redact(escapeLogText(`Acknowledgement of ${ack.assetName} (${ack.key}) ended; its reminders resume on the next run.`)));
    return 0;
  } finally {
    await deps.store.close();
  }
}
