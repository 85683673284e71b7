/**
 * What the Azure Functions Node.js worker provides to `@azure/functions` as the module
 * `@azure/functions-core` (the library `require`s it and falls back to a noisy "test mode" when it
 * is absent). Jest maps that module here (jest.config.js), so the registration code runs exactly as
 * deployed and tests can read what was registered: trigger type, route, auth level, queue, schedule.
 * Handlers are still called directly with `new InvocationContext()` / `new HttpRequest()`.
 */
export interface Registration {
  name: string;
  /** The function metadata as the host receives it: `{ name, bindings: { <name>: { type, direction, … } }, retryOptions? }`. */
  metadata: { name: string; bindings: Record<string, Record<string, unknown> & { type: string; direction: string }>; retryOptions?: unknown };
  handler: (...args: unknown[]) => unknown;
}

export const registrations: Registration[] = [];

const disposable = { dispose: () => undefined };

export function setProgrammingModel(): void {
  // The worker keeps the model to call it; nothing to do outside the host.
}

export function registerFunction(metadata: Registration['metadata'], handler: Registration['handler']): typeof disposable {
  registrations.push({ name: metadata.name, metadata, handler });
  return disposable;
}

/** The hooks registered (`app.hook.appTerminate(…)` …), so a test can play the worker's part. */
export const hooks: { name: string; callback: (context: unknown) => unknown }[] = [];

export function registerHook(name: string, callback: (context: unknown) => unknown): typeof disposable {
  hooks.push({ name, callback });
  return disposable;
}

export function log(): void {
  // System logs of the library (debug lines about capabilities); the host would forward them.
}

/** The trigger binding of a registered function, for assertions. */
export function triggerOf(name: string): Record<string, unknown> {
  const found = registrations.find((r) => r.name === name);
  if (!found) throw new Error(`function ${name} was not registered (registered: ${registrations.map((r) => r.name).join(', ') || 'none'})`);
  const trigger = Object.values(found.metadata.bindings).find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`function ${name} has no trigger binding`);
  return trigger;
}
