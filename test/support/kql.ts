/**
 * Runs a Kusto (KQL) query over rows in memory: the subset the Azure Monitor rules of
 * infra/app/alerts.bicep use (`let`, `where`, `extend`, `summarize` with `max`, `min`, `arg_max`,
 * `count` and `by`; `ago`, `now`, `todatetime`, `tostring`, `iff`, `isnull`, `isnotnull`; `in`,
 * `and`, `or`, comparisons, `+`/`-`). The tests take each rule's query from the compiled template and
 * evaluate it over the telemetry the real SDK sent, so a rule and the telemetry cannot drift apart.
 * Anything outside the subset throws, naming it.
 */

// An interface (a TelemetryRow) is a row too: its fields are the columns.
export type Row = object;
type Value = unknown;

type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'id'; name: string }
  | { k: 'member'; target: Expr; name: string }
  | { k: 'call'; name: string; args: Expr[] }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'in'; e: Expr; list: Expr[] };

interface Assign {
  name: string | undefined;
  e: Expr;
}

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  const re = /\s+|\/\/[^\n]*|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\d+(?:\.\d+)?(?:ms|d|h|m|s)?)|([A-Za-z_][\w]*)|(==|!=|<=|>=|[|(),=<>+\-*/.;])/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < source.length && (m = re.exec(source))) {
    const token = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (token !== undefined) tokens.push(token);
  }
  if (re.lastIndex < source.length) throw new Error(`KQL: cannot read "${source.slice(re.lastIndex, re.lastIndex + 20)}"`);
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly t: string[]) {}
  peek(): string | undefined {
    return this.t[this.i];
  }
  next(): string {
    const token = this.t[this.i++];
    if (token === undefined) throw new Error('KQL: unexpected end of query');
    return token;
  }
  eat(token: string): boolean {
    if (this.peek() === token) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(token: string): void {
    const got = this.next();
    if (got !== token) throw new Error(`KQL: expected "${token}", got "${got}"`);
  }
  done(): boolean {
    return this.i >= this.t.length;
  }
  expr(): Expr {
    return this.or();
  }
  private or(): Expr {
    let l = this.and();
    while (this.eat('or')) l = { k: 'bin', op: 'or', l, r: this.and() };
    return l;
  }
  private and(): Expr {
    let l = this.cmp();
    while (this.eat('and')) l = { k: 'bin', op: 'and', l, r: this.cmp() };
    return l;
  }
  private cmp(): Expr {
    const l = this.add();
    const op = this.peek();
    if (op && ['==', '!=', '<', '<=', '>', '>='].includes(op)) {
      this.next();
      return { k: 'bin', op, l, r: this.add() };
    }
    if (op === 'in') {
      this.next();
      this.expect('(');
      const list: Expr[] = [];
      do list.push(this.expr());
      while (this.eat(','));
      this.expect(')');
      return { k: 'in', e: l, list };
    }
    return l;
  }
  private add(): Expr {
    let l = this.unary();
    for (;;) {
      const op = this.peek();
      if (op !== '+' && op !== '-') return l;
      this.next();
      l = { k: 'bin', op, l, r: this.unary() };
    }
  }
  private unary(): Expr {
    if (this.eat('-')) return { k: 'unary', op: '-', e: this.unary() };
    return this.postfix();
  }
  private postfix(): Expr {
    let e = this.primary();
    while (this.eat('.')) e = { k: 'member', target: e, name: this.next() };
    return e;
  }
  private primary(): Expr {
    const token = this.next();
    if (token === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (/^["']/.test(token)) return { k: 'str', v: JSON.parse(`"${token.slice(1, -1).replace(/"/g, '\\"')}"`) as string };
    const num = /^(\d+(?:\.\d+)?)(ms|d|h|m|s)?$/.exec(token);
    if (num) return { k: 'num', v: Number(num[1]) * (num[2] ? (UNITS[num[2]] as number) : 1) };
    if (!/^[A-Za-z_]/.test(token)) throw new Error(`KQL: unexpected "${token}"`);
    if (this.eat('(')) {
      const args: Expr[] = [];
      if (!this.eat(')')) {
        do args.push(this.expr());
        while (this.eat(','));
        this.expect(')');
      }
      return { k: 'call', name: token, args };
    }
    return { k: 'id', name: token };
  }
  assign(): Assign {
    const save = this.i;
    const first = this.next();
    if (/^[A-Za-z_]\w*$/.test(first) && this.eat('=')) return { name: first, e: this.expr() };
    this.i = save;
    return { name: undefined, e: this.expr() };
  }
  assigns(): Assign[] {
    const list: Assign[] = [];
    do list.push(this.assign());
    while (this.eat(','));
    return list;
  }
}

/** The column a bare expression names (`max(timestamp)` → `max_timestamp`, `customDimensions.ok` → `ok`), as Kusto does. */
function columnName(a: Assign, fallback: string): string {
  if (a.name) return a.name;
  const e = a.e;
  if (e.k === 'id') return e.name;
  if (e.k === 'member') return e.name;
  if (e.k === 'call' && e.args[0]?.k === 'id') return `${e.name}_${e.args[0].name}`;
  return fallback;
}

export interface KqlContext {
  /** `now()` and the base of `ago()`, epoch ms. */
  now: number;
  tables: Record<string, Row[]>;
}

export function runKql(query: string, context: KqlContext): Columns[] {
  const p = new Parser(tokenize(query));
  const lets: Record<string, Value> = {};
  const scalar = (e: Expr, row: Columns): Value => evalExpr(e, row, lets, context);
  while (p.peek() === 'let') {
    p.next();
    const name = p.next();
    p.expect('=');
    lets[name] = scalar(p.expr(), {});
    p.expect(';');
  }
  const table = p.next();
  let rows: Record<string, unknown>[] = [...(context.tables[table] ?? fail(`KQL: no table ${table}`))].map((r) => ({ ...r }));
  while (p.eat('|')) {
    const op = p.next();
    if (op === 'where') {
      const e = p.expr();
      rows = rows.filter((r) => scalar(e, r) === true);
    } else if (op === 'extend') {
      const assigns = p.assigns();
      rows = rows.map((r) => {
        const out = { ...r };
        assigns.forEach((a, i) => (out[columnName(a, `Column${i + 1}`)] = scalar(a.e, out)));
        return out;
      });
    } else if (op === 'summarize') {
      const aggregates = p.assigns();
      const by = p.eat('by') ? p.assigns() : [];
      const groups = new Map<string, { keys: Record<string, unknown>; rows: Record<string, unknown>[] }>();
      for (const r of rows) {
        const keys: Record<string, unknown> = {};
        by.forEach((b, i) => (keys[columnName(b, `Column${i + 1}`)] = scalar(b.e, r)));
        const id = JSON.stringify(keys);
        const g = groups.get(id) ?? { keys, rows: [] };
        g.rows.push(r);
        groups.set(id, g);
      }
      // Without `by`, an aggregation of nothing is still one row (of nulls): the heartbeat relies on it.
      if (by.length === 0 && groups.size === 0) groups.set('{}', { keys: {}, rows: [] });
      rows = [...groups.values()].map((g) => {
        const out: Record<string, unknown> = { ...g.keys };
        aggregates.forEach((a, i) => Object.assign(out, aggregate(a, g.rows, scalar, i)));
        return out;
      });
    } else throw new Error(`KQL: the test's evaluator does not know the operator "${op}" (test/support/kql.ts)`);
  }
  if (!p.done()) throw new Error(`KQL: unexpected "${p.peek() ?? ''}"`);
  return rows;
}

type Columns = Record<string, unknown>;

function aggregate(a: Assign, rows: Columns[], scalar: (e: Expr, row: Columns) => Value, index: number): Columns {
  const e = a.e;
  if (e.k !== 'call') throw new Error('KQL: summarize needs an aggregation');
  const values = (arg: Expr | undefined) => rows.map((r) => (arg ? scalar(arg, r) : null)).filter((v) => v !== null && v !== undefined) as number[];
  switch (e.name) {
    case 'count':
      return { [a.name ?? 'count_']: rows.length };
    case 'max':
    case 'min': {
      const list = values(e.args[0]);
      const value = list.length === 0 ? null : e.name === 'max' ? Math.max(...list) : Math.min(...list);
      return { [columnName(a, `Column${index + 1}`)]: value };
    }
    case 'arg_max':
    case 'arg_min': {
      const [by, ...columns] = e.args;
      if (!by) throw new Error(`KQL: ${e.name} needs an argument`);
      let best: Columns | undefined;
      let bestValue = 0;
      for (const r of rows) {
        const v = scalar(by, r) as number;
        if (best === undefined || (e.name === 'arg_max' ? v > bestValue : v < bestValue)) {
          best = r;
          bestValue = v;
        }
      }
      const out: Columns = { [by.k === 'id' ? by.name : 'arg']: best ? bestValue : null };
      for (const c of columns) {
        if (c.k !== 'id') throw new Error('KQL: the columns of arg_max must be column names here (extend them first)');
        out[c.name] = best ? scalar(c, best) : null;
      }
      return out;
    }
    default:
      throw new Error(`KQL: the test's evaluator does not know the aggregation ${e.name}() (test/support/kql.ts)`);
  }
}

function evalExpr(e: Expr, row: Columns, lets: Record<string, Value>, context: KqlContext): Value {
  const ev = (x: Expr) => evalExpr(x, row, lets, context);
  switch (e.k) {
    case 'num':
      return e.v;
    case 'str':
      return e.v;
    case 'id':
      if (e.name in row) return row[e.name];
      if (e.name in lets) return lets[e.name];
      if (e.name === 'true' || e.name === 'false') return e.name === 'true';
      throw new Error(`KQL: no column or let named ${e.name}`);
    case 'member': {
      const target = ev(e.target);
      return target && typeof target === 'object' ? ((target as Record<string, unknown>)[e.name] ?? null) : null;
    }
    case 'unary':
      return -(ev(e.e) as number);
    case 'in': {
      const v = ev(e.e);
      return e.list.some((x) => ev(x) === v);
    }
    case 'bin': {
      if (e.op === 'and') return ev(e.l) === true && ev(e.r) === true;
      if (e.op === 'or') return ev(e.l) === true || ev(e.r) === true;
      const l = ev(e.l);
      const r = ev(e.r);
      if (l === null || r === null || l === undefined || r === undefined) return e.op === '+' || e.op === '-' ? null : false;
      switch (e.op) {
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        case '<':
          return (l as number) < (r as number);
        case '<=':
          return (l as number) <= (r as number);
        case '>':
          return (l as number) > (r as number);
        case '>=':
          return (l as number) >= (r as number);
        case '+':
          return (l as number) + (r as number);
        case '-':
          return (l as number) - (r as number);
      }
      throw new Error(`KQL: operator ${e.op}`);
    }
    case 'call': {
      const args = e.args.map(ev);
      switch (e.name) {
        case 'ago':
          return context.now - (args[0] as number);
        case 'now':
          return context.now;
        case 'todatetime': {
          const v = Date.parse(String(args[0]).replace(' ', 'T'));
          return Number.isNaN(v) ? null : v;
        }
        case 'tostring':
          return args[0] === null || args[0] === undefined ? '' : String(args[0]);
        case 'iff':
          return args[0] === true ? args[1] : args[2];
        case 'isnull':
          return args[0] === null || args[0] === undefined;
        case 'isnotnull':
          return !(args[0] === null || args[0] === undefined);
        default:
          throw new Error(`KQL: the test's evaluator does not know ${e.name}() (test/support/kql.ts)`);
      }
    }
  }
}

function fail(message: string): never {
  throw new Error(message);
}
