import type { ChannelName } from '../domain/channels';
import { toAppError } from '../domain/errors';
import type { DeliveryOutcome, PlannedDelivery } from '../domain/planDeliveries';
import type { Logger } from '../ports/logger';
import type { Notifier } from '../ports/notifier';

export interface ChannelReport {
  channel: ChannelName;
  sent: number;
  failed: number;
  /** Safe, human messages of the failures (no URLs or secrets: notifiers guarantee it). */
  errors: string[];
}

export interface DeliveryOptions {
  /** Tries per message within this run (`APNS_DELIVERY_ATTEMPTS`). */
  attempts: number;
  /** First backoff; doubles per try. */
  backoffMs: number;
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
}

/**
 * Sends every planned message: channels in parallel (`Promise.allSettled`, one failing channel never
 * stops the others), each channel's messages in order, retriable failures retried with backoff.
 * Never throws: the outcome of every delivery is returned for the state to record.
 */
export async function deliverAll(
  deliveries: readonly PlannedDelivery[],
  notifiers: readonly Notifier[],
  options: DeliveryOptions,
): Promise<{ outcomes: DeliveryOutcome[]; channels: ChannelReport[] }> {
  const byChannel = new Map<ChannelName, PlannedDelivery[]>();
  for (const d of deliveries) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
  const outcomes: DeliveryOutcome[] = [];
  const reports: ChannelReport[] = [];
  const settled = await Promise.allSettled(
    [...byChannel.entries()].map(async ([channel, list]) => {
      const notifier = notifiers.find((n) => n.channel === channel);
      const report: ChannelReport = { channel, sent: 0, failed: 0, errors: [] };
      for (const delivery of list) {
        const ok = notifier ? await sendWithRetry(notifier, delivery, options, report) : false;
        if (!notifier) report.errors.push(`channel ${channel} is not configured`);
        if (ok) report.sent++;
        else report.failed++;
        outcomes.push({ delivery, ok });
      }
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

async function sendWithRetry(notifier: Notifier, delivery: PlannedDelivery, options: DeliveryOptions, report: ChannelReport): Promise<boolean> {
  const { event } = delivery;
  for (let attempt = 1; ; attempt++) {
    try {
      await notifier.send(event);
      options.logger.info(`Sent ${event.type} (${event.severity}) for ${event.key} to ${notifier.channel}.`, {
        channel: notifier.channel,
        eventId: event.id,
        key: event.key,
      });
      return true;
    } catch (thrown) {
      const error = toAppError(thrown);
      const message = error.code === 'internal_error' ? `unexpected error in the ${notifier.channel} channel` : error.message;
      const last = !error.retriable || attempt >= options.attempts;
      options.logger.warn(`Channel ${notifier.channel} refused ${event.type} for ${event.key} (try ${attempt}/${options.attempts}): ${message}`, {
        channel: notifier.channel,
        eventId: event.id,
        code: error.code,
      });
      if (last) {
        report.errors.push(message);
        return false;
      }
      await options.sleep(options.backoffMs * 2 ** (attempt - 1));
    }
  }
}
