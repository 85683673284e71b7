import type { DestinationId } from '../domain/channels';
import { toAppError, type AppError } from '../domain/errors';
import type { DeliveryOutcome, PlannedDelivery } from '../domain/planDeliveries';
import type { Logger } from '../ports/logger';
import { destinationOf, type Notifier } from '../ports/notifier';

export interface ChannelReport {
  /** The destination: a global channel (`teams`) or a customer route's (`teams@ACME`). */
  channel: DestinationId;
  sent: number;
  failed: number;
  /** Safe, human messages of the failures, each once (no URLs or secrets: notifiers guarantee it). */
  errors: string[];
  /** Set when the receiver answered 410 Gone: the channel is switched off until its setting changes. */
  gone?: string;
}

/** `APNS_GRAPH_MAX_RETRY_SECONDS` default, for callers that do not pass `maxWaitMs`. */
export const DEFAULT_MAX_WAIT_MS = 60_000;

export interface DeliveryOptions {
  /** Tries per message within this run (`APNS_DELIVERY_ATTEMPTS`). */
  attempts: number;
  /** First backoff; doubles per try. A receiver's `Retry-After` replaces it. */
  backoffMs: number;
  /**
   * Longest total wait between tries per channel in this run (`APNS_GRAPH_MAX_RETRY_SECONDS`):
   * a wait that would go beyond it ends the tries, and the next run sends the message.
   */
  maxWaitMs?: number;
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
}

/** What one channel has used up in this run. */
interface ChannelBudget {
  waitedMs: number;
  /** Set when the receiver answered 410 Gone: nothing more is sent to it in this run. */
  gone: AppError | undefined;
}

/**
 * Sends every planned message: channels in parallel (`Promise.allSettled`, one failing channel never
 * stops the others), each channel's messages in order, retriable failures retried after the
 * receiver's `Retry-After` or an exponential backoff, within a wait budget per channel. A channel
 * that answers 410 Gone gets nothing more in this run. Never throws: the outcome of every delivery
 * is returned for the state to record.
 */
export async function deliverAll(
  deliveries: readonly PlannedDelivery[],
  notifiers: readonly Notifier[],
  options: DeliveryOptions,
): Promise<{ outcomes: DeliveryOutcome[]; channels: ChannelReport[] }> {
  const byChannel = new Map<DestinationId, PlannedDelivery[]>();
  for (const d of deliveries) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
  const outcomes: DeliveryOutcome[] = [];
  const reports: ChannelReport[] = [];
  const settled = await Promise.allSettled(
    [...byChannel.entries()].map(async ([channel, list]) => {
      const notifier = notifiers.find((n) => destinationOf(n) === channel);
      const report: ChannelReport = { channel, sent: 0, failed: 0, errors: [] };
      const budget: ChannelBudget = { waitedMs: 0, gone: undefined };
      for (const delivery of list) {
        let ok = false;
        if (!notifier) addError(report, `channel ${channel} is not configured`);
        else if (budget.gone) addError(report, budget.gone.message);
        else ok = await sendWithRetry(notifier, delivery, options, report, budget);
        if (ok) report.sent++;
        else report.failed++;
        outcomes.push({ delivery, ok });
      }
      if (budget.gone) report.gone = budget.gone.message;
      reports.push(report);
    }),
  );
  for (const s of settled) {
    // sendWithRetry catches everything; a rejection here is a bug worth seeing, not swallowing.
    if (s.status === 'rejected') throw s.reason;
  }
  reports.sort((a, b) => a.channel.localeCompare(b.channel));
  return { outcomes, channels: reports };
}

function addError(report: ChannelReport, message: string): void {
  if (!report.errors.includes(message)) report.errors.push(message);
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}

async function sendWithRetry(notifier: Notifier, delivery: PlannedDelivery, options: DeliveryOptions, report: ChannelReport, budget: ChannelBudget): Promise<boolean> {
  const { event } = delivery;
  const destination = destinationOf(notifier);
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await notifier.send(event);
      options.logger.info(`Sent ${event.type} (${event.severity}) for ${event.key} to ${destination}.`, {
        channel: destination,
        eventId: event.id,
        key: event.key,
      });
      return true;
    } catch (thrown) {
      const error = toAppError(thrown);
      const message = error.code === 'internal_error' ? `unexpected error in the ${destination} channel` : error.message;
      const last = !error.retriable || attempt >= options.attempts;
      options.logger.warn(`Channel ${destination} refused ${event.type} for ${event.key} (try ${attempt}/${options.attempts}): ${message}`, {
        channel: destination,
        eventId: event.id,
        code: error.code,
      });
      if (error.code === 'channel_gone') budget.gone = error;
      if (last) {
        addError(report, message);
        return false;
      }
      const waitMs = error.retryAfterMs ?? options.backoffMs * 2 ** (attempt - 1);
      if (budget.waitedMs + waitMs > maxWaitMs) {
        const left = Math.max(0, maxWaitMs - budget.waitedMs);
        const why = error.retryAfterMs === undefined ? 'the next try' : 'the receiver asked to wait';
        const stop = `${message} Not tried again in this run: ${why} ${seconds(waitMs)}, beyond what is left (${seconds(left)}) of the run's ${seconds(maxWaitMs)} wait budget (APNS_GRAPH_MAX_RETRY_SECONDS); it will be retried on the next run.`;
        options.logger.warn(`Channel ${destination}: ${stop}`, { channel: destination, eventId: event.id, code: error.code });
        addError(report, stop);
        return false;
      }
      budget.waitedMs += waitMs;
      await options.sleep(waitMs);
    }
  }
}
