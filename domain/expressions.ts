import jsonata from 'jsonata';

/**
 * Bindings and conditions use JSONata: a real, side-effect-free expression language
 * (never eval or new Function). In `with`, a string may hold `${{ expr }}`: a string
 * that is only one template yields the expression's value (any JSON type); templates
 * inside text are interpolated. `when` is a bare JSONata expression. The evaluation
 * context is { params, steps: { <id>: { output } }, secrets: { <name>: "secret://…" }, run }.
 */
export const CONTEXT_ROOTS = ['params', 'steps', 'secrets', 'run'] as const;
const TEMPLATE = /\$\{\{([\s\S]*?)\}\}/g;
const WHOLE = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/;

export interface ExpressionError {
  message: string;
  position?: number;
  /** a construct engine expressions may not use (not a syntax error) */
  forbidden?: boolean;
}

export interface Reference {
  root: string;
  path: string[];
}

export interface FoundExpression {
  /** JSON Pointer suffix inside the value searched (e.g. `/url`) */
  pointer: string;
  expr: string;
}

/** Every `${{ }}` expression inside a (nested) `with` value. */
export function expressionsIn(value: unknown, pointer = ''): FoundExpression[] {
  if (typeof value === 'string') return [...value.matchAll(TEMPLATE)].map((m) => ({ pointer, expr: m[1]!.trim() }));
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionsIn(v, `${pointer}/${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => expressionsIn(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return [];
}

export const hasExpression = (value: unknown) => expressionsIn(value).length > 0;

type Ast = { type?: string; value?: unknown; steps?: Ast[] } & Record<string, unknown>;

/** Parses an expression; returns the context paths it reads, or the syntax error. */
export function analyseExpression(expr: string): { references: Reference[] } | { error: ExpressionError } {
  let ast: Ast;
  try {
    ast = jsonata(expr).ast() as Ast;
  } catch (e) {
    const err = e as { message?: string; position?: number };
    return { error: { message: err.message ?? 'invalid expression', ...(err.position !== undefined ? { position: err.position } : {}) } };
  }
  const forbidden = forbiddenConstructs(ast);
  if (forbidden.length) return { error: { message: `${forbidden.join(' and ')} not allowed in bindings and conditions`, forbidden: true } };
  const references: Reference[] = [];
  const visit = (node: unknown, topLevel: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, topLevel));
    if (!node || typeof node !== 'object') return;
    const n = node as Ast;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const names: string[] = [];
      for (const s of n.steps) {
        if (s.type !== 'name' || typeof s.value !== 'string') break;
        names.push(s.value);
      }
      if (names.length && topLevel) references.push({ root: names[0]!, path: names.slice(1) });
      // predicates and arguments inside a path are evaluated against the path's own items
      for (const s of n.steps) visitChildren(s, false);
      return;
    }
    if (n.type === 'name' && typeof n.value === 'string' && topLevel) {
      references.push({ root: n.value, path: [] });
      return;
    }
    visitChildren(n, topLevel);
  };
  const visitChildren = (n: Ast, topLevel: boolean) => {
    for (const [k, v] of Object.entries(n)) {
      if (k === 'position' || k === 'value' || k === 'type') continue;
      if (k === 'predicate' || k === 'stages' || k === 'group') visit(v, false);
      else visit(v, topLevel);
    }
  };
  visit(ast, true);
  return { references };
}

export type EvalContext = Record<string, unknown>;

/**
 * Bindings and conditions run inside the workflow sandbox, on the worker every tenant
 * shares: recursion depth and sequence sizes are bounded (a wall-clock timeout cannot work
 * there, time stands still during a workflow activation), and the constructs that could
 * still run away — function definitions (recursion) and regular expressions (exponential
 * backtracking) — are refused, at validation and again at evaluation.
 */
export const ENGINE_LIMITS = { stack: 100, sequence: 10_000 } as const;

export type ForbiddenConstruct = 'function definition' | 'regular expression';

/** The constructs of a parsed expression that engine expressions may not use. */
export function forbiddenConstructs(ast: unknown, forbid: readonly ForbiddenConstruct[] = ['function definition', 'regular expression']): ForbiddenConstruct[] {
  const found = new Set<ForbiddenConstruct>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== 'object') return;
    const type = (n as { type?: unknown }).type;
    if (type === 'lambda' && forbid.includes('function definition')) found.add('function definition');
    if (type === 'regex' && forbid.includes('regular expression')) found.add('regular expression');
    for (const [k, v] of Object.entries(n)) if (k !== 'value' || typeof v === 'object') visit(v);
  };
  visit(ast);
  return [...found];
}

const parsed = new Map<string, ReturnType<typeof jsonata>>();

/** Parsed once per expression text (a run evaluates the same bindings for every step). */
function expression(expr: string) {
  let e = parsed.get(expr);
  if (!e) {
    e = jsonata(expr, ENGINE_LIMITS);
    const forbidden = forbiddenConstructs(e.ast());
    if (forbidden.length) throw new Error(`${forbidden.join(' and ')} not allowed in bindings and conditions`);
    if (parsed.size >= 5000) parsed.clear();
    parsed.set(expr, e);
  }
  return e;
}

async function evaluate(expr: string, context: EvalContext): Promise<unknown> {
  const result: unknown = await expression(expr).evaluate(context);
  // JSONata returns sequences with extra markers; a JSON round trip keeps plain data only
  return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
}

/** Resolves every template inside a `with` value. */
export async function resolveBindings(value: unknown, context: EvalContext): Promise<unknown> {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole && !whole[1]!.includes('}}')) return evaluate(whole[1]!.trim(), context);
    if (!value.includes('${{')) return value;
    let out = '';
    let last = 0;
    for (const m of value.matchAll(TEMPLATE)) {
      out += value.slice(last, m.index);
      const v = await evaluate(m[1]!.trim(), context);
      out += v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      last = m.index! + m[0].length;
    }
    return out + value.slice(last);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveBindings(v, context)));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveBindings(v, context)] as const));
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

/** A `when` condition: JSONata truthiness (undefined, false, 0, "" and empty arrays are false). */
export async function evaluateCondition(expr: string, context: EvalContext): Promise<boolean> {
  const v = await evaluate(expr, context);
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}
