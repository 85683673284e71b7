import type { EpochMs } from './assets';
import { AppError } from './errors';
import { isRecord } from './graphJson';

/**
 * The fleet's registry (SPEC §15): tenants added with `apns-monitor tenants add|import|discover`,
 * kept with the state, watched besides `APNS_TENANTS` without a redeploy. Pure: validation, the
 * changes, and how the registry and the setting make the list of watched tenants.
 */

/** How a tenant came into the registry. */
export type RegistrationVia = 'add' | 'import' | 'discover';

export interface RegisteredTenant {
  /** A tenant id (GUID) or a verified domain name, lower case: one tenant is one entry. */
  id: string;
  /** How people know it (the id when none was given). */
  name: string;
  /**
   * The customer's own routes (`APNS_ROUTE_<R>_…`, SPEC §15), in capitals as in the setting names.
   * Stored here; what a route delivers to is the delivery planning's concern.
   */
  routes: string[];
  addedAt: EpochMs;
  /** Last changed (a name or routes given again). */
  updatedAt: EpochMs;
  via: RegistrationVia;
}

/** The whole registry is one record: one read per run, and an import is added whole or not at all. */
export interface TenantRegistryRecord {
  schema: 1;
  tenants: RegisteredTenant[];
}

/** What a person asks to register: the id, and optionally a name and routes. */
export interface RegistryEntry {
  id: string;
  name?: string;
  routes?: readonly string[];
}

/** A watched tenant's origin, for people: the setting, or the registry. */
export type TenantSource = 'setting' | 'registry';

export function emptyRegistry(): TenantRegistryRecord {
  return { schema: 1, tenants: [] };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A domain name as Entra verifies one (contoso.onmicrosoft.com): labels of letters, digits and inner
// hyphens, a dot at least; at most 64 characters like every tenant id here (SPEC §11's alert keys).
const DOMAIN = /^(?=.{4,64}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const ROUTE = /^[A-Za-z0-9]{1,32}$/;
const MAX_NAME = 256;
// C0 and C1 controls, DEL, the line separators and the bidi controls that reorder what is read (the
// characters adapters/notifiers/plainText.ts escapes on every plain-text exit): a name is one plain line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const shown = (text: string) => JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);

/**
 * A tenant id for the registry: a GUID or a domain name (what APNS_TENANTS and Entra's authority
 * accept), lower case. Returns the problem as text, for the caller to place (a line number, a flag).
 */
export function parseRegistryTenantId(text: string): { id: string } | { problem: string } {
  const id = text.trim();
  if (GUID.test(id) || DOMAIN.test(id)) return { id: id.toLowerCase() };
  return { problem: `${shown(id)} is not a tenant ID (a GUID such as 00000000-0000-0000-0000-000000000000, or a domain such as contoso.onmicrosoft.com)` };
}

/** A route name: letters and digits, in capitals (it is part of the setting names `APNS_ROUTE_<R>_…`). */
export function parseRouteName(text: string): { route: string } | { problem: string } {
  const route = text.trim();
  if (ROUTE.test(route)) return { route: route.toUpperCase() };
  return { problem: `route ${shown(route)} must be 1–32 letters or digits (it names the settings APNS_ROUTE_<R>_…)` };
}

/** A display name: optional, one line, at most 256 characters. */
export function parseTenantName(text: string): { name: string } | { problem: string } {
  const name = text.trim();
  if (CONTROL.test(name)) return { problem: 'the name holds control characters' };
  if (name.length > MAX_NAME) return { problem: `the name is longer than ${MAX_NAME} characters` };
  return { name };
}

/**
 * A name from elsewhere (Graph's `displayName`, which a customer's admin writes) made fit for the
 * registry: control characters become spaces, and it is cut at 256 characters. Empty: none.
 */
export function tenantNameFrom(text: string | null | undefined): string | undefined {
  const name = (text ?? '').replace(new RegExp(CONTROL.source, 'g'), ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
  return name === '' ? undefined : name;
}

/** One entry checked whole: every problem of it, or the normalised entry. */
export function parseRegistryEntry(input: { id: string; name?: string | undefined; routes?: readonly string[] | undefined }): { entry: RegistryEntry } | { problems: string[] } {
  const problems: string[] = [];
  const id = parseRegistryTenantId(input.id);
  if ('problem' in id) problems.push(id.problem);
  let name: string | undefined;
  if (input.name !== undefined) {
    const parsed = parseTenantName(input.name);
    if ('problem' in parsed) problems.push(parsed.problem);
    else if (parsed.name !== '') name = parsed.name;
  }
  const routes: string[] = [];
  for (const text of input.routes ?? []) {
    const parsed = parseRouteName(text);
    if ('problem' in parsed) problems.push(parsed.problem);
    else if (!routes.includes(parsed.route)) routes.push(parsed.route);
  }
  if (problems.length > 0 || 'problem' in id) return { problems };
  return { entry: { id: id.id, ...(name === undefined ? {} : { name }), ...(input.routes === undefined ? {} : { routes }) } };
}

/** Stored JSON as a registry, or `state_unreadable` (never "repaired" silently: it is left as it is). */
export function parseRegistry(value: unknown, where: string): TenantRegistryRecord {
  const fail = (why: string): never => {
    throw new AppError('state_unreadable', `The tenant registry in ${where} is unreadable: ${why}. It was left as it is; fix or remove it.`);
  };
  if (!isRecord(value)) return fail('it is not a JSON object');
  if (value.schema !== 1) return fail(`unknown schema ${JSON.stringify(value.schema)}`);
  if (!Array.isArray(value.tenants)) return fail('tenants is not a list');
  value.tenants.forEach((t: unknown, i) => {
    if (!isRecord(t) || typeof t.id !== 'string' || typeof t.name !== 'string' || !Array.isArray(t.routes) || typeof t.addedAt !== 'number') fail(`entry ${i + 1} is not a tenant`);
  });
  return value as unknown as TenantRegistryRecord;
}

/** Why a tenant of the setting is not (also) added to the registry: the setting decides for it. */
export function fromSettingMessage(id: string): string {
  return `tenant ${id} comes from the APNS_TENANTS setting: change its name there (its routes with APNS_TENANT_ROUTES), or remove it from the setting first`;
}

export interface RegistryChange {
  registry: TenantRegistryRecord;
  added: RegisteredTenant[];
  /** Entries given again with another name or other routes. */
  updated: RegisteredTenant[];
  /** Entries given again exactly as registered. */
  unchanged: RegisteredTenant[];
}

/**
 * Adds (or updates) entries. A tenant of the setting is refused (the setting wins: SPEC §15 "adds to
 * APNS_TENANTS"), as is an entry given twice; all refusals are reported together and nothing changes.
 * Given again, an entry keeps what is not given (its name, its routes).
 */
export function registerTenants(
  registry: TenantRegistryRecord,
  entries: readonly RegistryEntry[],
  context: { setting: readonly { id: string }[]; now: EpochMs; via: RegistrationVia },
): RegistryChange {
  const inSetting = new Set(context.setting.map((t) => t.id.toLowerCase()));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (inSetting.has(entry.id)) problems.push(fromSettingMessage(entry.id));
    if (seen.has(entry.id)) problems.push(`tenant ${entry.id} is given twice`);
    seen.add(entry.id);
  }
  if (problems.length > 0) throw new AppError('invalid_request', `Nothing was registered: ${problems.join('; ')}.`);
  const tenants = registry.tenants.map((t) => ({ ...t, routes: [...t.routes] }));
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const change: RegistryChange = { registry: { schema: 1, tenants }, added: [], updated: [], unchanged: [] };
  for (const entry of entries) {
    const known = byId.get(entry.id);
    if (!known) {
      const added: RegisteredTenant = { id: entry.id, name: entry.name ?? entry.id, routes: [...(entry.routes ?? [])], addedAt: context.now, updatedAt: context.now, via: context.via };
      tenants.push(added);
      byId.set(added.id, added);
      change.added.push(added);
      continue;
    }
    const name = entry.name ?? known.name;
    const routes = entry.routes ? [...entry.routes] : known.routes;
    if (name === known.name && routes.join('+') === known.routes.join('+')) {
      change.unchanged.push(known);
      continue;
    }
    Object.assign(known, { name, routes, updatedAt: context.now });
    change.updated.push(known);
  }
  return change;
}

/** The registry without `id`, and the entry removed (undefined: it was not registered). */
export function unregisterTenant(registry: TenantRegistryRecord, id: string): { registry: TenantRegistryRecord; removed: RegisteredTenant | undefined } {
  const wanted = id.toLowerCase();
  const removed = registry.tenants.find((t) => t.id === wanted);
  return { registry: { schema: 1, tenants: registry.tenants.filter((t) => t.id !== wanted) }, removed };
}

/** A watched tenant as the runs see it: the setting's `{id, name}`, or the registry's with its routes. */
export interface WatchedTenant {
  id: string;
  name: string;
  source?: TenantSource;
  routes?: readonly string[];
}

/**
 * The tenants a fleet watches: the setting's, in its order, then the registry's in the order they
 * were added. For a tenant in both, the setting wins (its name; the registry entry is ignored) —
 * the deployment's own configuration is the one a person reviewed.
 */
export function watchedTenants<T extends { id: string; name: string }>(setting: readonly T[], registry: TenantRegistryRecord): (T | WatchedTenant)[] {
  const inSetting = new Set(setting.map((t) => t.id.toLowerCase()));
  const registered = registry.tenants
    .filter((t) => !inSetting.has(t.id))
    .map((t): WatchedTenant => ({ id: t.id, name: t.name, source: 'registry', routes: t.routes }));
  return [...setting, ...registered];
}

/** Registry entries hidden by a tenant of the same id in the setting (listed so a person can tidy them). */
export function shadowedEntries(setting: readonly { id: string }[], registry: TenantRegistryRecord): RegisteredTenant[] {
  const inSetting = new Set(setting.map((t) => t.id.toLowerCase()));
  return registry.tenants.filter((t) => inSetting.has(t.id));
}

// ── CSV import ──────────────────────────────────────────────────────────────────────────────────

export interface CsvLineProblem {
  line: number;
  message: string;
}

/**
 * The lines of a CSV file as fields (RFC 4180: quoted fields, `""` inside quotes, CRLF or LF), and
 * the problem of a quote left open (it swallows the rest of the file: the lines before it still count).
 */
function csvRows(text: string): { rows: { line: number; fields: string[] }[]; unclosed?: CsvLineProblem } {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      started = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      started = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (started || field !== '') rows.push({ line: rowLine, fields: [...fields, field] });
      fields = [];
      field = '';
      started = false;
      line++;
      rowLine = line;
    } else {
      field += c;
      started = true;
    }
  }
  if (quoted) return { rows, unclosed: { line: rowLine, message: 'a quoted field is not closed' } };
  if (started || field !== '') rows.push({ line: rowLine, fields: [...fields, field] });
  return { rows };
}

const HEADER = ['tenantid', 'name', 'routes'];

/**
 * `tenantId,name,routes` lines (routes `R1+R2`; name and routes may be empty; a first line naming the
 * columns is allowed), each checked on its own: every bad line is reported with its number, and the
 * caller adds nothing when there is one.
 */
export function parseTenantsCsv(text: string): { entries: (RegistryEntry & { line: number })[]; problems: CsvLineProblem[] } {
  const { rows, unclosed } = csvRows(text.replace(/^\uFEFF/, '')); // a BOM, as spreadsheet programs write one
  const entries: (RegistryEntry & { line: number })[] = [];
  const problems: CsvLineProblem[] = [];
  const firstLine = new Map<string, number>();
  rows.forEach(({ line, fields }, index) => {
    if (index === 0 && fields[0]?.trim().toLowerCase().replace(/[\s_-]/g, '') === HEADER[0]) return;
    if (fields.every((f) => f.trim() === '')) return;
    if (fields.length > 3) {
      problems.push({ line, message: `${fields.length} fields, expected tenantId,name,routes (quote a name that holds a comma)` });
      return;
    }
    const [id = '', name = '', routes = ''] = fields;
    const parsed = parseRegistryEntry({ id, name, routes: routes.trim() === '' ? [] : routes.split('+') });
    if ('problems' in parsed) {
      problems.push({ line, message: parsed.problems.join('; ') });
      return;
    }
    const earlier = firstLine.get(parsed.entry.id);
    if (earlier !== undefined) {
      problems.push({ line, message: `tenant ${parsed.entry.id} is already on line ${earlier}` });
      return;
    }
    firstLine.set(parsed.entry.id, line);
    entries.push({ ...parsed.entry, line });
  });
  if (unclosed) problems.push(unclosed);
  if (entries.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'the file lists no tenant (tenantId,name,routes)' });
  return { entries, problems };
}
