import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../../ports/logger';
import { redactProperties, type Redactor } from '../logging/redact';
import { escapeLogText } from '../notifiers/plainText';

/**
 * Logs through the InvocationContext (so they reach Application Insights), redacted, each message
 * one line: CR, LF and other control characters inside it are shown escaped (`escapeLogText`).
 */
export function contextLogger(context: InvocationContext, redact: Redactor): Logger {
  const line = (message: string, properties?: Record<string, unknown>) => {
    const props = redactProperties(properties, redact);
    const text = escapeLogText(redact(message));
    return props && Object.keys(props).length > 0 ? [text, props] : [text];
  };
  return {
    info: (m, p) => context.info(...line(m, p)),
    warn: (m, p) => context.warn(...line(m, p)),
    error: (m, p) => context.error(...line(m, p)),
  };
}
