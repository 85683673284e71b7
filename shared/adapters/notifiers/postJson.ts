import type { ChannelName } from '../../domain/channels';
import { AppError } from '../../domain/errors';
import { BodyTooLargeError, describeBytes, readBoundedText } from '../http/readBoundedBody';

export interface PostResult {
  status: number;
  headers: Headers;
  text: string;
}

/** `APNS_HTTP_TIMEOUT_SECONDS` default: a receiver that hangs must not hold the run. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Receivers answer "ok", "1" or a small JSON: anything longer than this is not read (bounded memory). */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The settings a person changes when a receiver says no, named in the error (never their values). */
export interface ReceiverSettings {
  /** The setting holding the URL (a redirect means it is not the receiver's final URL). */
  url: string;
  /** What must change to switch the channel back on after 410 Gone (default: `url`). */
  gone?: string;
}

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The "timed out" failure of one request (retriable: the next try or run may get an answer). */
export function timedOut(channel: ChannelName, timeoutMs: number, cause: unknown, what = 'the receiver did not answer'): AppError {
  return new AppError('delivery_failed', `${channel}: timed out after ${seconds(timeoutMs)} (${what}; APNS_HTTP_TIMEOUT_SECONDS).`, { retriable: true, cause });
}

/**
 * POSTs JSON to a channel. Errors name the channel and the status, never the URL (it carries
 * the secret for Teams, Slack and most webhooks) nor the answer's body (it may echo the request).
 * Redirects are not followed: a 3xx comes back as an answer and `ensureAccepted` refuses it.
 */
export async function postJson(channel: ChannelName, url: string, body: unknown, options: PostOptions = {}): Promise<PostResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'intune-apns-monitor', ...options.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal,
      redirect: 'manual',
    });
  } catch (error) {
    if (signal.aborted) throw timedOut(channel, timeoutMs, error);
    throw new AppError('delivery_failed', `${channel}: the receiver could not be reached.`, { retriable: true, cause: error });
  }
  return { status: response.status, headers: response.headers, text: await readAnswer(channel, response) };
}

/**
 * A receiver's answer, read up to MAX_ANSWER_BYTES: one that never ends is a clear refusal (the
 * delivery is not confirmed, so the next run sends it again), never an unbounded read.
 */
export async function readAnswer(channel: ChannelName, response: Response): Promise<string> {
  try {
    return await readBoundedText(response, MAX_ANSWER_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new AppError('delivery_failed', `${channel} answered ${response.status} with an answer longer than ${describeBytes(error.maxBytes)}; it was not read, and the delivery is not confirmed (sent again on the next run).`, { cause: error });
    }
    return ''; // a body that stops halfway is cut by the request's timeout: the status is what counts
  }
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The error for a refusal: 410 Gone switches the channel off (`channel_gone`), a 3xx is a
 * configuration error, 408, 429 and 5xx are worth another try (429 and 503 with the receiver's
 * `Retry-After`), any other refusal is final for this run. `detail` is safe text (no body echo).
 */
export function refusal(channel: ChannelName, status: number, headers: Headers, settings: ReceiverSettings, detail = ''): AppError {
  if (status === 410) {
    return new AppError(
      'channel_gone',
      `${channel} answered 410 Gone: the receiver no longer exists. The channel is switched off until ${settings.gone ?? settings.url} changes.`,
    );
  }
  if (status >= 300 && status < 400) {
    // The Location header is not shown: it may carry the same secret as the configured URL.
    return new AppError(
      'delivery_failed',
      `${channel} answered ${status} (a redirect): the configured URL is not the receiver's final https URL; set ${settings.url} to it.`,
    );
  }
  const retriable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers.get('retry-after')) : undefined;
  const asked = retryAfterMs === undefined ? '' : ` (Retry-After ${seconds(retryAfterMs)})`;
  return new AppError('delivery_failed', `${channel} answered ${status}${detail}${asked}.`, { retriable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

/** 2xx accepted; anything else throws the `refusal` for it. */
export function ensureAccepted(channel: ChannelName, result: PostResult, settings: ReceiverSettings, detail = ''): void {
  if (result.status >= 200 && result.status < 300) return;
  throw refusal(channel, result.status, result.headers, settings, detail);
}
