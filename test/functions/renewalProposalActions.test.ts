import { HttpRequest } from '@azure/functions';
import { keyVaultSecretVersionCreated } from '../../functions/keyVaultSecretVersionCreated';
import { approveRenewalProposal, proposeRenewalFromDashboard, rejectRenewalProposal } from '../../functions/renewalProposalActions';
import { createAppleCertificate } from '../../shared/simulator/certificates';
import { startKeyVaultSimulator, type KeyVaultSimulator } from '../../shared/simulator/keyVaultSimulator';
import { installLoopbackDns } from '../../shared/simulator/loopbackDns';
import { apnsFixture } from '../../shared/simulator/tenantFixtures';
import { uniqueTableName } from '../support/azurite';
import { recordingContext, withAppSettings } from '../support/functionEnv';
import { triggerOf } from '../support/functionsCoreApi';
import { loopbackTls } from '../support/loopbackTls';
import { startTenantHarness, type TenantHarness } from '../support/tenantHarness';

// The status page's decisions on proposals in Azure: behind App Service Authentication (which strips
// forged principal headers, so they count here only with WEBSITE_AUTH_ENABLED), for the Operator role,
// same-origin JSON only — with the state in Table Storage (Azurite).

const DAY = 86_400_000;
const UUID = '9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A';
const TOPIC = `com.apple.mgmt.External.${UUID}`;
const connectionString = process.env.APNS_TEST_TABLE_CONNECTION as string;
const ORIGIN = 'https://func-apns.azurewebsites.net';

let h: TenantHarness;
let kv: KeyVaultSimulator;
let restore: () => void;

beforeAll(async () => {
  installLoopbackDns();
  h = await startTenantHarness();
  kv = await startKeyVaultSimulator({ tls: loopbackTls(), tenantId: h.identity.tenantId });
});
afterAll(async () => {
  await Promise.all([h.close(), kv.close()]);
});
beforeEach(() => {
  h.graph.reset();
  h.graph.tenant.apns = apnsFixture({ topic: TOPIC, appleId: 'mdm@contoso.com', serialNumber: '0E', expiresAt: Date.now() + 10 * DAY });
  restore = withAppSettings({ ...h.env, AzureWebJobsStorage: connectionString, APNS_STATE_TABLE: uniqueTableName('decide'), APNS_KEY_VAULT_URL: kv.vaultUrl, WEBSITE_AUTH_ENABLED: 'True' });
});
afterEach(() => restore());

/** What Easy Auth puts in front of a signed-in user's request. */
function principal(name: string, roles: string[] = ['ApnsMonitor.Operator']): Record<string, string> {
  const claims = [{ typ: 'name', val: name }, { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: h.identity.tenantId }, ...roles.map((r) => ({ typ: 'roles', val: r }))];
  return { 'x-ms-client-principal': Buffer.from(JSON.stringify({ auth_typ: 'aad', claims, name_typ: 'name', role_typ: 'roles' })).toString('base64'), 'x-ms-client-principal-name': name };
}

async function act(handler: typeof approveRenewalProposal, route: string, body: unknown, headers: Record<string, string>) {
  const request = new HttpRequest({ method: 'POST', url: `${ORIGIN}/api/apns/dashboard/renewals/${route}`, body: { string: JSON.stringify(body) }, headers: { 'content-type': 'application/json', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers } });
  const response = await handler(request, recordingContext(route));
  return { status: response.status, body: response.jsonBody as { outcome?: string; proposal?: { id: string; state: string }; error?: { code: string; message: string } } };
}

async function proposedByKeyVault(): Promise<string> {
  const version = kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
  await keyVaultSecretVersionCreated(kv.secretEvent('apns-certificate', version), recordingContext('keyVaultSecretVersionCreated'));
  const proposed = await act(proposeRenewalFromDashboard, 'propose', { secretVersion: version }, principal('reader-of-ids@contoso.com'));
  return proposed.body.proposal?.id as string;
}

describe('the status page’s decisions on renewal proposals (Azure: Easy Auth, Operator role)', () => {
  test('when the routes are registered, they are the page’s anonymous actions (App Service Authentication signs people in)', () => {
    for (const [name, route] of [['approveRenewalProposal', 'approve'], ['rejectRenewalProposal', 'reject'], ['proposeRenewalFromDashboard', 'propose']]) {
      expect(triggerOf(name as string)).toMatchObject({ type: 'httpTrigger', route: `apns/dashboard/renewals/${route}`, methods: ['POST'], authLevel: 'anonymous' });
    }
  });

  test('when an Operator approves a Key Vault proposal on the page, it is uploaded once, recorded under their name; a second approval uploads nothing (409)', async () => {
    const id = await proposedByKeyVault();
    const first = await act(approveRenewalProposal, 'approve', { id }, principal('alex@contoso.com'));
    expect([first.status, first.body.outcome, first.body.proposal?.state]).toEqual([200, 'renewed', 'approved']);
    expect(h.graph.uploads).toHaveLength(1);
    const second = await act(approveRenewalProposal, 'approve', { id }, principal('sam@contoso.com'));
    expect([second.status, second.body.error?.code]).toEqual([409, 'proposal_closed']);
    expect(h.graph.uploads).toHaveLength(1);
  });

  test('when a person proposes on the page, the same person cannot approve it (403 approver_is_proposer); another Operator can', async () => {
    const version = kv.setSecret('apns-certificate', createAppleCertificate({ uuid: UUID, notAfter: new Date(Date.now() + 370 * DAY) }).certPem);
    const proposed = await act(proposeRenewalFromDashboard, 'propose', { secretVersion: version }, principal('alex@contoso.com'));
    expect([proposed.status, proposed.body.proposal?.state]).toEqual([200, 'pending']);
    const id = proposed.body.proposal?.id as string;
    const own = await act(approveRenewalProposal, 'approve', { id }, principal('ALEX@contoso.com'));
    expect([own.status, own.body.error?.code]).toEqual([403, 'approver_is_proposer']);
    expect(h.graph.uploads).toEqual([]);
    const other = await act(approveRenewalProposal, 'approve', { id }, principal('sam@contoso.com'));
    expect([other.status, other.body.outcome]).toEqual([200, 'renewed']);
    expect(h.graph.uploads).toHaveLength(1);
  });

  test('when the approver lacks the Operator role, or the request comes from another site or is not JSON, it is refused before anything is read', async () => {
    const id = await proposedByKeyVault();
    h.graph.reset();
    const reader = await act(approveRenewalProposal, 'approve', { id }, principal('reader@contoso.com', []));
    expect([reader.status, reader.body.error?.code]).toEqual([403, 'forbidden']);
    const crossSite = await act(approveRenewalProposal, 'approve', { id }, { ...principal('alex@contoso.com'), 'sec-fetch-site': 'cross-site' });
    expect([crossSite.status, crossSite.body.error?.code]).toEqual([403, 'forbidden']);
    const form = await act(approveRenewalProposal, 'approve', { id }, { ...principal('alex@contoso.com'), 'content-type': 'text/plain' });
    expect([form.status, form.body.error?.code]).toEqual([403, 'forbidden']);
    expect(h.graph.requests).toEqual([]);
  });

  test('when an Operator rejects it with a reason, nobody can approve it any more', async () => {
    const id = await proposedByKeyVault();
    const noReason = await act(rejectRenewalProposal, 'reject', { id, reason: '' }, principal('alex@contoso.com'));
    expect([noReason.status, noReason.body.error?.code]).toEqual([400, 'invalid_request']);
    const rejected = await act(rejectRenewalProposal, 'reject', { id, reason: 'not this week' }, principal('alex@contoso.com'));
    expect([rejected.status, rejected.body.proposal?.state]).toEqual([200, 'rejected']);
    const approve = await act(approveRenewalProposal, 'approve', { id }, principal('sam@contoso.com'));
    expect([approve.status, approve.body.error?.code]).toEqual([409, 'proposal_closed']);
    expect(h.graph.uploads).toEqual([]);
  });
});
