import type { AlertEvent } from '../../domain/alertEvent';
import type { MinSeverity } from '../../domain/severity';
import type { Logger } from '../../ports/logger';
import type { Notifier } from '../../ports/notifier';

/**
 * The run's own log as a channel: always on, so every decision is visible in the Function's log
 * (and Application Insights traces) or on the CLI's stderr even with no channel configured.
 */
export function createLogNotifier(logger: Logger, minSeverity: MinSeverity = 'notice'): Notifier {
  return {
    channel: 'log',
    minSeverity,
    async send(event: AlertEvent): Promise<void> {
      const lines = [event.title, event.summary, ...event.nextSteps.map((s, i) => `  ${i + 1}. ${s}`)].filter(Boolean);
      const properties = { eventId: event.id, key: event.key, type: event.type, severity: event.severity };
      if (event.type === 'resolved' || event.type === 'renewed' || event.severity === 'notice' || event.severity === 'ok') logger.info(lines.join('\n'), properties);
      else if (event.severity === 'warning') logger.warn(lines.join('\n'), properties);
      else logger.error(lines.join('\n'), properties);
    },
  };
}
