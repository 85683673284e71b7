import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/identity';
import type { AdeToken, ApnsCertificate, MonitoredKind, ReadOutcome, TenantSnapshot, VppToken } from '../../domain/assets';
import { AppError } from '../../domain/errors';
import type { IntuneGateway } from '../../ports/intuneGateway';
import { silentLogger, type Logger } from '../../ports/logger';
import { createGraphClient } from './createGraphClient';
import { parseAdeToken, parseApnsCertificate, parseCollection, parseCsr, parseVppToken } from './parseGraphResources';

export const READ_PERMISSION = 'DeviceManagementServiceConfig.Read.All';
export const WRITE_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All';

const APNS_PATH = '/deviceManagement/applePushNotificationCertificate';
const VPP_PATH = '/deviceAppManagement/vppTokens';
const ADE_PATH = '/deviceManagement/depOnboardingSettings';
const CSR_PATH = `${APNS_PATH}/downloadApplePushNotificationCertificateSigningRequest`;
const RETRIABLE = new Set([429, 503, 504]);
const FIRST_BACKOFF_MS = 1000; // no Retry-After: 1 s, 2 s, 4 s … within the budget
const MAX_PAGES = 50;
const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

export interface GraphGatewayOptions {
  baseUrl: string;
  credential?: TokenCredential;
  /** An existing client (else one is made from baseUrl + credential). */
  client?: Client;
  /** Longest total wait for 429/503/504 retries in one call (`APNS_GRAPH_MAX_RETRY_SECONDS`). */
  maxRetryMs: number;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface BatchItem {
  id: string;
  method: 'GET';
  url: string;
}

/** What a failed Graph call means, for a person. */
function failure(status: number, body: unknown, what: string, permission: string): AppError {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  const graphCode = typeof code === 'string' ? ` (${code})` : '';
  if (status === 401) {
    return new AppError('graph_auth_failed', `Microsoft Graph refused the access token when reading ${what} (401${graphCode}).`, {
      hint: 'Check that APNS_GRAPH_BASE_URL matches the cloud of the tenant and that the managed identity belongs to that tenant.',
    });
  }
  if (status === 403) {
    return new AppError('graph_permission_denied', `Microsoft Graph denied access to ${what} (403${graphCode}): the identity lacks the application permission ${permission}.`, {
      hint: `Grant ${permission} to the Function App's managed identity and give admin consent (infra/ does it on "azd up"; see README "Graph permissions").`,
    });
  }
  if (status === 429) return new AppError('graph_throttled', `Microsoft Graph throttled the request for ${what} (429).`, { retriable: true });
  if (status >= 500) return new AppError('graph_unavailable', `Microsoft Graph could not answer for ${what} (${status}${graphCode}).`, { retriable: RETRIABLE.has(status) });
  return new AppError('graph_malformed_response', `Microsoft Graph answered ${status}${graphCode} for ${what}.`);
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function lowerHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof (headers as Headers).get === 'function' && typeof (headers as Headers).forEach === 'function') {
    (headers as Headers).forEach((v, k) => (out[k.toLowerCase()] = v));
    return out;
  }
  if (headers && typeof headers === 'object') for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = String(v);
  return out;
}

/**
 * The IntuneGateway on Microsoft Graph. One tenant read = one `$batch` per API version (v1.0:
 * APNs + VPP; beta: ADE), sent concurrently. Throttling (429 with or without Retry-After) and
 * 503/504, for the whole batch or items in it, are retried within a bounded total wait.
 */
export function createGraphGateway(options: GraphGatewayOptions): IntuneGateway {
  const client =
    options.client ??
    (() => {
      if (!options.credential) throw new Error('createGraphGateway needs a client or a credential');
      return createGraphClient({ baseUrl: options.baseUrl, credential: options.credential });
    })();
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;

  /** One HTTP call; transport and credential failures become AppErrors (retriable when worth it). */
  async function call(method: 'GET' | 'POST' | 'PATCH', version: string, path: string, body: unknown, what: string): Promise<Answer> {
    let response: Response;
    try {
      const request = client.api(path).version(version).responseType(ResponseType.RAW);
      response = (await (method === 'GET' ? request.get() : method === 'POST' ? request.post(body) : request.patch(body))) as Response;
    } catch (thrown) {
      const code = (thrown as { code?: unknown }).code;
      if (typeof code === 'string' && CREDENTIAL_ERRORS.has(code)) {
        throw new AppError('graph_auth_failed', `Could not get an access token for Microsoft Graph (${code}) to read ${what}.`, {
          hint: 'In Azure, check that the managed identity (AZURE_CLIENT_ID) is assigned to the Function App; on a laptop, run "az login".',
          cause: thrown,
        });
      }
      throw new AppError('graph_unavailable', `Microsoft Graph could not be reached for ${what} (network error).`, { retriable: true, cause: thrown });
    }
    const headers = lowerHeaders(response.headers);
    const text = await response.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
        if (response.ok) throw new AppError('graph_malformed_response', `Graph's answer for ${what} could not be read: it is not JSON.`);
      }
    }
    return { status: response.status, headers, body: parsed };
  }

  /** How long to wait before retrying this answer, or undefined if it must not be retried. */
  function waitFor(answer: Answer, attempt: number): number | undefined {
    if (!RETRIABLE.has(answer.status)) return undefined;
    return retryAfterMs(answer.headers['retry-after'], now()) ?? FIRST_BACKOFF_MS * 2 ** attempt;
  }

  function gaveUp(answer: Answer | AppError, what: string, waitedMs: number): AppError {
    const seconds = Math.round(waitedMs / 1000);
    const throttled = answer instanceof AppError ? answer.code === 'graph_throttled' : answer.status === 429;
    const base = answer instanceof AppError ? answer.message : failure(answer.status, answer.body, what, READ_PERMISSION).message;
    return new AppError(throttled ? 'graph_throttled' : 'graph_unavailable', `${base} Gave up after retrying for ${seconds} s (limit APNS_GRAPH_MAX_RETRY_SECONDS=${Math.round(options.maxRetryMs / 1000)}).`, {
      retriable: true,
      hint: throttled ? 'Graph is throttling this tenant; the next scheduled run will try again.' : 'Graph was unavailable; the next scheduled run will try again.',
    });
  }

  /** One request with the bounded retry policy. */
  async function single(method: 'GET' | 'PATCH' | 'POST', version: string, path: string, body: unknown, what: string): Promise<Answer> {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      let answer: Answer | AppError;
      try {
        answer = await call(method, version, path, body, what);
      } catch (error) {
        if (!(error instanceof AppError) || !error.retriable) throw error;
        answer = error;
      }
      const wait = answer instanceof AppError ? FIRST_BACKOFF_MS * 2 ** attempt : waitFor(answer, attempt);
      if (wait === undefined) return answer as Answer;
      if (waited + wait > options.maxRetryMs) throw gaveUp(answer, what, waited);
      logger.warn(`Graph asked to wait ${Math.ceil(wait / 1000)} s for ${what}; retrying.`);
      await sleep(wait);
      waited += wait;
    }
  }

  /**
   * One `$batch` for a version, re-sending only the items that were throttled, within the budget.
   * Returns each item's answer, or the AppError that ended it.
   */
  async function batch(version: string, items: BatchItem[], labels: Record<string, string>): Promise<Map<string, Answer | AppError>> {
    const results = new Map<string, Answer | AppError>();
    let pending = items;
    let waited = 0;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let answer: Answer | AppError;
      try {
        answer = await call('POST', version, '/$batch', { requests: pending }, `the ${version} batch`);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        answer = error;
      }
      const retry: { item: BatchItem; wait: number; last: Answer | AppError }[] = [];
      if (answer instanceof AppError) {
        if (!answer.retriable) {
          for (const item of pending) results.set(item.id, answer);
          return results;
        }
        for (const item of pending) retry.push({ item, wait: FIRST_BACKOFF_MS * 2 ** attempt, last: answer });
      } else if (answer.status !== 200) {
        const wait = waitFor(answer, attempt);
        for (const item of pending) {
          if (wait === undefined) results.set(item.id, failure(answer.status, answer.body, labels[item.id] ?? item.url, READ_PERMISSION));
          else retry.push({ item, wait, last: answer });
        }
      } else {
        const responses = (answer.body as { responses?: unknown } | undefined)?.responses;
        if (!Array.isArray(responses)) {
          const error = new AppError('graph_malformed_response', `Graph's ${version} batch answer could not be read: responses is not a list.`);
          for (const item of pending) results.set(item.id, error);
          return results;
        }
        for (const item of pending) {
          const raw = responses.find((r: { id?: unknown }) => String(r?.id) === item.id) as { status?: unknown; headers?: unknown; body?: unknown } | undefined;
          if (!raw || typeof raw.status !== 'number') {
            results.set(item.id, new AppError('graph_malformed_response', `Graph's batch answer has no response for ${labels[item.id] ?? item.url}.`));
            continue;
          }
          const itemAnswer: Answer = { status: raw.status, headers: lowerHeaders(raw.headers), body: raw.body };
          const wait = waitFor(itemAnswer, attempt);
          if (wait === undefined) results.set(item.id, itemAnswer);
          else retry.push({ item, wait, last: itemAnswer });
        }
      }
      if (retry.length === 0) break;
      const wait = Math.max(...retry.map((r) => r.wait));
      if (waited + wait > options.maxRetryMs) {
        for (const r of retry) results.set(r.item.id, gaveUp(r.last, labels[r.item.id] ?? r.item.url, waited));
        break;
      }
      logger.warn(`Graph asked to wait ${Math.ceil(wait / 1000)} s (${retry.length} of the ${version} reads); retrying.`);
      await sleep(wait);
      waited += wait;
      pending = retry.map((r) => r.item);
    }
    return results;
  }

  /** A list resource: the first page from the batch, further pages (rare) one by one. */
  async function collect<T>(first: Answer | AppError, version: string, what: string, parseItem: (o: Record<string, unknown>) => T): Promise<ReadOutcome<T[]>> {
    try {
      if (first instanceof AppError) return { status: 'failed', error: first };
      if (first.status === 404) return { status: 'not_configured' };
      if (first.status !== 200) return { status: 'failed', error: failure(first.status, first.body, what, READ_PERMISSION) };
      const out: T[] = [];
      let page = parseCollection(first.body, what);
      for (let pages = 1; ; pages++) {
        out.push(...page.items.map(parseItem));
        if (!page.nextLink || pages >= MAX_PAGES) break;
        const next = await single('GET', version, page.nextLink, undefined, what);
        if (next.status !== 200) return { status: 'failed', error: failure(next.status, next.body, what, READ_PERMISSION) };
        page = parseCollection(next.body, what);
      }
      return { status: 'ok', value: out };
    } catch (error) {
      if (error instanceof AppError) return { status: 'failed', error };
      throw error;
    }
  }

  function apnsOutcome(answer: Answer | AppError): ReadOutcome<ApnsCertificate> {
    const what = 'the APNs certificate';
    if (answer instanceof AppError) return { status: 'failed', error: answer };
    // A tenant without a certificate answers 404 ResourceNotFound.
    if (answer.status === 404) return { status: 'not_configured' };
    if (answer.status !== 200) return { status: 'failed', error: failure(answer.status, answer.body, what, READ_PERMISSION) };
    try {
      return { status: 'ok', value: parseApnsCertificate(answer.body) };
    } catch (error) {
      if (error instanceof AppError) return { status: 'failed', error };
      throw error;
    }
  }

  return {
    async readTenant(kinds: readonly MonitoredKind[]): Promise<TenantSnapshot> {
      const labels: Record<string, string> = { apns: 'the APNs certificate', vpp: 'the VPP tokens', ade: 'the ADE tokens' };
      const v1: BatchItem[] = [];
      if (kinds.includes('apns')) v1.push({ id: 'apns', method: 'GET', url: APNS_PATH });
      if (kinds.includes('vpp')) v1.push({ id: 'vpp', method: 'GET', url: VPP_PATH });
      const beta: BatchItem[] = kinds.includes('ade') ? [{ id: 'ade', method: 'GET', url: ADE_PATH }] : []; // ADE exists only in beta
      const [v1Results, betaResults] = await Promise.all([
        v1.length > 0 ? batch('v1.0', v1, labels) : Promise.resolve(new Map<string, Answer | AppError>()),
        beta.length > 0 ? batch('beta', beta, labels) : Promise.resolve(new Map<string, Answer | AppError>()),
      ]);
      const skipped = { status: 'skipped' as const };
      const apnsAnswer = v1Results.get('apns');
      const vppAnswer = v1Results.get('vpp');
      const adeAnswer = betaResults.get('ade');
      const [vpp, ade] = await Promise.all([
        vppAnswer ? collect<VppToken>(vppAnswer, 'v1.0', labels.vpp as string, parseVppToken) : Promise.resolve(skipped),
        adeAnswer ? collect<AdeToken>(adeAnswer, 'beta', labels.ade as string, parseAdeToken) : Promise.resolve(skipped),
      ]);
      // The tenant id is the caller's (config); Graph is not asked for it.
      return { tenantId: '', readAt: now(), apns: apnsAnswer ? apnsOutcome(apnsAnswer) : skipped, vpp, ade };
    },

    async getApnsCertificate(): Promise<ApnsCertificate | null> {
      const outcome = apnsOutcome(await single('GET', 'v1.0', APNS_PATH, undefined, 'the APNs certificate').catch((e: unknown) => {
        if (e instanceof AppError) return e;
        throw e;
      }));
      if (outcome.status === 'failed') throw outcome.error;
      return outcome.status === 'ok' ? outcome.value : null;
    },

    async uploadApnsCertificate(input: { appleIdentifier: string; certificatePem: string }): Promise<void> {
      const what = 'the APNs certificate upload';
      let answer: Answer;
      try {
        // The call the Intune admin center itself makes.
        answer = await single('PATCH', 'beta', APNS_PATH, { appleIdentifier: input.appleIdentifier, certificate: input.certificatePem }, what);
      } catch (error) {
        const reason = error instanceof AppError ? error.message : 'unexpected error';
        throw new AppError('upload_failed', `The upload to Intune failed: ${reason} Nothing was changed by this product; check the certificate in the Intune admin center before trying again.`, { cause: error });
      }
      if (answer.status >= 200 && answer.status < 300) return;
      const cause = failure(answer.status, answer.body, what, WRITE_PERMISSION);
      throw new AppError('upload_failed', `Intune refused the upload: ${cause.message} Nothing was changed by this product; check the certificate in the Intune admin center before trying again.`, cause.hint ? { hint: cause.hint } : {});
    },

    async downloadCsr(): Promise<string> {
      const what = 'the certificate signing request';
      const answer = await single('GET', 'v1.0', CSR_PATH, undefined, what);
      if (answer.status === 404) throw new AppError('graph_malformed_response', 'Intune has no Apple MDM push certificate set up, so it offers no signing request (404).');
      if (answer.status !== 200) throw failure(answer.status, answer.body, what, WRITE_PERMISSION);
      return parseCsr(answer.body);
    },
  };
}
