import { InvocationContext, type Timer } from '@azure/functions';

/** Sets app settings in process.env for a Function test and returns a restore function. */
export function withAppSettings(settings: Record<string, string | undefined>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(settings)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** An InvocationContext (test mode) that records what the function logged. */
export function recordingContext(functionName: string): InvocationContext & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (...args: unknown[]) => lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  const context = new InvocationContext({
    functionName,
    invocationId: `test-${Math.random().toString(36).slice(2)}`,
    logHandler: (level, ...args) => record(level)(...args),
  });
  return Object.assign(context, { lines });
}

export const timer = (isPastDue = false): Timer => ({
  isPastDue,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: new Date().toISOString(), next: new Date(Date.now() + 86_400_000).toISOString(), lastUpdated: new Date().toISOString() },
});
