import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * The part of Microsoft Graph the postprovision hook talks to (service principals, app role
 * assignments), over loopback HTTPS, with Microsoft Entra's replication delay: a principal created
 * moments ago is unknown for its first few requests — `GET …/appRoleAssignments` answers 404 and
 * `POST …/appRoleAssignedTo` answers 400 "Not a valid reference update." (msgraph-bicep-types#193).
 */
export interface DirectoryServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles: { id: string; value: string }[];
}

export interface DirectorySimulator {
  baseUrl: string;
  token: string;
  servicePrincipals: DirectoryServicePrincipal[];
  assignments: { principalId: string; resourceId: string; appRoleId: string }[];
  requests: { method: string; path: string }[];
  /** A principal that exists but is not replicated yet: unknown for its next `requests` requests (Infinity: never). */
  replicating(principalId: string, requests: number): void;
  /** Every write answers 403 (the deployer lacks the role). */
  refuseWrites: boolean;
  close(): Promise<void>;
}

export async function startDirectorySimulator(options: { tls: { cert: string; key: string } }): Promise<DirectorySimulator> {
  const pending = new Map<string, number>();
  const visible = (principalId: string) => {
    const left = pending.get(principalId) ?? 0;
    if (left <= 0) return true;
    pending.set(principalId, left - 1);
    return false;
  };
  const error = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });

  const sim: DirectorySimulator = {
    baseUrl: '',
    token: 'directory-test-token',
    servicePrincipals: [],
    assignments: [],
    requests: [],
    refuseWrites: false,
    replicating(principalId, requests) {
      pending.set(principalId, requests);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  function answer(method: string, path: string, body: unknown): { status: number; body?: unknown } {
    let m = /^\/v1\.0\/servicePrincipals\(appId='([^']+)'\)$/.exec(path);
    if (m && method === 'GET') {
      const sp = sim.servicePrincipals.find((s) => s.appId === m?.[1]);
      if (!sp || !visible(sp.id)) return error(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist or one of its queried reference-property objects are not present.`);
      return { status: 200, body: sp };
    }
    m = /^\/v1\.0\/servicePrincipals\/([\w-]+)$/.exec(path);
    if (m && method === 'GET') {
      const sp = sim.servicePrincipals.find((s) => s.id === m?.[1]);
      return sp ? { status: 200, body: sp } : error(404, 'Request_ResourceNotFound', 'not found');
    }
    m = /^\/v1\.0\/(servicePrincipals|users|groups)\/([\w-]+)\/appRoleAssignments$/.exec(path);
    if (m && method === 'GET') {
      const principalId = m[2] as string;
      if (!visible(principalId)) return error(404, 'Request_ResourceNotFound', `Resource '${principalId}' does not exist or one of its queried reference-property objects are not present.`);
      return { status: 200, body: { value: sim.assignments.filter((a) => a.principalId === principalId) } };
    }
    m = /^\/v1\.0\/servicePrincipals\/([\w-]+)\/appRoleAssignedTo$/.exec(path);
    if (m && method === 'POST') {
      if (sim.refuseWrites) return error(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      const request = body as { principalId: string; resourceId: string; appRoleId: string };
      if (request.resourceId !== m[1]) return error(400, 'Request_BadRequest', 'resourceId must be the service principal of the path');
      if (!visible(request.principalId)) return error(400, 'Request_BadRequest', 'Not a valid reference update.');
      if (sim.assignments.some((a) => a.principalId === request.principalId && a.resourceId === request.resourceId && a.appRoleId === request.appRoleId)) {
        return error(400, 'Request_BadRequest', 'Permission being assigned already exists on the object');
      }
      sim.assignments.push({ principalId: request.principalId, resourceId: request.resourceId, appRoleId: request.appRoleId });
      return { status: 201, body: { id: `assignment-${sim.assignments.length}`, ...request } };
    }
    return error(404, 'UnknownRoute', `${method} ${path}`);
  }

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const path = decodeURIComponent(url.pathname);
      sim.requests.push({ method: req.method ?? '', path });
      if (req.headers.authorization !== `Bearer ${sim.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } }));
        return;
      }
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      const out = answer(req.method ?? 'GET', path, body);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sim.baseUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
  return sim;
}
