import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * Loopback HTTPS receivers standing in for Teams (Workflows), Slack, PagerDuty Events v2, a signed
 * webhook, Application Insights ingestion and Graph `sendMail` (the e-mail channel's transport,
 * for its faults; `urls.email` is a Graph base URL). They record what they receive and can be told
 * to refuse (any status, 3xx with a Location, 410 Gone) or to hang (accept and never answer).
 * Used by the tests and by `apns-monitor demo` to show what each channel got.
 */
export type ReceiverName = 'teams' | 'slack' | 'pagerduty' | 'webhook' | 'appinsights' | 'email';

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
  /**
   * Answer the next `times` requests of a channel with `status` (and Retry-After when given). A 3xx
   * carries a Location back to the same URL, so a client that followed it would be recorded.
   */
  failNext(channel: ReceiverName, status: number, times?: number, retryAfter?: string): void;
  /** Accept the next `times` requests of a channel and never answer (until `clear` or `close`). */
  hangNext(channel: ReceiverName, times?: number): void;
  /** Requests held unanswered by `hangNext` right now. */
  readonly hanging: number;
  /**
   * Answer the next `times` requests of a channel 200 with a body that never ends (written as fast
   * as the client reads it, until it hangs up).
   */
  streamEndlesslyNext(channel: ReceiverName, times?: number): void;
  /** Bytes of endless bodies written so far, and how many such answers are still being written. */
  readonly endless: { bytes: number; open: number };
  clear(): void;
  close(): Promise<void>;
}

const ROUTES: [RegExp, ReceiverName][] = [
  [/^\/teams\//, 'teams'],
  [/^\/slack\//, 'slack'],
  [/^\/pagerduty\/v2\/enqueue$/, 'pagerduty'],
  [/^\/webhook\//, 'webhook'],
  [/^\/appinsights\/v2(\.1)?\/track$/, 'appinsights'],
  [/^\/graph\/v1\.0\/users\/[^/]+\/sendMail$/, 'email'],
];

export async function startChannelReceivers(options: { tls: { cert: string; key: string }; host?: string }): Promise<ChannelReceivers> {
  const received: Received[] = [];
  const faults = new Map<ReceiverName, { status: number; left: number; retryAfter: string | undefined }>();
  const hangs = new Map<ReceiverName, number>();
  const held = new Set<ServerResponse>();
  const endlessNext = new Map<ReceiverName, number>();
  const endless = { bytes: 0, open: 0 };
  const CHUNK = Buffer.alloc(64 * 1024, 'x');

  const streamEndlessly = (res: ServerResponse) => {
    endless.open++;
    res.on('close', () => endless.open--);
    res.writeHead(200, { 'content-type': 'text/plain' });
    const pump = () => {
      while (!res.destroyed) {
        endless.bytes += CHUNK.length;
        if (!res.write(CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };

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
    const hang = hangs.get(channel) ?? 0;
    if (hang > 0) {
      hangs.set(channel, hang - 1);
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const streams = endlessNext.get(channel) ?? 0;
    if (streams > 0) {
      endlessNext.set(channel, streams - 1);
      streamEndlessly(res);
      return;
    }
    const fault = faults.get(channel);
    if (fault && fault.left > 0) {
      fault.left--;
      const headers: Record<string, string> = {};
      if (fault.retryAfter) headers['retry-after'] = fault.retryAfter;
      if (fault.status >= 300 && fault.status < 400) headers.location = req.url ?? '/';
      res.writeHead(fault.status, headers);
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
      case 'email':
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
      email: `${baseUrl}/graph`,
    },
    received,
    of: (channel) => received.filter((r) => r.channel === channel),
    failNext(channel, status, times = 1, retryAfter) {
      faults.set(channel, { status, left: times, retryAfter });
    },
    hangNext(channel, times = 1) {
      hangs.set(channel, times);
    },
    get hanging() {
      return held.size;
    },
    streamEndlesslyNext(channel, times = 1) {
      endlessNext.set(channel, times);
    },
    endless,
    clear() {
      received.length = 0;
      faults.clear();
      hangs.clear();
      endlessNext.clear();
      for (const res of held) res.destroy();
      held.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
