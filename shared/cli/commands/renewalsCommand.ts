import { randomUUID } from 'node:crypto';
import { createRedactor } from '../../adapters/logging/redact';
import { escapeLogText } from '../../adapters/notifiers/plainText';
import { createDecideDeps, createProposalStore, createProposeDeps, loadWatchedConfig, renewOptionsFor, secretsOf, watchedTenantFor, type ServiceOptions } from '../../composition/createServices';
import { describeTenant } from '../../domain/describeTenant';
import { AppError } from '../../domain/errors';
import { parseRenewalRequest } from '../../domain/renewal';
import { parseProposalId, parseRejectionReason } from '../../domain/renewalProposal';
import { systemClock } from '../../ports/clock';
import { approveRenewal, rejectRenewal } from '../../useCases/approveRenewal';
import { listProposals, proposalView, type ProposalView } from '../../useCases/listProposals';
import { proposeRenewal } from '../../useCases/proposeRenewal';
import { renewalExitCode } from '../../useCases/renewCertificate';
import { alertConsole, cliLogger } from '../cliIo';
import { deviceCodeSignIn } from '../deviceCode';
import { parseFlags, type CliContext } from '../flags';
import { resolveStateFile, watchedConfigLoader } from '../stateFile';
import { formatChecks, formatRenewal } from './renewCommand';
import { osActor } from '../osActor';

const USAGE_LINE = 'Usage: apns-monitor renewals list [--json] | propose [--tenant ID] [--secret NAME] [--version V] | approve ID | reject ID --reason TEXT';

const STATE_WORDS: Record<ProposalView['state'], string> = {
  pending: 'WAITING FOR APPROVAL',
  refused: 'REFUSED — do not upload',
  current: 'NOTHING TO DO — Intune already has it',
  approving: 'BEING APPROVED',
  approved: 'APPROVED',
  failed: 'APPROVAL FAILED',
  rejected: 'REJECTED',
  superseded: 'SUPERSEDED by a newer version',
  lapsed: 'LAPSED',
};

/** One proposal for a person: what it is, where it stands, what was checked. Each line escaped whole. */
export function formatProposal(p: ProposalView): string[] {
  const day = (iso: string | null) => (iso === null ? '?' : iso.slice(0, 10));
  const lines = [
    `${p.id}  ${STATE_WORDS[p.state]}${p.state === 'pending' ? `: apns-monitor renewals approve ${p.id}` : ''}`,
    `  Tenant:    ${describeTenant(p.tenantId, p.tenantName)}`,
    `  Secret:    ${p.secretName} version ${p.secretVersion}`,
    `  Serial:    ${p.serialNumber ?? 'unreadable'}   Expiry: ${day(p.oldExpiresAt)} → ${day(p.newExpiresAt)}`,
    `  Proposed:  ${p.proposedAt} by ${p.proposedBy}${p.state === 'pending' ? `; lapses ${p.lapsesAt}` : ''}`,
  ];
  if (p.state === 'refused' || p.outcome !== 'valid') lines.push(`  Dry run:   ${p.outcome}: ${p.message}`);
  if (p.decidedBy) lines.push(`  Decided:   ${p.decidedAt ?? ''} by ${p.decidedBy}${p.reason ? ` — "${p.reason}"` : ''}${p.result ? ` — ${p.result.outcome}: ${p.result.message}` : ''}`);
  if (p.supersededBy) lines.push(`  Replaced by proposal ${p.supersededBy}`);
  lines.push('  Checks:', ...formatChecks(p.checks).map((l) => `  ${l}`));
  return lines;
}

/**
 * `apns-monitor renewals list [--json] | propose | approve ID | reject ID --reason TEXT` (SPEC §16):
 * the proposals Key Vault events made (or people), and the decision on them. Approving runs the
 * guarded renewal against the proposal's version (upload once, verify, audit, announce); a refused,
 * rejected, lapsed or decided proposal, or one this person proposed, is refused with exit 1, saying why.
 */
export async function runRenewalsCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      json: { type: 'boolean', default: false },
      tenant: { type: 'string' },
      secret: { type: 'string' },
      version: { type: 'string' },
      reason: { type: 'string' },
      'state-file': { type: 'string' },
      'device-code': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
    true,
  );
  const [action, id, ...extra] = positionals;
  if (!action || !['list', 'propose', 'approve', 'reject'].includes(action) || extra.length > 0 || ((action === 'approve' || action === 'reject') && !id) || ((action === 'list' || action === 'propose') && id)) {
    throw new AppError('cli_usage', USAGE_LINE);
  }
  const config = ctx.loadConfig();
  const redact = createRedactor(secretsOf(config));
  const logger = cliLogger(ctx.io, redact, values.verbose === true);
  const stateFile = resolveStateFile(config, ctx.env, values['state-file']);
  const options: ServiceOptions = {
    logger,
    alertLogger: alertConsole(ctx.io, redact),
    env: ctx.env,
    ...(stateFile ? { stateFile } : {}),
    // Approving uploads: the person needs ReadWrite then; proposing only reads.
    ...(values['device-code'] ? { deviceCode: deviceCodeSignIn(ctx.io, redact, action === 'approve') } : {}),
  };
  const print = (lines: string[]) => ctx.io.stdout(redact(lines.map(escapeLogText).join('\n')));
  const json = (value: unknown) => ctx.io.stdout(redact(JSON.stringify(value, null, 2)));
  const person = osActor();

  if (action === 'list') {
    // Stored state only, as the status page reads it: no sign-in, no Graph, no Key Vault.
    const { createHomeCredential } = await import('../../composition/tenantAccess');
    const home = await createHomeCredential(config);
    const store = await createProposalStore(config, home, stateFile);
    const wanted = values.tenant === undefined ? undefined : (await watchedTenantFor(config, values.tenant, 'renewals list', '--tenant ID', () => loadWatchedConfig(config, home, stateFile), 'cli_usage')).id;
    const all = (await listProposals(store, systemClock.now())).filter((p) => wanted === undefined || p.tenantId === wanted);
    if (values.json) json(all);
    else print(all.length === 0 ? ['No renewal proposal: storing the renewed certificate in Key Vault makes one (or "apns-monitor renewals propose").'] : all.flatMap((p, i) => [...(i > 0 ? [''] : []), ...formatProposal(p)]));
    return 0;
  }

  if (action === 'propose') {
    const tenant = await watchedTenantFor(config, values.tenant, 'renewals propose', '--tenant ID', watchedConfigLoader(config, ctx.env, values['state-file'] as string | undefined), 'cli_usage');
    // The same checks of the names as `renew` (the proposal's secret is the renewal's).
    const request = parseRenewalRequest({ ...(values.secret !== undefined ? { secretName: values.secret } : {}), ...(values.version !== undefined ? { secretVersion: values.version } : {}) });
    const renewOptions = renewOptionsFor(config, tenant, { actor: person, via: 'cli', correlationId: randomUUID() });
    const deps = await createProposeDeps(config, options, tenant);
    const outcome = await proposeRenewal(deps, { secretName: request.secretName ?? renewOptions.defaultSecretName, ...(request.secretVersion ? { secretVersion: request.secretVersion } : {}), proposedBy: person, person: true }, renewOptions);
    const view = proposalView(outcome.proposal, deps.renew.clock.now());
    if (values.json) json({ created: outcome.created, proposal: view });
    else print([outcome.created ? 'Proposed (nothing is uploaded until another person approves it):' : 'This version was proposed before:', ...formatProposal(view)]);
    return view.state === 'refused' ? 1 : 0;
  }

  const proposalId = parseProposalId(id);
  const decide = await createDecideDeps(config, options, { via: 'cli', correlationId: randomUUID() });
  if (action === 'reject') {
    const proposal = await rejectRenewal(decide, proposalId, person, parseRejectionReason(values.reason));
    const view = proposalView(proposal, decide.clock.now());
    if (values.json) json(view);
    else print([`Proposal ${proposalId} rejected by ${person}: it can no longer be approved.`, ...formatProposal(view)]);
    return 0;
  }

  const { proposal, renewal } = await approveRenewal(decide, proposalId, person);
  if (values.json) {
    json({
      proposal: proposalView(proposal, decide.clock.now()),
      ...(renewal.ok ? { outcome: renewal.code, message: renewal.message } : { error: { code: renewal.error.code, message: renewal.error.describe() } }),
      checks: renewal.checks,
    });
  } else {
    ctx.io.stdout(redact(`Proposal ${proposalId} approved by ${escapeLogText(person)} (proposed by ${escapeLogText(proposal.proposedBy)}):\n${formatRenewal(renewal)}`));
  }
  return renewalExitCode(renewal);
}
