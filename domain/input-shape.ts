/**
 * What any tenant document must be before anything interprets it: text Postgres can store
 * (no NUL, no lone UTF-16 surrogates — these would hang a request, or be stored altered and
 * break a digest), bounded nesting (recursive code downstream overflows its stack on an
 * object nested a few thousand deep), a bounded number of values, and JSON values only (YAML
 * can also spell .inf, binary data and sets). Checked once at the
 * edge (API bodies, query strings, parsed YAML), iteratively, so the check itself cannot
 * overflow.
 */
export const INPUT_LIMITS = { depth: 64, values: 200_000 } as const;

export type ShapeCode = 'TEXT_INVALID' | 'TOO_DEEP' | 'TOO_MANY_VALUES' | 'NOT_JSON';

export interface ShapeProblem {
  code: ShapeCode;
  /** JSON Pointer of the offending value (or key) */
  path: string;
  message: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a text cannot be stored as it is, or undefined. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
  return undefined;
}

const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** The first problem of a JSON value, or undefined. */
export function shapeProblem(value: unknown, limits: { depth: number; values: number } = INPUT_LIMITS, base = ''): ShapeProblem | undefined {
  const stack: [unknown, string, number][] = [[value, base, 0]];
  let seen = 0;
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (++seen > limits.values) return { code: 'TOO_MANY_VALUES', path: base || '/', message: `has more than ${limits.values} values` };
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) return { code: 'TEXT_INVALID', path, message: p };
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { code: 'NOT_JSON', path, message: `is ${v}, which JSON cannot represent` };
    if (v === null || typeof v === 'number' || typeof v === 'boolean') continue;
    if (typeof v !== 'object') return { code: 'NOT_JSON', path, message: `is a ${typeof v}, not a JSON value` };
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return { code: 'NOT_JSON', path, message: 'is not a JSON value (a YAML tag such as !!binary?)' };
    if (depth >= limits.depth) return { code: 'TOO_DEEP', path, message: `is nested more than ${limits.depth} levels deep` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`, depth + 1]);
      continue;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const p = textProblem(k);
      // the path names the object, never the offending key: an error must not echo bad text
      if (p) return { code: 'TEXT_INVALID', path, message: `has a key that ${p}` };
      stack.push([child, `${path}/${escape(k)}`, depth + 1]);
    }
  }
  return undefined;
}
