import type { ChannelName } from '../../domain/channels';
import { AppError } from '../../domain/errors';

export interface PostResult {
  status: number;
  headers: Headers;
  text: string;
}

const TIMEOUT_MS = 15_000; // a receiver that hangs must not hold the run; the next run retries

/**
 * POSTs JSON to a channel. Errors name the channel and the status, never the URL (it carries
 * the secret for Teams, Slack and most webhooks) nor the answer's body (it may echo the request).
 */
export async function postJson(channel: ChannelName, url: string, body: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'intune-apns-monitor', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (error) {
    const name = (error as Error)?.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : 'the receiver could not be reached';
    throw new AppError('delivery_failed', `${channel}: ${name}.`, { retriable: true, cause: error });
  }
  const text = await response.text().catch(() => '');
  return { status: response.status, headers: response.headers, text };
}

/** 2xx accepted; 408, 429 and 5xx worth another try; any other refusal is final for this run. */
export function ensureAccepted(channel: ChannelName, result: PostResult, extra = ''): void {
  if (result.status >= 200 && result.status < 300) return;
  const retriable = result.status === 408 || result.status === 429 || result.status >= 500;
  throw new AppError('delivery_failed', `${channel} answered ${result.status}${extra}.`, { retriable });
}
