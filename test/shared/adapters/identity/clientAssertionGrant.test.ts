import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createClientAssertionGrant } from '../../../../shared/adapters/identity/clientAssertionGrant';
import { readEntraFailure } from '../../../../shared/adapters/identity/authErrors';
import { startEntraSimulator, TOKEN_EXCHANGE_AUDIENCE, type EntraSimulator } from '../../../../shared/simulator/entraSimulator';
import { makeToken, readJwt } from '../../../../shared/simulator/identitySimulator';
import { loopbackTls } from '../../../support/loopbackTls';

const homeTenant = randomUUID();
const principal = randomUUID();
const customer = randomUUID();
const GRAPH = 'https://graph.example.test';
let entra: EntraSimulator;

/** The managed identity's token as the simulator's federated credential expects it. */
function managedIdentityToken(): string {
  const now = Math.floor(Date.now() / 1000);
  return makeToken({ aud: TOKEN_EXCHANGE_AUDIENCE, tid: homeTenant, oid: principal, sub: principal, appid: randomUUID(), iat: now, exp: now + 3600 });
}

const grantOf = (options: { authorityHost?: string; timeoutMs?: number; sleeps?: number[] } = {}) =>
  createClientAssertionGrant({
    authorityHost: options.authorityHost ?? entra.authorityHost,
    clientId: entra.appClientId,
    assertion: async () => managedIdentityToken(),
    timeoutMs: options.timeoutMs ?? 5000,
    sleep: async (ms) => void options.sleeps?.push(ms),
  });

beforeAll(async () => {
  entra = await startEntraSimulator({ tls: loopbackTls(), federatedCredential: { issuerTenantId: homeTenant, subject: principal }, defaultResource: GRAPH });
  entra.addTenant(homeTenant, { displayName: 'Home' });
  entra.addTenant(customer, { displayName: 'Customer', roles: ['DeviceManagementServiceConfig.Read.All'] });
});
afterAll(async () => {
  await entra.close();
});
beforeEach(() => entra.reset());

describe('the fleet sign-in to a customer tenant (client assertion grant)', () => {
  test("when a tenant is signed in to, one request to its token endpoint returns the app's token for that tenant, and no OpenID metadata is asked for", async () => {
    const token = await grantOf().forTenant(customer).getToken(`${GRAPH}/.default`);
    expect(token).not.toBeNull();
    expect(readJwt(token?.token)).toMatchObject({ tid: customer, aud: GRAPH, appid: entra.appClientId });
    // Entra's own lifetime, less than an hour from now.
    expect(token?.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(entra.requests.map((r) => `${r.endpoint} ${r.tenant} ${r.grantType} ${r.status}`)).toEqual([`token ${customer} client_credentials 200`]);
  });

  test('when Entra answers 503 twice, the third try gets the token after waiting 0.5 s and 1 s', async () => {
    entra.failNext(503, 2);
    const sleeps: number[] = [];
    const token = await grantOf({ sleeps }).forTenant(customer).getToken(`${GRAPH}/.default`);
    expect(readJwt(token?.token)?.tid).toBe(customer);
    expect(sleeps).toEqual([500, 1000]);
    expect(entra.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  test('when the tenant has not consented, the failure carries the AADSTS code a person is told about, never the assertion', async () => {
    entra.setConsent(customer, 'noConsent');
    const assertion = managedIdentityToken();
    const grant = createClientAssertionGrant({ authorityHost: entra.authorityHost, clientId: entra.appClientId, assertion: async () => assertion, timeoutMs: 5000 });
    const error = await grant.forTenant(customer).getToken(`${GRAPH}/.default`).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    entra.setConsent(customer, 'consented');
    expect(readEntraFailure(error)).toMatchObject({ code: 'AADSTS65001', consentMissing: true });
    expect(String(error?.message)).not.toContain(assertion);
    expect(entra.requests).toHaveLength(1); // a refusal is not tried again
  });

  describe('against a token endpoint that misbehaves', () => {
    let server: Server;
    let mode: 'hang' | 'endless' = 'hang';
    let authorityHost: string;
    beforeAll(async () => {
      server = createServer(loopbackTls(), (_req, res) => {
        if (mode === 'hang') return; // never answers
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (res.write(chunk));
          res.once('drain', pump);
        };
        pump();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      authorityHost = `https://localhost:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    test('when it never answers, the sign-in ends after the request timeout, read as "did not answer in time"', async () => {
      mode = 'hang';
      const error = await grantOf({ authorityHost, timeoutMs: 300 }).forTenant(customer).getToken(`${GRAPH}/.default`).catch((e: unknown) => e);
      expect(readEntraFailure(error)).toMatchObject({ unreachable: true, problem: expect.stringContaining('did not answer in time') });
    });

    test('when it streams an answer without end, the sign-in fails once 256 KB arrived, without reading the rest', async () => {
      mode = 'endless';
      const error = await grantOf({ authorityHost, timeoutMs: 10_000 }).forTenant(customer).getToken(`${GRAPH}/.default`).catch((e: unknown) => e);
      expect((error as Error).name).toBe('BodyTooLargeError');
    });
  });
});
