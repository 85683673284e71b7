/**
 * A small evaluator of ARM template expressions (`"[concat(...)]"`), for the tests that read what
 * `bicep snapshot` could not resolve before a deployment: values that come from resources created by
 * the deployment (a principal's id, a host name) stay as `Runtime` placeholders, everything else is
 * computed. It knows the functions this project's templates use and throws on any other, so a new
 * construct in the Bicep shows up as a failing test, never as a silently wrong value.
 */

/** A value only the deployment knows (e.g. `reference(<identity>).principalId`), kept by its expression. */
export class Runtime {
  constructor(readonly text: string) {}
  toString(): string {
    return `⟨${this.text}⟩`;
  }
}

export type ArmValue = string | number | boolean | null | Runtime | Lambda | ArmValue[] | { [key: string]: ArmValue };

/** `lambda('x', body)`: applied by filter, map, toObject. */
class Lambda {
  constructor(
    readonly params: string[],
    readonly body: Node,
  ) {}
}

type Node = { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'call'; name: string; args: Node[] } | { kind: 'member'; target: Node; name: Node; safe: boolean };

export interface ArmScope {
  parameters?: Record<string, ArmValue>;
  /** Variables by name: evaluated on first use, in this scope. */
  variables?: Record<string, unknown>;
  /** `reference(id, apiVersion?)`: defaults to a Runtime placeholder of the referenced resource. */
  reference?: (id: ArmValue, apiVersion?: ArmValue) => ArmValue;
  tenantId?: string;
  subscriptionId?: string;
  /** `environment()`: the public cloud unless a test evaluates another. */
  environment?: Record<string, unknown>;
}

/** The public cloud's `environment()`, the one the snapshots are evaluated in. */
export const AZURE_CLOUD = {
  name: 'AzureCloud',
  authentication: { loginEndpoint: 'https://login.microsoftonline.com/', audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'] },
  suffixes: { storage: 'core.windows.net', keyvaultDns: '.vault.azure.net' },
  graph: 'https://graph.windows.net/',
  resourceManager: 'https://management.azure.com/',
};

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

/** Evaluates every expression inside a JSON value (objects and arrays walked), in `scope`. */
export function evaluate(value: unknown, scope: ArmScope = {}): ArmValue {
  const context = new Context(scope);
  return context.deep(value);
}

class Context {
  private readonly varCache = new Map<string, ArmValue>();
  private readonly lambdaFrames: Record<string, ArmValue>[] = [];
  constructor(private readonly scope: ArmScope) {}

  deep(value: unknown): ArmValue {
    if (isExpression(value)) return this.eval(parse(value.slice(1, -1)));
    if (typeof value === 'string' && value.startsWith('[[')) return value.slice(1);
    if (Array.isArray(value)) return value.map((v) => this.deep(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v)]));
    return value as ArmValue;
  }

  private variable(name: string): ArmValue {
    const known = this.varCache.get(name);
    if (known !== undefined) return known;
    const vars = this.scope.variables ?? {};
    if (!(name in vars)) throw new Error(`variables('${name}') is not defined`);
    const value = this.deep(vars[name]);
    this.varCache.set(name, value);
    return value;
  }

  private eval(node: Node): ArmValue {
    switch (node.kind) {
      case 'string':
        return node.value;
      case 'number':
        return node.value;
      case 'member': {
        const target = this.eval(node.target);
        const key = this.eval(node.name);
        return member(target, key, node.safe);
      }
      case 'call':
        return this.call(node.name.toLowerCase(), node.args);
    }
  }

  private apply(fn: ArmValue | undefined, args: ArmValue[]): ArmValue {
    if (!(fn instanceof Lambda)) throw new Error('expected a lambda');
    const frame = Object.fromEntries(fn.params.map((p, i) => [p, args[i] ?? null]));
    this.lambdaFrames.push(frame);
    try {
      return this.eval(fn.body);
    } finally {
      this.lambdaFrames.pop();
    }
  }

  private call(name: string, argNodes: Node[]): ArmValue {
    if (name === 'lambda') {
      const names = argNodes.slice(0, -1).map((n) => this.eval(n));
      return new Lambda(names.map(String), argNodes[argNodes.length - 1] as Node);
    }
    if (name === 'if') {
      const condition = this.eval(argNodes[0] as Node);
      if (condition instanceof Runtime) return new Runtime(`if(${condition.text})`);
      return this.eval(argNodes[condition ? 1 : 2] as Node);
    }
    const args = argNodes.map((n) => this.eval(n));
    const [a, b, c] = args;
    switch (name) {
      case 'parameters': {
        const params = this.scope.parameters ?? {};
        if (!(String(a) in params)) throw new Error(`parameters('${String(a)}') has no value`);
        return params[String(a)] as ArmValue;
      }
      case 'variables':
        return this.variable(String(a));
      case 'lambdavariables': {
        for (let i = this.lambdaFrames.length - 1; i >= 0; i--) {
          const frame = this.lambdaFrames[i] as Record<string, ArmValue>;
          if (String(a) in frame) return frame[String(a)] as ArmValue;
        }
        throw new Error(`lambdaVariables('${String(a)}') is not bound`);
      }
      case 'reference':
        return this.scope.reference ? this.scope.reference(a ?? null, b) : new Runtime(`reference(${shortId(a)})`);
      case 'environment':
        return (this.scope.environment ?? AZURE_CLOUD) as unknown as ArmValue;
      case 'tenant':
        return { tenantId: this.scope.tenantId ?? '' };
      case 'subscription':
        return { id: `/subscriptions/${this.scope.subscriptionId ?? ''}`, subscriptionId: this.scope.subscriptionId ?? '', tenantId: this.scope.tenantId ?? '' };
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'json':
        return JSON.parse(String(a)) as ArmValue;
      case 'createobject': {
        const out: Record<string, ArmValue> = {};
        for (let i = 0; i < args.length; i += 2) out[String(args[i])] = args[i + 1] as ArmValue;
        return out;
      }
      case 'createarray':
        return args;
      case 'union':
        if (args.every(Array.isArray)) return [...new Set((args as ArmValue[][]).flat())];
        return Object.assign({}, ...args.map((x) => asObject(x, 'union')));
      case 'concat':
        if (args.every(Array.isArray)) return (args as ArmValue[][]).flat();
        return args.map(text).join('');
      case 'flatten':
        return asArray(a, 'flatten').flatMap((x) => asArray(x, 'flatten'));
      case 'items':
        return Object.entries(asObject(a, 'items'))
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([key, value]) => ({ key, value }));
      case 'toobject':
        return Object.fromEntries(asArray(a, 'toObject').map((item) => [String(this.apply(b, [item])), c === undefined ? item : this.apply(c, [item])]));
      case 'filter':
        return asArray(a, 'filter').filter((item, i) => truthy(this.apply(b, [item, i])));
      case 'map':
        return asArray(a, 'map').map((item, i) => this.apply(b, [item, i]));
      case 'length':
        return Array.isArray(a) ? a.length : typeof a === 'string' ? a.length : Object.keys(asObject(a, 'length')).length;
      case 'empty':
        if (a instanceof Runtime) return false; // a value the deployment produces is there
        return a === null || a === '' || (Array.isArray(a) && a.length === 0) || (typeof a === 'object' && Object.keys(a as object).length === 0);
      case 'not':
        return logic(a, (x) => !x, 'not');
      case 'and':
        return args.some((x) => x === false) ? false : args.some((x) => x instanceof Runtime) ? new Runtime('and(…)') : true;
      case 'or':
        return args.some((x) => x === true) ? true : args.some((x) => x instanceof Runtime) ? new Runtime('or(…)') : false;
      case 'equals':
        if (a instanceof Runtime || b instanceof Runtime) return new Runtime(`equals(${text(a ?? null)}, ${text(b ?? null)})`);
        return JSON.stringify(a) === JSON.stringify(b);
      case 'contains':
        if (typeof a === 'string') return a.includes(text(b ?? null));
        if (Array.isArray(a)) return a.some((x) => JSON.stringify(x) === JSON.stringify(b));
        return String(b) in asObject(a, 'contains');
      case 'tolower':
        return typeof a === 'string' ? a.toLowerCase() : new Runtime(`toLower(${text(a ?? null)})`);
      case 'split':
        return typeof a === 'string' ? a.split(text(b ?? null)) : new Runtime(`split(${text(a ?? null)})`);
      case 'trim':
        return typeof a === 'string' ? a.trim() : new Runtime(`trim(${text(a ?? null)})`);
      case 'intersection':
        if (args.every(Array.isArray)) return (args[0] as ArmValue[]).filter((x) => (args.slice(1) as ArmValue[][]).every((other) => other.some((y) => JSON.stringify(y) === JSON.stringify(x))));
        throw new Error('intersection() of objects: teach the evaluator');
      case 'greater':
        if (a instanceof Runtime || b instanceof Runtime) return new Runtime(`greater(${text(a ?? null)}, ${text(b ?? null)})`);
        return (a as number | string) > (b as number | string);
      case 'string':
        return typeof a === 'string' ? a : JSON.stringify(a);
      case 'int':
        return Number.parseInt(String(a), 10);
      case 'format':
        return String(a).replace(/\{\{|\}\}|\{(\d+)(?::[^}]*)?\}/g, (m, i: string | undefined) => (m === '{{' ? '{' : m === '}}' ? '}' : text(args[Number(i) + 1] ?? null)));
      case 'tryget':
        return member(a ?? null, b ?? null, true);
      case 'coalesce':
        return args.find((x) => x !== null) ?? null;
      case 'subscriptionresourceid':
        return `/subscriptions/${this.scope.subscriptionId ?? ''}/providers/${String(a)}/${args.slice(1).map(text).join('/')}`;
      default:
        throw new Error(`the test's ARM evaluator does not know ${name}(): teach it (test/support/armExpression.ts)`);
    }
  }
}

function shortId(id: ArmValue | undefined): string {
  const s = text(id ?? null);
  const parts = s.split('/');
  return parts.length > 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}` : s;
}

function text(v: ArmValue): string {
  if (v instanceof Runtime) return v.toString();
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function truthy(v: ArmValue): boolean {
  if (v instanceof Runtime) throw new Error(`a condition depends on a deployment value: ${v.text}`);
  return Boolean(v);
}

function logic(a: ArmValue | undefined, f: (x: boolean) => boolean, name: string): ArmValue {
  if (a instanceof Runtime) return new Runtime(`${name}(${a.text})`);
  return f(Boolean(a));
}

function asArray(v: ArmValue | undefined, fn: string): ArmValue[] {
  if (!Array.isArray(v)) throw new Error(`${fn}() expects an array, got ${text(v ?? null)}`);
  return v;
}

function asObject(v: ArmValue | undefined, fn: string): Record<string, ArmValue> {
  if (!v || typeof v !== 'object' || Array.isArray(v) || v instanceof Runtime) throw new Error(`${fn}() expects an object, got ${text(v ?? null)}`);
  return v as Record<string, ArmValue>;
}

function member(target: ArmValue, key: ArmValue, safe: boolean): ArmValue {
  if (target instanceof Runtime) return new Runtime(`${target.text}.${text(key)}`);
  if (target === null && safe) return null;
  if (Array.isArray(target)) return target[Number(key)] ?? (safe ? null : fail(`index ${text(key)} out of range`));
  if (target && typeof target === 'object') {
    const found = Object.entries(target).find(([k]) => k.toLowerCase() === String(key).toLowerCase()); // ARM property names are case-insensitive
    if (found) return found[1];
    if (safe) return null;
  }
  return fail(`no property ${text(key)} in ${text(target).slice(0, 200)}`);
}

function fail(message: string): never {
  throw new Error(message);
}

/** Parses the inside of `[...]`. */
function parse(source: string): Node {
  let i = 0;
  const ws = () => {
    while (i < source.length && /\s/.test(source[i] as string)) i++;
  };
  const expr = (): Node => {
    ws();
    let node = primary();
    for (;;) {
      ws();
      if (source[i] === '.') {
        i++;
        const safe = source[i] === '?';
        if (safe) i++;
        const start = i;
        while (i < source.length && /[\w$]/.test(source[i] as string)) i++;
        node = { kind: 'member', target: node, name: { kind: 'string', value: source.slice(start, i) }, safe };
      } else if (source[i] === '[') {
        i++;
        const index = expr();
        ws();
        expect(']');
        node = { kind: 'member', target: node, name: index, safe: false };
      } else return node;
    }
  };
  const expect = (ch: string) => {
    if (source[i] !== ch) throw new Error(`expected "${ch}" at ${i} in [${source}]`);
    i++;
  };
  const primary = (): Node => {
    const ch = source[i];
    if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new Error(`unterminated string in [${source}]`);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i];
        i++;
      }
      return { kind: 'string', value };
    }
    if (ch !== undefined && /[-\d]/.test(ch)) {
      const start = i;
      i++;
      while (i < source.length && /\d/.test(source[i] as string)) i++;
      return { kind: 'number', value: Number(source.slice(start, i)) };
    }
    const start = i;
    while (i < source.length && /\w/.test(source[i] as string)) i++;
    const name = source.slice(start, i);
    if (!name) throw new Error(`unexpected "${ch ?? 'end'}" at ${i} in [${source}]`);
    ws();
    expect('(');
    const args: Node[] = [];
    ws();
    if (source[i] === ')') i++;
    else {
      for (;;) {
        args.push(expr());
        ws();
        if (source[i] === ',') {
          i++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name, args };
  };
  const node = expr();
  ws();
  if (i !== source.length) throw new Error(`unexpected text at ${i} in [${source}]`);
  return node;
}
