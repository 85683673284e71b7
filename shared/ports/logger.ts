/**
 * Where use cases write what they did. The Functions adapter writes to the InvocationContext (and so
 * to Application Insights), the CLI to stderr. Callers never pass secrets; adapters also redact.
 */
export interface Logger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
