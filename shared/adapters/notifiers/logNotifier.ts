import type { AlertEvent } from '../../domain/alertEvent';
import type { MinSeverity } from '../../domain/severity';
import type { Logger } from '../../ports/logger';
import type { Notifier } from '../../ports/notifier';
import { escapeLogText } from './plainText';

/**
 * The run's own log as a channel: always on, so every decision is visible in the Function's log
 * (and Application Insights traces) or on the CLI's stderr even with no channel configured.
 * One log call per line (title, summary, each step), all with the event's id: Graph text can
 * never add a line of its own, as its line breaks are shown as `\n` (`escapeLogText`).
 */
export function createLogNotifier(logger: Logger, minSeverity: MinSeverity = 'notice'): Notifier {
  return {
    channel: 'log',
    minSeverity,
    async send(event: AlertEvent): Promise<void> {
      const lines = [event.title, event.summary, ...event.nextSteps.map((s, i) => `  ${i + 1}. ${s}`)].filter(Boolean).map(escapeLogText);
      const properties = { eventId: event.id, key: event.key, type: event.type, severity: event.severity };
      const log =
        event.type === 'resolved' || event.type === 'renewed' || event.severity === 'notice' || event.severity === 'ok'
          ? logger.info
          : event.severity === 'warning'
            ? logger.warn
            : logger.error;
      for (const line of lines) log(line, properties);
    },
  };
}
