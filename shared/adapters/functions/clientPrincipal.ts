/** The app role that allows renewal actions from the status page (SPEC §12). */
export const OPERATOR_ROLE = 'ApnsMonitor.Operator';

/** The person App Service Authentication signed in. */
export interface ClientPrincipal {
  name: string;
  tenantId?: string;
  roles: string[];
}

interface HeaderSource {
  get(name: string): string | null;
}

interface Claim {
  typ: string;
  val: string;
}

// Entra's claim types as App Service passes them (short JWT names, or the WS-Fed URIs it maps them to).
const NAME_CLAIMS = ['name', 'preferred_username', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'upn', 'email'];
const ROLE_CLAIMS = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const TENANT_CLAIMS = ['http://schemas.microsoft.com/identity/claims/tenantid', 'tid'];
const MAX_HEADER_CHARS = 32 * 1024;

function parseClaims(encoded: string): { claims: Claim[]; nameTyp?: string; roleTyp?: string } | null {
  if (encoded.length > MAX_HEADER_CHARS) return null;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    // Not what App Service sends: treated as no principal (the page then refuses), never as a user.
    return null;
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { claims?: unknown }).claims)) return null;
  const b = body as { claims: unknown[]; name_typ?: unknown; role_typ?: unknown };
  const claims = b.claims.filter((c): c is Claim => typeof c === 'object' && c !== null && typeof (c as Claim).typ === 'string' && typeof (c as Claim).val === 'string');
  return {
    claims,
    ...(typeof b.name_typ === 'string' ? { nameTyp: b.name_typ } : {}),
    ...(typeof b.role_typ === 'string' ? { roleTyp: b.role_typ } : {}),
  };
}

/**
 * Who is calling, from App Service Authentication's `x-ms-client-principal` (base64 JSON
 * `{auth_typ, claims:[{typ,val}], name_typ, role_typ}`) and `x-ms-client-principal-name`.
 * Trusted only when Easy Auth is on (`WEBSITE_AUTH_ENABLED=True`): only then does App Service strip
 * such headers from the incoming request, so otherwise anyone could send them (SPEC §9) and the
 * answer is null. A principal header that does not parse is null too, never a guessed user.
 */
export function clientPrincipal(headers: HeaderSource, easyAuthEnabled: boolean): ClientPrincipal | null {
  if (!easyAuthEnabled) return null;
  const headerName = headers.get('x-ms-client-principal-name')?.trim() || undefined;
  const encoded = headers.get('x-ms-client-principal')?.trim();
  if (!encoded) return headerName ? { name: headerName, roles: [] } : null;
  const parsed = parseClaims(encoded);
  if (parsed === null) return null;
  const first = (types: readonly (string | undefined)[]) => {
    for (const typ of types) {
      const value = typ === undefined ? undefined : parsed.claims.find((c) => c.typ === typ)?.val.trim();
      if (value) return value;
    }
    return undefined;
  };
  const name = headerName ?? first([parsed.nameTyp, ...NAME_CLAIMS]) ?? headers.get('x-ms-client-principal-id')?.trim();
  if (!name) return null;
  const roleTypes = new Set([...ROLE_CLAIMS, ...(parsed.roleTyp ? [parsed.roleTyp] : [])]);
  const roles = [...new Set(parsed.claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val.trim()).filter((r) => r !== ''))];
  const tenantId = first(TENANT_CLAIMS);
  return tenantId ? { name, tenantId, roles } : { name, roles };
}
