import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { normalizeAudience, readToken } from './identitySimulator';

/**
 * Key Vault secrets over loopback HTTPS, with the real 401 challenge: the first request comes
 * without a token and is answered `WWW-Authenticate: Bearer authorization=…, resource=…`, then the
 * client asks the managed identity for a token for that resource. The vault host must be a
 * subdomain of the resource host for the client to accept the challenge, hence
 * `https://vault.localhost:<port>` (resolved by installLoopbackDns) and resource `https://localhost`.
 */
export interface StoredSecret {
  version: string;
  value: string;
  contentType: string | undefined;
  enabled: boolean;
  created: number;
}

export interface KeyVaultSimulator {
  vaultUrl: string;
  resource: string;
  requests: { method: string; path: string; authorized: boolean; status: number }[];
  /** Adds a new version (the latest) and returns its id. */
  setSecret(name: string, value: string, options?: { contentType?: string; enabled?: boolean }): string;
  setEnabled(name: string, enabled: boolean, version?: string): void;
  /** Answer the next `times` authorized requests with this status (e.g. 403 ForbiddenByRbac, 500). */
  failNext(status: number, times?: number, code?: string): void;
  /**
   * The `Microsoft.KeyVault.SecretNewVersionCreated` event Event Grid delivers for a version of a
   * secret, in either schema, shaped like Microsoft's own example (PascalCase data keys, `NBF`/`EXP` as
   * strings of seconds): what the system topic on this vault would send.
   */
  secretEvent(name: string, version: string, schema?: 'eventgrid' | 'cloudevents'): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startKeyVaultSimulator(options: { tls: { cert: string; key: string }; tenantId?: string; host?: string }): Promise<KeyVaultSimulator> {
  const secrets = new Map<string, StoredSecret[]>();
  const requests: KeyVaultSimulator['requests'] = [];
  let fault: { status: number; left: number; code: string } | undefined;
  const resource = 'https://localhost';
  const tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  let vaultUrl = '';

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: req.method ?? 'GET', path: url.pathname, authorized: !!req.headers.authorization, status });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      const claims = readToken(req.headers.authorization);
      if (!claims) {
        return send(401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, {
          'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${resource}"`,
        });
      }
      if (normalizeAudience(claims.aud) !== resource) {
        return send(401, { error: { code: 'Unauthorized', message: 'AKV10022: Invalid audience.' } });
      }
      if (fault && fault.left > 0) {
        fault.left--;
        const inner = fault.code ? { innererror: { code: fault.code } } : {};
        return send(fault.status, { error: { code: fault.status === 403 ? 'Forbidden' : 'InternalServerError', message: `Simulated ${fault.status}.`, ...inner } });
      }
      const match = /^\/secrets\/([0-9a-zA-Z-]+)(?:\/([0-9a-zA-Z]*))?\/?$/.exec(url.pathname);
      if (req.method !== 'GET' || !match) return send(400, { error: { code: 'BadParameter', message: 'Unsupported request.' } });
      const name = match[1] as string;
      const version = match[2] || undefined;
      const versions = secrets.get(name) ?? [];
      const secret = version ? versions.find((v) => v.version === version) : versions.at(-1);
      if (!secret) {
        return send(404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault.` } });
      }
      if (!secret.enabled) {
        return send(403, { error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } } });
      }
      const created = Math.floor(secret.created / 1000);
      send(200, {
        value: secret.value,
        ...(secret.contentType ? { contentType: secret.contentType } : {}),
        id: `${vaultUrl}/secrets/${name}/${secret.version}`,
        attributes: { enabled: true, created, updated: created, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
        tags: {},
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  vaultUrl = `https://${options.host ?? 'vault.localhost'}:${port}`;

  return {
    vaultUrl,
    resource,
    requests,
    setSecret(name, value, opts = {}) {
      const version = randomBytes(16).toString('hex');
      const list = secrets.get(name) ?? [];
      list.push({ version, value, contentType: opts.contentType, enabled: opts.enabled ?? true, created: Date.now() });
      secrets.set(name, list);
      return version;
    },
    setEnabled(name, enabled, version) {
      for (const s of secrets.get(name) ?? []) if (!version || s.version === version) s.enabled = enabled;
    },
    failNext(status, times = 1, code = '') {
      fault = { status, left: times, code };
    },
    secretEvent(name, version, schema = 'eventgrid') {
      const vaultName = new URL(vaultUrl).hostname.split('.')[0] ?? '';
      const source = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apns/providers/Microsoft.KeyVault/vaults/${vaultName}`;
      const stored = secrets.get(name)?.find((v) => v.version === version);
      const created = Math.floor((stored?.created ?? Date.now()) / 1000);
      const data = { Id: `${vaultUrl}/secrets/${name}/${version}`, VaultName: vaultName, ObjectType: 'Secret', ObjectName: name, Version: version, NBF: String(created), EXP: null };
      const id = randomBytes(16).toString('hex');
      const time = new Date(created * 1000).toISOString();
      const type = 'Microsoft.KeyVault.SecretNewVersionCreated';
      return schema === 'cloudevents'
        ? { id, source, subject: name, type, time, data, specversion: '1.0' }
        : { id, topic: source, subject: name, eventType: type, eventTime: time, data, dataVersion: '1', metadataVersion: '1' };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
