import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageRequest {
  method: string;
  /** Path and query, decoded (`/devstoreaccount1/table()?$filter=…`). */
  path: string;
}

/**
 * A loopback HTTP proxy in front of Azurite that records every request the product's SDK clients
 * send, so a test can count storage round trips (the status page's "one query, not one per tenant").
 * `connectionString` is the given one with its table endpoint moved to the proxy.
 */
export interface StorageRequestRecorder {
  connectionString: string;
  requests: StorageRequest[];
  close(): Promise<void>;
}

export async function recordStorageRequests(connectionString: string): Promise<StorageRequestRecorder> {
  const endpoint = /TableEndpoint=(http:\/\/127\.0\.0\.1:(\d+))/.exec(connectionString);
  if (!endpoint) throw new Error('recordStorageRequests: the connection string has no loopback TableEndpoint');
  const targetPort = Number(endpoint[2]);
  const requests: StorageRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: decodeURIComponent(req.url ?? '/') });
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${targetPort}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    connectionString: connectionString.replace(endpoint[1] as string, `http://127.0.0.1:${port}`),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
