import jsonata from 'jsonata';

/**
 * Bindings and conditions use JSONata: a real, side-effect-free expression language
 * (never eval or new Function). In `with`, a string may hold `${{ expr }}`: a string
 * that is only one template yields the expression's value (any JSON type); templates
 * inside text are interpolated. `when` is a bare JSONata expression. The evaluation
 * context is { params, steps: { <id>: { output } }, secrets: { <name>: "secret://…" }, run }.
 */
export const CONTEXT_ROOTS = ['params', 'steps', 'secrets', 'run'] as const;

interface Template {
  /** offsets of `${{` and just after `}}` */
  start: number;
  end: number;
  /** the text between, untrimmed */
  inner: string;
}

/**
 * The `${{ … }}` templates of a string, each ending at the first `}}` after its `${{`.
 * A scan, not a regular expression: a lazy regex over "${{${{${{…" without a closing `}}`
 * takes quadratic time (seconds for a spec's worth of text, on the API and in the workflow).
 */
function templates(value: string): Template[] {
  const found: Template[] = [];
  for (let i = value.indexOf('${{'); i >= 0; ) {
    const close = value.indexOf('}}', i + 3);
    if (close < 0) break;
    found.push({ start: i, end: close + 2, inner: value.slice(i + 3, close) });
    i = value.indexOf('${{', close + 2);
  }
  return found;
}

/** The expression of a string that is exactly one template (surrounding whitespace aside). */
function wholeTemplate(value: string): string | undefined {
  const t = value.trim();
  if (!t.startsWith('${{') || !t.endsWith('}}')) return undefined;
  return t.indexOf('}}', 3) === t.length - 2 ? t.slice(3, -2) : undefined;
}

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
  if (typeof value === 'string') return templates(value).map((t) => ({ pointer, expr: t.inner.trim() }));
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
 * Expressions are tenant code. Their hard limits are enforced outside the workflow sandbox,
 * in a separate evaluator process (platform/expression-sandbox.ts) that is killed when it
 * runs over time or memory; these are the limits the evaluator itself applies, so an
 * expression that only runs deep or long ends with a clear error before it is killed.
 * - engine: bindings (`with`) and conditions (`when`) of the run engine;
 * - transform: the transform@1.0.0 task's expression, which may define functions.
 * `$eval` (dynamic code) and regular expressions (backtracking) are refused in both, and
 * function definitions (recursion) in engine expressions, at validation and again here.
 */
export const EXPRESSION_LIMITS = {
  engine: { timeout: 1_000, stack: 100, sequence: 10_000 },
  transform: { timeout: 2_000, stack: 500, sequence: 100_000 },
  /** the largest value (as JSON) one evaluation may yield */
  resultBytes: 1024 * 1024,
  /** the largest a step's resolved inputs may be together (one history payload, well under Temporal's 2 MB) */
  stepInputBytes: 512 * 1024,
} as const;

export type ExpressionFailureCode = 'EXPRESSION_SYNTAX' | 'EXPRESSION_ERROR' | 'EXPRESSION_NOT_ALLOWED' | 'EXPRESSION_LIMIT';

/** An expression that could not be evaluated: its own fault, never worth a retry. */
export class ExpressionFailure extends Error {
  constructor(
    readonly code: ExpressionFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionFailure';
  }
}

export type ForbiddenConstruct = 'function definition' | 'regular expression' | '$eval';
const ALL_FORBIDDEN: readonly ForbiddenConstruct[] = ['function definition', 'regular expression', '$eval'];

/**
 * The constructs of a parsed expression that may not be used. `$eval` is refused however
 * it is reached (called, assigned, passed as an argument): it parses and runs a string
 * at run time, which no validation of the spec can see.
 */
export function forbiddenConstructs(ast: unknown, forbid: readonly ForbiddenConstruct[] = ALL_FORBIDDEN): ForbiddenConstruct[] {
  const found = new Set<ForbiddenConstruct>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== 'object') return;
    const { type, value } = n as { type?: unknown; value?: unknown };
    if (type === 'lambda' && forbid.includes('function definition')) found.add('function definition');
    if (type === 'regex' && forbid.includes('regular expression')) found.add('regular expression');
    if (type === 'variable' && value === 'eval' && forbid.includes('$eval')) found.add('$eval');
    for (const [k, v] of Object.entries(n)) if (k !== 'value' || typeof v === 'object') visit(v);
  };
  visit(ast);
  return [...found];
}

const notAllowed = (found: ForbiddenConstruct[], where: string) =>
  new ExpressionFailure('EXPRESSION_NOT_ALLOWED', `${found.join(' and ')} not allowed in ${where}`);

/** jsonata's error codes for a limit reached: stack depth, time, sequence and range sizes */
const LIMIT_CODES = new Set(['D1011', 'D1012', 'D2014', 'D2015', 'U1001']);

function failureOf(e: unknown): ExpressionFailure {
  if (e instanceof ExpressionFailure) return e;
  const err = e as { message?: string; code?: string; position?: number };
  if (e instanceof RangeError) return new ExpressionFailure('EXPRESSION_LIMIT', `the expression exceeded a limit: ${err.message}`);
  const message = `${err.message ?? err.code ?? String(e)}${err.position !== undefined ? ` (at ${err.position})` : ''}`;
  return new ExpressionFailure(err.code && LIMIT_CODES.has(err.code) ? 'EXPRESSION_LIMIT' : 'EXPRESSION_ERROR', message);
}

// Whatever the checks above miss, `$eval` is also shadowed at evaluation: it can never run.
const SHADOWED = {
  eval: () => {
    throw new ExpressionFailure('EXPRESSION_NOT_ALLOWED', '$eval not allowed in expressions');
  },
};

type Compiled = ReturnType<typeof jsonata>;
const parsed = new Map<string, Compiled>();

/** Parsed once per expression text (a run evaluates the same bindings for every step). */
function expression(expr: string): Compiled {
  let e = parsed.get(expr);
  if (!e) {
    try {
      // Date.now stands still inside a workflow activation: the timeout acts only in the evaluator process
      e = jsonata(expr, { ...EXPRESSION_LIMITS.engine });
    } catch (err) {
      throw failureOf(err);
    }
    const forbidden = forbiddenConstructs(e.ast());
    if (forbidden.length) throw notAllowed(forbidden, 'bindings and conditions');
    if (parsed.size >= 5000) parsed.clear();
    parsed.set(expr, e);
  }
  return e;
}

/** JSONata sequences carry extra markers; a JSON round trip keeps plain data only. */
function plain(result: unknown, limit: number = EXPRESSION_LIMITS.resultBytes): unknown {
  if (result === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (e) {
    throw failureOf(e);
  }
  if (json === undefined) return undefined;
  if (json.length > limit) throw new ExpressionFailure('EXPRESSION_LIMIT', `the expression's value is larger than ${limit} bytes`);
  return JSON.parse(json) as unknown;
}

async function evaluate(expr: string, context: EvalContext): Promise<unknown> {
  const compiled = expression(expr);
  let result: unknown;
  try {
    result = await compiled.evaluate(context, SHADOWED);
  } catch (e) {
    throw failureOf(e);
  }
  return plain(result);
}

/** Resolves every template inside a `with` value. */
export async function resolveBindings(value: unknown, context: EvalContext): Promise<unknown> {
  if (typeof value === 'string') {
    const whole = wholeTemplate(value);
    if (whole !== undefined) return evaluate(whole.trim(), context);
    if (!value.includes('${{')) return value;
    let out = '';
    let last = 0;
    for (const t of templates(value)) {
      out += value.slice(last, t.start);
      const v = await evaluate(t.inner.trim(), context);
      out += v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      if (out.length > EXPRESSION_LIMITS.resultBytes) throw new ExpressionFailure('EXPRESSION_LIMIT', `the text is longer than ${EXPRESSION_LIMITS.resultBytes} characters`);
      last = t.end;
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

export interface StepExpressions {
  when?: string;
  with?: unknown;
}

export type StepEvaluation = { run: false } | { run: true; inputs: Record<string, unknown> };

const SIMPLE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);
const NOT_STATIC = Symbol('not static');
type Static = unknown | typeof NOT_STATIC;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * A plain path such as `params.n` or `steps.one.output.result`, read without JSONata: a
 * walk as long as the path. Anything else — an operator, a function, an array on the way,
 * a null — is NOT_STATIC and goes to the sandbox, so the answer is always JSONata's.
 */
function readPath(expr: string, context: EvalContext): Static {
  const text = expr.trim();
  if (text.length > 200 || !SIMPLE_PATH.test(text)) return NOT_STATIC;
  const names = text.split('.');
  if (!(CONTEXT_ROOTS as readonly string[]).includes(names[0]!) || names.some((n) => RESERVED.has(n))) return NOT_STATIC;
  let v: unknown = context;
  for (const name of names) {
    if (v === undefined) return undefined;
    if (!isPlainObject(v)) return NOT_STATIC;
    v = Object.prototype.hasOwnProperty.call(v, name) ? v[name] : undefined;
  }
  return Array.isArray(v) ? NOT_STATIC : v;
}

function resolveStatically(value: unknown, context: EvalContext): Static {
  if (typeof value === 'string') {
    const whole = wholeTemplate(value);
    if (whole !== undefined) return readPath(whole, context);
    if (!value.includes('${{')) return value;
    let out = '';
    let last = 0;
    for (const t of templates(value)) {
      const v = readPath(t.inner, context);
      if (v === NOT_STATIC) return NOT_STATIC;
      out += value.slice(last, t.start) + (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
      last = t.end;
    }
    return out + value.slice(last);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const v = resolveStatically(item, context);
      if (v === NOT_STATIC) return NOT_STATIC;
      out.push(v);
    }
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(value)) {
      const v = resolveStatically(item, context);
      if (v === NOT_STATIC) return NOT_STATIC;
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return value;
}

/**
 * A step whose `when` and bindings are all plain paths, resolved without evaluating any
 * expression (safe inside the workflow: no tenant code runs); undefined when any part needs
 * the sandbox. The answer equals evaluateStep's for the same step and context.
 */
export function evaluateStepStatically(step: StepExpressions, context: EvalContext): StepEvaluation | undefined {
  if (step.when !== undefined) {
    const v = readPath(step.when, context);
    if (v === NOT_STATIC) return undefined;
    if (!v) return { run: false };
  }
  const inputs = resolveStatically(step.with ?? {}, context);
  if (inputs === NOT_STATIC) return undefined;
  if (JSON.stringify(inputs).length > EXPRESSION_LIMITS.stepInputBytes) return undefined; // the sandbox reports it
  return { run: true, inputs: inputs as Record<string, unknown> };
}

/**
 * A step's condition, then (when it holds) its bindings. A failure names the part that
 * failed (`when: …` / `with: …`), as the run state shows it.
 */
export async function evaluateStep(step: StepExpressions, context: EvalContext): Promise<StepEvaluation> {
  if (step.when !== undefined) {
    let go: boolean;
    try {
      go = await evaluateCondition(step.when, context);
    } catch (e) {
      const f = failureOf(e);
      throw new ExpressionFailure(f.code, `when: ${f.message}`);
    }
    if (!go) return { run: false };
  }
  try {
    const inputs = (await resolveBindings(step.with ?? {}, context)) as Record<string, unknown>;
    // each binding is bounded, and so is their sum: the inputs travel in one history payload
    if (JSON.stringify(inputs).length > EXPRESSION_LIMITS.stepInputBytes) {
      throw new ExpressionFailure('EXPRESSION_LIMIT', `the step's inputs are larger than ${EXPRESSION_LIMITS.stepInputBytes} bytes`);
    }
    return { run: true, inputs };
  } catch (e) {
    const f = failureOf(e);
    throw new ExpressionFailure(f.code, `with: ${f.message}`);
  }
}

/**
 * transform@1.0.0: a JSONata expression over `data`, with function definitions allowed
 * (bounded by depth and time), regular expressions and `$eval` refused.
 */
export async function evaluateTransform(expr: string, data: unknown): Promise<unknown> {
  let compiled: Compiled;
  try {
    compiled = jsonata(expr, EXPRESSION_LIMITS.transform);
  } catch (e) {
    throw new ExpressionFailure('EXPRESSION_SYNTAX', `the expression is not valid JSONata: ${failureOf(e).message}`);
  }
  const forbidden = forbiddenConstructs(compiled.ast(), ['regular expression', '$eval']);
  if (forbidden.length) throw notAllowed(forbidden, 'transform expressions');
  let result: unknown;
  try {
    result = await compiled.evaluate(data ?? null, SHADOWED);
  } catch (e) {
    throw failureOf(e);
  }
  return plain(result) ?? null;
}

/**
 * An upgrade migration (the spec's `upgrade.migration.expression`): tenant code with the
 * engine's limits — no function definitions, regular expressions or `$eval`, bounded depth,
 * time and result size — over `{ parameters, secrets, from }`.
 */
export function analyseMigration(expr: string): ExpressionError | undefined {
  let ast: unknown;
  try {
    ast = jsonata(expr).ast();
  } catch (e) {
    const err = e as { message?: string; position?: number };
    return { message: err.message ?? 'invalid expression', ...(err.position !== undefined ? { position: err.position } : {}) };
  }
  const forbidden = forbiddenConstructs(ast);
  return forbidden.length ? { message: `${forbidden.join(' and ')} not allowed in migrations`, forbidden: true } : undefined;
}

export async function evaluateMigration(expr: string, input: { parameters: unknown; secrets: unknown; from: string }): Promise<unknown> {
  let compiled: Compiled;
  try {
    compiled = jsonata(expr, { ...EXPRESSION_LIMITS.engine });
  } catch (e) {
    throw new ExpressionFailure('EXPRESSION_SYNTAX', `the migration is not valid JSONata: ${failureOf(e).message}`);
  }
  const forbidden = forbiddenConstructs(compiled.ast());
  if (forbidden.length) throw notAllowed(forbidden, 'migrations');
  let result: unknown;
  try {
    result = await compiled.evaluate(input, SHADOWED);
  } catch (e) {
    throw failureOf(e);
  }
  return plain(result, 64 * 1024) ?? null;
}
