import type { Assessment } from '../domain/assessment';

export interface RunTelemetry {
  tenantId: string;
  tenantName: string;
  ok: boolean;
  durationMs: number;
  assessments: readonly Assessment[];
  deliveries: { channel: string; ok: number; failed: number }[];
  errorCode?: string;
}

/**
 * Run-level telemetry (Application Insights `ApnsCheckCompleted` and the `ApnsDaysRemaining` /
 * `ApnsDaysPastExpiry` metrics).
 * `flush` is awaited before an invocation ends.
 */
export interface Telemetry {
  trackRun(run: RunTelemetry): void;
  flush(): Promise<void>;
}

export const noTelemetry: Telemetry = { trackRun: () => undefined, flush: async () => undefined };
