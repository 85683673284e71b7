import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/identity';
import type { AdeToken, ApnsCertificate, MonitoredKind, ReadOutcome, TenantSnapshot, UnreadableItem, VppToken } from '../../domain/assets';
import { AppError } from '../../domain/errors';
import type { IntuneGateway } from '../../ports/intuneGateway';
import { silentLogger, type Logger } from '../../ports/logger';
import { createGraphClient } from './createGraphClient';
import { adeLabel, isUnconfiguredApns, parseAdeToken, parseApnsCertificate, parseCollection, parseCsr, parseItems, parseVppToken, vppLabel } from './parseGraphResources';
import { isTimeout } from '../http/requestTimeout';

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
/** The v1.0 reference page of GET applePushNotificationCertificate lists these instead (SPEC §2). */
const APNS_DOCUMENTED_ALTERNATIVES = 'DeviceManagementServiceConfig.ReadWrite.All or DeviceManagementManagedDevices.Read.All';

export function isCredentialError(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | undefined;
  return (typeof e?.code === 'string' && CREDENTIAL_ERRORS.has(e.code)) || (typeof e?.name === 'string' && CREDENTIAL_ERRORS.has(e.name));
}

export interface GraphGatewayOptions {
  baseUrl: string;
  credential?: TokenCredential;
  /** Token scopes (default `<baseUrl>/.default`). */
  scopes?: string[];
  /** An existing client (else one is made from baseUrl + credential). */
  client?: Client;
  /** Longest total wait for 429/503/504 retries in one call (`APNS_GRAPH_MAX_RETRY_SECONDS`). */
  maxRetryMs: number;
  /** Timeout of each single request (`APNS_HTTP_TIMEOUT_SECONDS`), inside the retry budget. */
  timeoutMs?: number;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /**
   * Who signs in, for hints that match the credential actually in use (managed identity, the fleet
   * app in a customer tenant, a person by device code, `az login`). Defaults to the managed identity.
   */
  auth?: AuthExplainer;
}

/** Turns sign-in failures and 403s into messages for the credential in use (composition supplies it). */
export interface AuthExplainer {
  /** The token could not be obtained (AADSTS codes, network, timeout). */
  tokenFailure(error: unknown, what: string): AppError;
  /** Graph answered 403: what to grant, and to whom. */
  permissionHint(permission: string): string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export const managedIdentityExplainer: AuthExplainer = {
  tokenFailure(error, what) {
    const code = (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name;
    return new AppError('graph_auth_failed', `Could not get an access token for Microsoft Graph (${String(code)}) to read ${what}.`, {
      hint: 'In Azure, check that the managed identity (AZURE_CLIENT_ID) is assigned to the Function App; on a laptop, add --device-code to the command (a person signs in; see README "Try it from your laptop").',
      cause: error,
    });
  },
  permissionHint: (permission) => `Grant ${permission} to the Function App's managed identity and give admin consent (infra/ does it on "azd up"; see README "Graph permissions").`,
};

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
function failure(status: number, body: unknown, what: string, permission: string, auth: AuthExplainer = managedIdentityExplainer): AppError {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  const graphCode = typeof code === 'string' ? ` (${code})` : '';
  if (status === 401) {
    return new AppError('graph_auth_failed', `Microsoft Graph refused the access token when reading ${what} (401${graphCode}).`, {
      hint: 'Check that APNS_GRAPH_BASE_URL matches the cloud of the tenant and that the managed identity belongs to that tenant.',
    });
  }
  if (status === 403) {
    const alternative = what === 'the APNs certificate' && permission === READ_PERMISSION ? ` (Microsoft's reference page for this read lists ${APNS_DOCUMENTED_ALTERNATIVES} instead; either works)` : '';
    return new AppError('graph_permission_denied', `Microsoft Graph denied access to ${what} (403${graphCode}): the identity lacks the permission ${permission}${alternative}.`, {
      hint: auth.permissionHint(permission),
    });
  }
  if (status === 429) return new AppError('graph_throttled', `Microsoft Graph throttled the request for ${what} (429).`, { retriable: true });
  if (status >= 500) return new AppError('graph_unavailable', `Microsoft Graph could not answer for ${what} (${status}${graphCode}).`, { retriable: RETRIABLE.has(status) });
  return new AppError('graph_malformed_response', `Microsoft Graph answered ${status}${graphCode} for ${what}.`);
}

/** Errors of calls that got no answer at all (timeout, network): a PATCH among them may have been applied. */
const NO_ANSWER = new WeakSet<AppError>();
function noAnswer(error: AppError): AppError {
  NO_ANSWER.add(error);
  return error;
}

/** A network error's code (ECONNREFUSED, ENOTFOUND…), never its message (it may hold a URL). */
function networkCode(error: unknown): string {
  let e = error as { code?: unknown; cause?: unknown; name?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^[A-Z_]{3,40}$/.test(e.code)) return e.code;
  }
  return (error as { name?: unknown })?.name === 'TypeError' ? 'fetch failed' : 'unknown';
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
      return createGraphClient({ baseUrl: options.baseUrl, credential: options.credential, ...(options.scopes ? { scopes: options.scopes } : {}) });
    })();
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const auth = options.auth ?? managedIdentityExplainer;
  const seconds = (ms: number) => Math.round(ms / 1000);
  const fail = (status: number, body: unknown, what: string, permission: string) => failure(status, body, what, permission, auth);

  /**
   * One HTTP call, token included, bounded by `timeoutMs`; transport and credential failures become
   * AppErrors (retriable when worth it). A call that times out is aborted, never left running.
   */
  async function call(method: 'GET' | 'POST' | 'PATCH', version: string, path: string, body: unknown, what: string): Promise<Answer> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(noAnswer(new AppError('graph_unavailable', `Microsoft Graph did not answer within ${seconds(timeoutMs)} s for ${what} (timed out).`, { retriable: true })));
      }, timeoutMs);
    });
    try {
      return await Promise.race([send(), timedOut]);
    } finally {
      clearTimeout(timer);
    }

    async function send(): Promise<Answer> {
      let response: Response;
      try {
        const request = client.api(path).version(version).responseType(ResponseType.RAW).option('signal', controller.signal);
        response = (await (method === 'GET' ? request.get() : method === 'POST' ? request.post(body) : request.patch(body))) as Response;
      } catch (thrown) {
        if (thrown instanceof AppError) throw thrown;
        if (controller.signal.aborted) throw noAnswer(new AppError('graph_unavailable', `Microsoft Graph did not answer within ${seconds(timeoutMs)} s for ${what} (timed out).`, { retriable: true }));
        // A sign-in fails for the whole tenant, not one request: said the same way for every read, so once.
        if (isCredentialError(thrown)) throw auth.tokenFailure(thrown, 'Intune');
        if (isTimeout(thrown)) {
          throw new AppError('graph_auth_failed', `Could not get an access token for Microsoft Graph within ${seconds(timeoutMs)} s to read ${what} (timed out).`, { retriable: true, cause: thrown });
        }
        throw noAnswer(new AppError('graph_unavailable', `Microsoft Graph could not be reached for ${what} (network error: ${networkCode(thrown)}).`, { retriable: true, cause: thrown }));
      }
      return read(response, what);
    }
  }

  async function read(response: Response, what: string): Promise<Answer> {
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

  /** Time spent on this read so far: the real clock, or the waits asked for when sleep is simulated. */
  const spent = (started: number, waited: number) => Math.max(now() - started, waited);

  function gaveUp(answer: Answer | AppError, what: string, spentMs: number): AppError {
    const throttled = answer instanceof AppError ? answer.code === 'graph_throttled' : answer.status === 429;
    const base = answer instanceof AppError ? answer.message : fail(answer.status, answer.body, what, READ_PERMISSION).message;
    return new AppError(throttled ? 'graph_throttled' : 'graph_unavailable', `${base} Gave up after trying for ${seconds(spentMs)} s (limit APNS_GRAPH_MAX_RETRY_SECONDS=${seconds(options.maxRetryMs)}).`, {
      retriable: true,
      hint: throttled ? 'Graph is throttling this tenant; the next scheduled run will try again.' : 'Graph was unavailable; the next scheduled run will try again.',
    });
  }

  /**
   * One request with the bounded retry policy. A PATCH that got no answer (timeout, network) is not
   * retried: it may have been applied, and the caller must treat its outcome as unknown.
   */
  async function single(method: 'GET' | 'PATCH' | 'POST', version: string, path: string, body: unknown, what: string): Promise<Answer> {
    const started = now();
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      let answer: Answer | AppError;
      try {
        answer = await call(method, version, path, body, what);
      } catch (error) {
        if (!(error instanceof AppError) || !error.retriable) throw error;
        if (method === 'PATCH' && NO_ANSWER.has(error)) throw error;
        answer = error;
      }
      const wait = answer instanceof AppError ? FIRST_BACKOFF_MS * 2 ** attempt : waitFor(answer, attempt);
      if (wait === undefined) return answer as Answer;
      if (spent(started, waited) + wait > options.maxRetryMs) throw gaveUp(answer, what, spent(started, waited));
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
    const started = now();
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
          if (wait === undefined) results.set(item.id, fail(answer.status, answer.body, labels[item.id] ?? item.url, READ_PERMISSION));
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
      if (spent(started, waited) + wait > options.maxRetryMs) {
        for (const r of retry) results.set(r.item.id, gaveUp(r.last, labels[r.item.id] ?? r.item.url, spent(started, waited)));
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
  async function collect<T>(
    first: Answer | AppError,
    version: string,
    what: string,
    parseItem: (o: Record<string, unknown>) => T,
    labelOf: (o: Record<string, unknown>) => unknown,
  ): Promise<ReadOutcome<T[]>> {
    try {
      if (first instanceof AppError) return { status: 'failed', error: first };
      if (first.status === 404) return { status: 'not_configured' };
      if (first.status !== 200) return { status: 'failed', error: fail(first.status, first.body, what, READ_PERMISSION) };
      const out: T[] = [];
      const unreadable: UnreadableItem[] = [];
      let page = parseCollection(first.body, what);
      for (let pages = 1; ; pages++) {
        const parsed = parseItems(page.items, parseItem, labelOf);
        out.push(...parsed.value);
        unreadable.push(...parsed.unreadable);
        if (!page.nextLink || pages >= MAX_PAGES) break;
        const next = await single('GET', version, page.nextLink, undefined, what);
        if (next.status !== 200) return { status: 'failed', error: fail(next.status, next.body, what, READ_PERMISSION) };
        page = parseCollection(next.body, what);
      }
      return unreadable.length > 0 ? { status: 'ok', value: out, unreadable } : { status: 'ok', value: out };
    } catch (error) {
      if (error instanceof AppError) return { status: 'failed', error };
      throw error;
    }
  }

  function apnsOutcome(answer: Answer | AppError): ReadOutcome<ApnsCertificate> {
    const what = 'the APNs certificate';
    if (answer instanceof AppError) return { status: 'failed', error: answer };
    // A tenant without a certificate answers 404 ResourceNotFound, or 204, or an entity of nulls (SPEC §2).
    if (answer.status === 404 || answer.status === 204) return { status: 'not_configured' };
    if (answer.status !== 200) return { status: 'failed', error: fail(answer.status, answer.body, what, READ_PERMISSION) };
    if (isUnconfiguredApns(answer.body)) return { status: 'not_configured' };
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
        vppAnswer ? collect<VppToken>(vppAnswer, 'v1.0', labels.vpp as string, parseVppToken, vppLabel) : Promise.resolve(skipped),
        adeAnswer ? collect<AdeToken>(adeAnswer, 'beta', labels.ade as string, parseAdeToken, adeLabel) : Promise.resolve(skipped),
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
        if (error instanceof AppError && NO_ANSWER.has(error)) {
          // Intune may still apply it: `retriable` marks the outcome as unknown (the renewal keeps its lock).
          throw new AppError('upload_failed', `The upload's outcome is unknown: ${reason} Intune may still apply it.`, {
            retriable: true,
            hint: 'Check the certificate in the Intune admin center before trying again.',
            cause: error,
          });
        }
        throw new AppError('upload_failed', `The upload to Intune failed: ${reason} Nothing was changed by this product; check the certificate in the Intune admin center before trying again.`, { cause: error });
      }
      if (answer.status >= 200 && answer.status < 300) return;
      const cause = fail(answer.status, answer.body, what, WRITE_PERMISSION);
      throw new AppError('upload_failed', `Intune refused the upload: ${cause.message} Nothing was changed by this product; check the certificate in the Intune admin center before trying again.`, cause.hint ? { hint: cause.hint } : {});
    },

    async downloadCsr(): Promise<string> {
      const what = 'the certificate signing request';
      const answer = await single('GET', 'v1.0', CSR_PATH, undefined, what);
      if (answer.status === 404) throw new AppError('graph_malformed_response', 'Intune has no Apple MDM push certificate set up, so it offers no signing request (404).');
      if (answer.status !== 200) throw fail(answer.status, answer.body, what, WRITE_PERMISSION);
      return parseCsr(answer.body);
    },
  };
}
