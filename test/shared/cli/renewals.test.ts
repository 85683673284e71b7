import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyVaultEventHandler } from '../../../functions/keyVaultSecretVersionCreated';
import { createFileProposalStore } from '../../../shared/adapters/state/fileProposalStore';
import { openStateFile } from '../../../shared/adapters/state/fileStateStore';
import { main } from '../../../shared/cli/main';
import { createDecideDeps } from '../../../shared/composition/createServices';
import { createTenantAccess } from '../../../shared/composition/tenantAccess';
import { loadConfig } from '../../../shared/config/loadConfig';
import { silentLogger } from '../../../shared/ports/logger';
import { createAppleCertificate, type AppleCertificate } from '../../../shared/simulator/certificates';
import { startChannelReceivers, type ChannelReceivers } from '../../../shared/simulator/channelReceivers';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../../shared/simulator/tenantFixtures';
import { approveRenewal } from '../../../shared/useCases/approveRenewal';
import type { ProposalView } from '../../../shared/useCases/listProposals';
import { bufferIo } from '../../support/bufferIo';
import { recordingContext } from '../../support/functionEnv';
import { loopbackTls } from '../../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../../support/tenantHarness';

// `apns-monitor renewals` over the CLI's state file: proposals made by the Key Vault event (the
// deployed handler, as the host calls it) or by a person, then listed, approved or rejected. The
// approval is the guarded renewal against Graph and Key Vault simulators: one upload, or a refusal.

const DAY = 86_400_000;
const UUID = '3C2B1A09-8F7E-4D6C-9B5A-493827165E4D';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const APPLE_ID = 'mdm@contoso.com';

let h: TenantHarness;
let kv: KeyVaultSimulator;
let rx: ChannelReceivers;
let dir: string;
let current: AppleCertificate;
let stateFile: string;
let env: Record<string, string>;
let n = 0;

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness();
  h.useIdentityEnv();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
  rx = await startChannelReceivers({ tls: loopbackTls() });
  dir = mkdtempSync(join(tmpdir(), 'apns-renewals-cli-'));
  current = createAppleCertificate({ uuid: UUID, notBefore: new Date(Date.now() - 360 * DAY), notAfter: new Date(Date.now() + 10 * DAY) });
});
afterAll(async () => {
  await Promise.all([h.close(), kv.close(), rx.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  h.graph.reset();
  rx.clear();
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: APPLE_ID, serialNumber: current.serialNumber, expiresAt: current.notAfter });
  stateFile = join(dir, `state-${++n}.json`);
  env = { ...h.env, APNS_KEY_VAULT_URL: kv.vaultUrl, APNS_TEAMS_WEBHOOK_URL: rx.urls.teams, APNS_DELIVERY_ATTEMPTS: '1' };
});

const renewed = (over: Parameters<typeof createAppleCertificate>[0] = {}) =>
  createAppleCertificate({ uuid: UUID, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 370 * DAY), ...over });

async function cli(...args: string[]) {
  const io = bufferIo(env, dir);
  const code = await main([...args, '--state-file', stateFile], io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
}

/** Stores the certificate in Key Vault and hands its event to the deployed handler, with the CLI's state file. */
async function storeInKeyVault(pem: string): Promise<string> {
  const config = loadConfig(env);
  const access = createTenantAccess(config, { env });
  const handler = createKeyVaultEventHandler({ services: () => ({ config, logger: silentLogger, access, stateFile }) });
  const version = kv.setSecret('apns-certificate', pem);
  await handler(kv.secretEvent('apns-certificate', version), recordingContext('keyVaultSecretVersionCreated'));
  const [proposal] = await createFileProposalStore(openStateFile(stateFile)).list();
  return proposal?.proposal.id as string;
}

const audit = () => readFileSync(`${stateFile}.audit.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const renewedMessages = () => rx.of('teams').map((r) => JSON.stringify(r.json)).filter((t) => t.includes('RENEWED'));

describe('apns-monitor renewals', () => {
  test('when the Key Vault event made a proposal, list shows it waiting with the command that approves it, and --json gives the same proposal to tools', async () => {
    const next = renewed();
    const id = await storeInKeyVault(next.certPem);
    const listed = await cli('renewals', 'list');
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`${id}  WAITING FOR APPROVAL: apns-monitor renewals approve ${id}`);
    expect(listed.out).toContain(`Serial:    ${next.serialNumber}`);
    expect(listed.out).toMatch(/Proposed: {2}\S+ by Key Vault event; lapses \S+/);
    expect(listed.out).toMatch(/✓ 11\. dry run: stopped before the upload/);
    const json = await cli('renewals', 'list', '--json');
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ id, state: 'pending', serialNumber: next.serialNumber, proposedBy: 'Key Vault event', newExpiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })]);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when a person approves it from the CLI, the same version is uploaded once, verified, audited with approver and proposer, and announced; approving again uploads nothing and exits 1', async () => {
    const next = renewed();
    const id = await storeInKeyVault(next.certPem);
    rx.clear();
    const approved = await cli('renewals', 'approve', id);
    expect(approved.code).toBe(0);
    // stderr is the console channel: the `renewed` message, and no warning.
    expect(approved.err).toMatch(/^\nRENEWED: Apple MDM push certificate now expires in 369 days/);
    expect(approved.err).not.toMatch(/warning|error/);
    expect(approved.out).toMatch(new RegExp(`^Proposal ${id} approved by \\S+ \\(CLI\\) \\(proposed by Key Vault event\\):\\nRenewed: the certificate now expires`));
    expect(h.graph.uploads).toHaveLength(1);
    expect(h.graph.uploads[0]).toMatchObject({ appleIdentifier: APPLE_ID, applied: true });
    expect(audit().at(-1)).toMatchObject({ outcome: 'renewed', actor: expect.stringMatching(/\(CLI\)$/), proposalId: id, proposedBy: 'Key Vault event', secretVersion: kv.requests.at(-1)?.path.split('/').pop() });
    expect(renewedMessages()).toEqual([expect.stringContaining(`approving proposal ${id} by Key Vault event`)]);

    const again = await cli('renewals', 'approve', id);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(new RegExp(`Proposal ${id} was already approved by \\S+ \\(CLI\\) on .* \\(renewed\\); nothing more is uploaded`));
    expect(h.graph.uploads).toHaveLength(1);
    expect(JSON.parse((await cli('renewals', 'list', '--json')).out)).toEqual([expect.objectContaining({ id, state: 'approved', result: expect.objectContaining({ outcome: 'renewed' }) })]);
  });

  test('when two approvals of the same proposal run at once, it is uploaded once and the other is refused', async () => {
    const id = await storeInKeyVault(renewed().certPem);
    h.graph.latencyMs = 100;
    try {
      const results = await Promise.all([cli('renewals', 'approve', id), cli('renewals', 'approve', id)]);
      expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
      expect(results.find((r) => r.code === 1)?.err).toMatch(/being approved by|already approved by|Another renewal/);
    } finally {
      h.graph.latencyMs = 0;
    }
    expect(h.graph.uploads).toHaveLength(1);
  });

  test('when a person proposes a version, that person cannot approve it (exit 1, nothing uploaded); another person can', async () => {
    const version = kv.setSecret('apns-certificate', renewed().certPem);
    const proposed = await cli('renewals', 'propose', '--version', version, '--json');
    expect(proposed.code).toBe(0);
    const { proposal } = JSON.parse(proposed.out) as { created: boolean; proposal: ProposalView };
    expect(proposal).toMatchObject({ state: 'pending', proposedByPerson: true, proposedBy: expect.stringMatching(/\(CLI\)$/), secretVersion: version });
    const own = await cli('renewals', 'approve', proposal.id);
    expect(own.code).toBe(1);
    expect(own.err).toContain(`Proposal ${proposal.id} was proposed by ${proposal.proposedBy}: another person must approve it`);
    expect(h.graph.uploads).toEqual([]);

    const config = loadConfig(env);
    const decide = await createDecideDeps(config, { logger: silentLogger, env, stateFile }, { via: 'http', correlationId: 'test' });
    const { renewal } = await approveRenewal(decide, proposal.id, 'sam@contoso.com');
    expect(renewal).toMatchObject({ ok: true, code: 'renewed' });
    expect(h.graph.uploads).toHaveLength(1);
  });

  test('when the stored certificate has another topic, its proposal is refused and approving it exits 1, uploading nothing', async () => {
    const id = await storeInKeyVault(renewed({ uuid: 'BBBBBBBB-2222-4333-8444-555555555555' }).certPem);
    const listed = await cli('renewals', 'list');
    expect(listed.out).toContain(`${id}  REFUSED — do not upload`);
    expect(listed.out).toMatch(/Dry run: {3}topic_mismatch: The certificate's topic/);
    const approved = await cli('renewals', 'approve', id);
    expect(approved.code).toBe(1);
    expect(approved.err).toContain(`Proposal ${id} cannot be approved: its checks refused the certificate (topic_mismatch)`);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when a proposal is rejected with a reason, it can no longer be approved; a rejection without a reason is refused', async () => {
    const id = await storeInKeyVault(renewed().certPem);
    expect((await cli('renewals', 'reject', id)).code).toBe(1);
    const rejected = await cli('renewals', 'reject', id, '--reason', 'stored by mistake: wait for the change window');
    expect(rejected.code).toBe(0);
    expect(rejected.out).toContain(`Proposal ${id} rejected by`);
    const approved = await cli('renewals', 'approve', id);
    expect(approved.code).toBe(1);
    expect(approved.err).toMatch(/rejected it on \S+ \("stored by mistake: wait for the change window"\)/);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when a proposal waited 7 days, it has lapsed: approving it exits 1 and uploads nothing', async () => {
    const id = await storeInKeyVault(renewed().certPem);
    const store = createFileProposalStore(openStateFile(stateFile));
    const found = await store.get(id);
    const weekAgo = Date.now() - 7 * DAY;
    await store.save({ ...(found?.proposal as NonNullable<typeof found>['proposal']), proposedAt: weekAgo, lapsesAt: weekAgo + 7 * DAY }, found?.version as string);
    await store.close();
    const approved = await cli('renewals', 'approve', id);
    expect(approved.code).toBe(1);
    expect(approved.err).toContain(`Proposal ${id} cannot be approved: it lapsed on`);
    expect(h.graph.uploads).toEqual([]);
  });

  test('when the id names no proposal, or is not an id, approve exits 1 saying so', async () => {
    expect(await cli('renewals', 'approve', 'abcdefabcdef')).toMatchObject({ code: 1, err: expect.stringContaining('There is no renewal proposal abcdefabcdef') });
    expect(await cli('renewals', 'approve', 'x;rm -rf')).toMatchObject({ code: 1, err: expect.stringContaining('A proposal id is the 12 hexadecimal characters') });
    expect(await cli('renewals')).toMatchObject({ code: 3, err: expect.stringContaining('Usage: apns-monitor renewals list') });
  });
});
