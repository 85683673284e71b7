import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { MonitoredKind, ReadOutcome, UnreadableItem } from '../../domain/assets';
import { uniformSnapshot, type ApnsCertificate, type TenantSnapshot } from '../../domain/snapshot';
import { kindSpec, kindsOfVersion } from '../../domain/assetKinds';
import { AppError } from '../../domain/errors';
import { parseCollection, parseCsr, parseGdapCustomer, parseItems, type GdapCustomer, type Json } from '../../domain/graphJson';
import { BASE_READ_PERMISSION, type CollectionKind, type EntityKind, type GraphVersion, type KindSpec } from '../../domain/kinds/kindSpec';
import type { IntuneGateway } from '../../ports/intuneGateway';
import type { PartnerDirectory } from '../../ports/partnerDirectory';
import { silentLogger, type Logger } from '../../ports/logger';
import { createGraphClient, defaultGraphScopes } from './createGraphClient';
import { describeNetworkError, networkErrorCode } from '../http/networkError';
import { BodyTooLargeError, describeBytes, readBoundedText } from '../http/readBoundedBody';
import { TokenTimeoutError } from '../http/sharedCredential';
import { managedIdentityAuth, type AuthExplainer } from '../identity/explainers';

export const READ_PERMISSION = BASE_READ_PERMISSION;
export const WRITE_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All';
/** The application permission of `GET /tenantRelationships/delegatedAdminCustomers` (its reference page; least privileged). */
export const GDAP_READ_PERMISSION = 'DelegatedAdminRelationship.Read.All';
// `$top` takes at most 300 here (the reference page of List delegatedAdminCustomers); further pages by @odata.nextLink.
const GDAP_CUSTOMERS_PATH = '/tenantRelationships/delegatedAdminCustomers?$select=id,tenantId,displayName&$top=300';
// 30,000 customers: a partner with more is told so rather than shown a list cut short without a word.
const MAX_GDAP_PAGES = 100;

const APNS_PATH = kindSpec('apns').read.path;
const CSR_PATH = `${APNS_PATH}/downloadApplePushNotificationCertificateSigningRequest`;
const MAX_BATCH = 20; // Graph's JSON batching limit
const VERSIONS: readonly GraphVersion[] = ['v1.0', 'beta'];
const RETRIABLE = new Set([429, 503, 504]);
const FIRST_BACKOFF_MS = 1000; // no Retry-After: 1 s, 2 s, 4 s … within the budget
// Graph not reached at all (network, DNS, no answer): a few tries, not the whole budget. Such an
// outage is seldom over in seconds and is the same for every tenant of a fleet (SPEC §15).
const NO_ANSWER_TRIES = 3;
const MAX_PAGES = 50;
// Far above any real answer here (a $batch of three reads, a page of VPP tokens, a CSR); bounds memory.
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
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

const DEFAULT_TIMEOUT_MS = 30_000;

interface Answer {
  status: number;
  /** The one header read (`Retry-After`); the others are not copied. */
  retryAfter: string | undefined;
  body: unknown;
}

interface BatchItem {
  id: string;
  method: 'GET';
  url: string;
}

/** What a failed Graph call means, for a person. */
function failure(status: number, body: unknown, what: string, permission: string, auth: AuthExplainer): AppError {
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

/**
 * Errors of the sign-in (the token, before any request reached Graph). Never retried here: the
 * credential already retried within its own bound, and a sign-in failure is never "Graph asked to
 * wait" nor "Graph was unavailable".
 */
const SIGN_IN = new WeakSet<AppError>();
function signIn(error: AppError): AppError {
  SIGN_IN.add(error);
  return error;
}

/** Graph itself could not be reached: the same host for every tenant, so a shared cause (SPEC §15). */
function graphUnreachable(thrown: unknown, what: string): AppError {
  const code = networkErrorCode(thrown);
  const how = code ? describeNetworkError(code) : 'network error (no error code)';
  return new AppError('graph_unavailable', `Microsoft Graph could not be reached for ${what}: ${how}.`, { retriable: true, cause: thrown, sharedCause: 'graph' });
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `Retry-After` of an answer (`Headers`) or of a batch item (a plain object, any case). */
function retryAfterOf(headers: unknown): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get('retry-after') ?? undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'retry-after') return String(v);
  return undefined;
}

/**
 * The IntuneGateway on Microsoft Graph. One tenant read = one `$batch` per API version (v1.0:
 * APNs + VPP; beta: ADE), sent concurrently. Throttling (429 with or without Retry-After) and
 * 503/504, for the whole batch or items in it, are retried within a bounded total wait.
 */
export function createGraphGateway(options: GraphGatewayOptions): IntuneGateway & PartnerDirectory {
  const scopes = options.scopes ?? defaultGraphScopes(options.baseUrl);
  const base = options.baseUrl.replace(/\/+$/, '');
  if (!options.client && !options.credential) throw new Error('createGraphGateway needs a client or a credential');
  // Made on first use: a fleet tenant's check sends only its batches, which go without it.
  let graphClient = options.client;
  const client = (): Client => (graphClient ??= createGraphClient({ baseUrl: options.baseUrl, credential: options.credential as TokenCredential, scopes }));
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const auth = options.auth ?? managedIdentityAuth();
  const seconds = (ms: number) => Math.round(ms / 1000);
  const fail = (status: number, body: unknown, what: string, permission: string) => failure(status, body, what, permission, auth);

  /**
   * The token first, bounded by the credential itself (APNS_HTTP_TIMEOUT_SECONDS per token request),
   * so that a token endpoint that never answers is named as such, never as "Graph did not answer".
   * The Graph client then gets the same token from the credential's cache.
   */
  async function signedIn(): Promise<string | undefined> {
    if (!options.credential) return undefined;
    let token: AccessToken | null;
    try {
      token = await options.credential.getToken(scopes);
    } catch (thrown) {
      throw signIn(thrown instanceof AppError ? thrown : auth.tokenFailure(thrown, 'Intune'));
    }
    return token?.token;
  }

  /** Graph accepted the request (or the connection) and gave no answer in time. */
  function graphTimedOut(what: string): AppError {
    return new AppError('graph_unavailable', `Microsoft Graph did not answer within ${seconds(timeoutMs)} s for ${what} (timed out).`, { retriable: true, sharedCause: 'graph' });
  }

  /**
   * One HTTP call, token included, bounded by `timeoutMs`; transport and credential failures become
   * AppErrors (retriable when worth it). A call that times out is aborted, never left running.
   */
  async function call(method: 'GET' | 'POST' | 'PATCH', version: string, path: string, body: unknown, what: string): Promise<Answer> {
    const token = await signedIn();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(noAnswer(graphTimedOut(what)));
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
        if (path === '/$batch' && token !== undefined) {
          // The batches, every tenant's hot path, go straight out with the token just checked: the Graph
          // client's middleware adds nothing to them (the host is the configured one, and the gateway,
          // not a RetryHandler, bounds the retries) and cost as much CPU as the request itself.
          response = await fetch(`${base}/${version}/$batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'intune-apns-monitor' },
            body: JSON.stringify(body),
            signal: controller.signal,
          });
        } else {
          const request = client().api(path).version(version).responseType(ResponseType.RAW).option('signal', controller.signal);
          response = (await (method === 'GET' ? request.get() : method === 'POST' ? request.post(body) : request.patch(body))) as Response;
        }
      } catch (thrown) {
        // A sign-in fails for the whole tenant, not one request: said the same way for every read, so
        // once; the explainer names the token endpoint that failed (never Graph, which was not reached).
        if (thrown instanceof AppError) throw signIn(thrown);
        if (isCredentialError(thrown) || thrown instanceof TokenTimeoutError) throw signIn(auth.tokenFailure(thrown, 'Intune'));
        if (controller.signal.aborted) throw noAnswer(graphTimedOut(what));
        throw noAnswer(graphUnreachable(thrown, what));
      }
      return read(response, what);
    }
  }

  async function read(response: Response, what: string): Promise<Answer> {
    const retryAfter = retryAfterOf(response.headers);
    let text: string;
    try {
      text = await readBoundedText(response, MAX_ANSWER_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      throw new AppError('graph_malformed_response', `Graph's answer for ${what} is larger than ${describeBytes(error.maxBytes)}; it was not read.`, { cause: error });
    }
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
        if (response.ok) throw new AppError('graph_malformed_response', `Graph's answer for ${what} could not be read: it is not JSON.`);
      }
    }
    return { status: response.status, retryAfter, body: parsed };
  }

  /** How long to wait before retrying this answer, or undefined if it must not be retried. */
  function waitFor(answer: Answer, attempt: number): number | undefined {
    if (!RETRIABLE.has(answer.status)) return undefined;
    return retryAfterMs(answer.retryAfter, now()) ?? FIRST_BACKOFF_MS * 2 ** attempt;
  }

  /** The back-off before trying again after an error, or undefined when it is not tried again. */
  function errorWait(error: AppError, attempt: number): number | undefined {
    if (NO_ANSWER.has(error) && attempt + 1 >= NO_ANSWER_TRIES) return undefined;
    return FIRST_BACKOFF_MS * 2 ** attempt;
  }

  /** Why a retry waits: only a 429/503 with Retry-After is Graph asking; the rest is our back-off. */
  function waitReason(last: Answer | AppError | undefined): string {
    if (last instanceof AppError) return last.code === 'graph_throttled' ? 'Microsoft Graph throttled the request' : 'Microsoft Graph could not be reached or did not answer';
    if (last?.retryAfter !== undefined) return 'Microsoft Graph asked to wait';
    return `Microsoft Graph answered ${last?.status ?? 'an error'}`;
  }

  /** Time spent on this read so far: the real clock, or the waits asked for when sleep is simulated. */
  const spent = (started: number, waited: number) => Math.max(now() - started, waited);

  function gaveUp(answer: Answer | AppError, what: string, spentMs: number): AppError {
    const throttled = answer instanceof AppError ? answer.code === 'graph_throttled' : answer.status === 429;
    const base = answer instanceof AppError ? answer.message : fail(answer.status, answer.body, what, READ_PERMISSION).message;
    const unreached = answer instanceof AppError && NO_ANSWER.has(answer);
    const limit = unreached ? `at most ${NO_ANSWER_TRIES} tries when Graph is not reached` : `limit APNS_GRAPH_MAX_RETRY_SECONDS=${seconds(options.maxRetryMs)}`;
    return new AppError(throttled ? 'graph_throttled' : 'graph_unavailable', `${base} Gave up after trying for ${seconds(spentMs)} s (${limit}).`, {
      retriable: true,
      ...(answer instanceof AppError && answer.sharedCause ? { sharedCause: answer.sharedCause } : {}),
      hint: throttled
        ? 'Graph is throttling this tenant; the next scheduled run will try again.'
        : unreached
          ? "Microsoft Graph could not be reached from here (network, DNS or proxy; APNS_GRAPH_BASE_URL for another cloud); the next scheduled run will try again."
          : 'Graph was unavailable; the next scheduled run will try again.',
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
        if (!(error instanceof AppError) || !error.retriable || SIGN_IN.has(error)) throw error;
        if (method === 'PATCH' && NO_ANSWER.has(error)) throw error;
        answer = error;
      }
      const wait = answer instanceof AppError ? errorWait(answer, attempt) : waitFor(answer, attempt);
      if (wait === undefined) {
        if (answer instanceof AppError) throw gaveUp(answer, what, spent(started, waited));
        return answer;
      }
      if (spent(started, waited) + wait > options.maxRetryMs) throw gaveUp(answer, what, spent(started, waited));
      logger.warn(`${waitReason(answer)} for ${what}; retrying in ${Math.ceil(wait / 1000)} s.`);
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
        if (!answer.retriable || SIGN_IN.has(answer)) {
          for (const item of pending) results.set(item.id, answer);
          return results;
        }
        const wait = errorWait(answer, attempt);
        if (wait === undefined) {
          for (const item of pending) results.set(item.id, gaveUp(answer, labels[item.id] ?? item.url, spent(started, waited)));
          return results;
        }
        for (const item of pending) retry.push({ item, wait, last: answer });
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
          const itemAnswer: Answer = { status: raw.status, retryAfter: retryAfterOf(raw.headers), body: raw.body };
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
      logger.warn(`${waitReason(retry[0]?.last)} (${retry.length} of the ${version} reads); retrying in ${Math.ceil(wait / 1000)} s.`);
      await sleep(wait);
      waited += wait;
      pending = retry.map((r) => r.item);
    }
    return results;
  }

  /** A list: the first page from the batch, further pages (rare) one by one; each item parsed on its own. */
  async function collect<I>(spec: CollectionKind<MonitoredKind, I>, first: Answer | AppError): Promise<ReadOutcome<I[]>> {
    const what = spec.resource;
    const { version, permission } = spec.read;
    try {
      if (first instanceof AppError) return { status: 'failed', error: first };
      if (first.status === 404) return { status: 'not_configured' };
      if (first.status !== 200) return { status: 'failed', error: fail(first.status, first.body, what, permission) };
      const out: I[] = [];
      const unreadable: UnreadableItem[] = [];
      let page = parseCollection(first.body, what, spec.property);
      for (let pages = 1; ; pages++) {
        const parsed = parseItems(page.items, (o: Json) => spec.parseItem(o), spec.labelOf, spec.idOf);
        out.push(...parsed.value);
        unreadable.push(...parsed.unreadable);
        if (!page.nextLink || pages >= MAX_PAGES) break;
        const next = await single('GET', version, page.nextLink, undefined, what);
        if (next.status !== 200) return { status: 'failed', error: fail(next.status, next.body, what, permission) };
        page = parseCollection(next.body, what, spec.property);
      }
      return unreadable.length > 0 ? { status: 'ok', value: out, unreadable } : { status: 'ok', value: out };
    } catch (error) {
      if (error instanceof AppError) return { status: 'failed', error };
      throw error;
    }
  }

  /** One object: a tenant without it answers 404 ResourceNotFound, or 204, or an entity of nulls (SPEC §2). */
  function entity<V>(spec: EntityKind<MonitoredKind, V>, answer: Answer | AppError): ReadOutcome<V> {
    if (answer instanceof AppError) return { status: 'failed', error: answer };
    if (answer.status === 404 || answer.status === 204) return { status: 'not_configured' };
    if (answer.status !== 200) return { status: 'failed', error: fail(answer.status, answer.body, spec.resource, spec.read.permission) };
    if (spec.isAbsent(answer.body)) return { status: 'not_configured' };
    try {
      return { status: 'ok', value: spec.parse(answer.body) };
    } catch (error) {
      if (error instanceof AppError) return { status: 'failed', error };
      throw error;
    }
  }

  function outcome(spec: KindSpec, answer: Answer | AppError): Promise<ReadOutcome<unknown>> {
    return spec.shape === 'entity' ? Promise.resolve(entity(spec, answer)) : collect(spec, answer);
  }

  /** Every read of one API version: one `$batch` (the registry keeps each version within Graph's 20). */
  async function readVersion(version: GraphVersion, specs: readonly KindSpec[]): Promise<Map<string, Answer | AppError>> {
    const results = new Map<string, Answer | AppError>();
    const labels = Object.fromEntries(specs.map((s) => [s.kind, s.resource]));
    for (let i = 0; i < specs.length; i += MAX_BATCH) {
      const items = specs.slice(i, i + MAX_BATCH).map((s): BatchItem => ({ id: s.kind, method: 'GET', url: s.read.path }));
      for (const [id, answer] of await batch(version, items, labels)) results.set(id, answer);
    }
    return results;
  }

  return {
    async readTenant(kinds: readonly MonitoredKind[]): Promise<TenantSnapshot> {
      // One `$batch` per API version, sent together: a tenant's reads cost one round trip.
      const perVersion = await Promise.all(VERSIONS.map((v) => readVersion(v, kindsOfVersion(v, kinds))));
      const answers = new Map(perVersion.flatMap((m) => [...m]));
      const snapshot = uniformSnapshot('', now(), () => ({ status: 'skipped' }));
      await Promise.all(
        kinds.map(async (kind) => {
          const answer = answers.get(kind);
          if (answer) (snapshot as Record<MonitoredKind, ReadOutcome<unknown>>)[kind] = await outcome(kindSpec(kind) as KindSpec, answer);
        }),
      );
      // The tenant id is the caller's (config); Graph is not asked for it.
      return snapshot;
    },

    async getApnsCertificate(): Promise<ApnsCertificate | null> {
      const apns = kindSpec('apns');
      const read = entity(apns, await single('GET', apns.read.version, APNS_PATH, undefined, apns.resource).catch((e: unknown) => {
        if (e instanceof AppError) return e;
        throw e;
      }));
      if (read.status === 'failed') throw read.error;
      return read.status === 'ok' ? read.value : null;
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

    async listDelegatedAdminCustomers(): Promise<GdapCustomer[]> {
      const what = 'the GDAP customers (delegatedAdminCustomers)';
      const out: GdapCustomer[] = [];
      let path: string | undefined = GDAP_CUSTOMERS_PATH;
      for (let pages = 0; path !== undefined; pages++) {
        if (pages >= MAX_GDAP_PAGES) throw new AppError('graph_malformed_response', `Graph lists more than ${out.length} GDAP customers (${MAX_GDAP_PAGES} pages); they were not all read.`);
        const answer = await single('GET', 'v1.0', path, undefined, what);
        if (answer.status !== 200) throw fail(answer.status, answer.body, what, GDAP_READ_PERMISSION);
        const page = parseCollection(answer.body, what);
        out.push(...page.items.map((item, i) => parseGdapCustomer(item, `${what} (item ${out.length + i + 1})`)));
        path = page.nextLink;
      }
      return out;
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
