import type { ChannelReceivers } from '../../shared/simulator/channelReceivers';

/** One item as Application Insights ingests it (the SDK's Breeze envelope). */
interface Envelope {
  time: string;
  data: { baseType: string; baseData: { name?: string; metrics?: { name: string; value: number; min?: number; max?: number; count?: number }[]; properties?: Record<string, string> } };
}

/** A row of the `customMetrics` / `customEvents` tables, as the alert queries see it. */
export interface TelemetryRow {
  table: 'customMetrics' | 'customEvents';
  timestamp: number;
  name: string;
  /** The sum of what was measured in one export interval, as `value` in Log Analytics … */
  value: number;
  /** … and its smallest and largest measurement (`valueMin`, `valueMax`). */
  valueMin: number;
  valueMax: number;
  customDimensions: Record<string, string>;
}

/** What the loopback ingestion endpoint received, as the rows Log Analytics would hold. */
export function telemetryRows(rx: ChannelReceivers): TelemetryRow[] {
  const envelopes = rx.of('appinsights').flatMap((r) => (Array.isArray(r.json) ? (r.json as Envelope[]) : []));
  return envelopes.flatMap((e): TelemetryRow[] => {
    const dims = e.data.baseData.properties ?? {};
    const timestamp = Date.parse(e.time);
    if (e.data.baseType === 'MetricData') {
      return (e.data.baseData.metrics ?? []).map((m) => ({ table: 'customMetrics', timestamp, name: m.name, value: m.value, valueMin: m.min ?? m.value, valueMax: m.max ?? m.value, customDimensions: dims }));
    }
    if (e.data.baseType === 'EventData') return [{ table: 'customEvents', timestamp, name: e.data.baseData.name ?? '', value: 0, valueMin: 0, valueMax: 0, customDimensions: dims }];
    return [];
  });
}
