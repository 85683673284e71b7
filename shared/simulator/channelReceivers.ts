import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * Loopback HTTPS receivers standing in for Teams (Workflows), Slack, PagerDuty Events v2, a signed
 * webhook and Application Insights ingestion. They record what they receive and can be told to
 * refuse. Used by the tests and by `apns-monitor demo` to show what each channel got.
 */
export type ReceiverName = 'teams' | 'slack' | 'pagerduty' | 'webhook' | 'appinsights';

export interface Received {
  channel: ReceiverName;
  path: string;
  headers: Record<string, string>;
  /** The raw body (what a signature covers). */
  raw: string;
  /** The parsed JSON body (undefined if not JSON). */
  json: unknown;
  at: number;
}

export interface ChannelReceivers {
  baseUrl: string;
  /** URLs to configure; the Teams one carries a `sig=` like the real thing (a secret). */
  urls: Record<ReceiverName, string>;
  received: Received[];
  of(channel: ReceiverName): Received[];
  /** Answer the next `times` requests of a channel with `status` (and Retry-After when given). */
  failNext(channel: ReceiverName, status: number, times?: number, retryAfter?: string): void;
  clear(): void;
  close(): Promise<void>;
}

const ROUTES: [RegExp, ReceiverName][] = [
  [/^\/teams\//, 'teams'],
  [/^\/slack\//, 'slack'],
  [/^\/pagerduty\/v2\/enqueue$/, 'pagerduty'],
  [/^\/webhook\//, 'webhook'],
  [/^\/appinsights\/v2(\.1)?\/track$/, 'appinsights'],
];

export async function startChannelReceivers(options: { tls: { cert: string; key: string }; host?: string }): Promise<ChannelReceivers> {
  const received: Received[] = [];
  const faults = new Map<ReceiverName, { status: number; left: number; retryAfter: string | undefined }>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const channel = ROUTES.find(([re]) => re.test(url.pathname))?.[1];
    if (!channel || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const fault = faults.get(channel);
    if (fault && fault.left > 0) {
      fault.left--;
      res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      res.end(channel === 'pagerduty' ? JSON.stringify({ status: 'throttle', message: 'simulated' }) : 'simulated failure');
      return;
    }
    const raw = body.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    received.push({ channel, path: url.pathname, headers, raw, json, at: Date.now() });
    switch (channel) {
      case 'teams':
        res.writeHead(202).end();
        return;
      case 'slack':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      case 'pagerduty': {
        const dedupKey = (json as { dedup_key?: string } | undefined)?.dedup_key;
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }));
        return;
      }
      case 'appinsights': {
        const items = Array.isArray(json) ? json.length : 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: items, itemsAccepted: items, errors: [] }));
        return;
      }
      default:
        res.writeHead(204).end();
    }
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `https://${options.host ?? 'localhost'}:${port}`;
  return {
    baseUrl,
    urls: {
      teams: `${baseUrl}/teams/workflows/5f1d/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=TeamsSig-${port}-Secr3tValue`,
      slack: `${baseUrl}/slack/services/T000/B000/SlackSecret${port}XYZ`,
      pagerduty: `${baseUrl}/pagerduty/v2/enqueue`,
      webhook: `${baseUrl}/webhook/apns`,
      appinsights: `${baseUrl}/appinsights/`,
    },
    received,
    of: (channel) => received.filter((r) => r.channel === channel),
    failNext(channel, status, times = 1, retryAfter) {
      faults.set(channel, { status, left: times, retryAfter });
    },
    clear() {
      received.length = 0;
      faults.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
