import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';
import { errorResponse } from './errors.ts';

/**
 * The OpenAPI document tells what the API answers, including what the edge answers before
 * a route's handler runs: the body limit (413), JSON parsing (400), the schema validation
 * hook (422), the bearer-token check (401) and onError (500, and 503 when a dependency is
 * out of reach). Routes declare what their handlers answer; this adds, to every operation,
 * the answers of the middlewares in front of it — derived from the same facts that decide
 * them (api/app.ts), so the two cannot drift apart.
 */

type Json = Record<string, unknown>;
interface Operation {
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
export interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Json };
  [k: string]: unknown;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** What every operation may answer, by what it has (all answers use the one error shape). */
const EDGE = {
  auth: { 401: error('No, invalid or expired bearer token (UNAUTHENTICATED, TOKEN_INVALID)') },
  body: {
    400: error('The body is not valid JSON (MALFORMED_JSON), or the path or query string holds text that cannot be stored (TEXT_INVALID)'),
    413: error('The body exceeds 1 MiB (PAYLOAD_TOO_LARGE)'),
    422: error('Invalid input; `details` names each failing path (VALIDATION_FAILED, TEXT_INVALID, TOO_DEEP, TOO_MANY_VALUES, …)'),
  },
  input: { 422: error('Invalid input; `details` names each failing path') },
  always: {
    400: error('The path or query string holds text that cannot be stored: a NUL character or a lone surrogate (TEXT_INVALID)'),
    500: error('An unexpected error (INTERNAL); quote the requestId when reporting it'),
    503: error('Postgres or Temporal cannot be reached (SERVICE_UNAVAILABLE); try again after Retry-After seconds'),
  },
} as const;

export interface EdgeFacts {
  /** a path of the document (without the /api server prefix) that needs no bearer token */
  isPublic(path: string): boolean;
}

/** Adds the middlewares' answers and the security of each operation to a generated document. */
export function declareEdge<T extends OpenApiDocument>(doc: T, facts: EdgeFacts): T {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const add = (answers: Record<number, unknown>) => {
        for (const [status, response] of Object.entries(answers)) op.responses[status] ??= response;
      };
      if (facts.isPublic(path)) op.security = [];
      else add(EDGE.auth);
      if (op.requestBody) add(EDGE.body);
      if (op.requestBody || op.parameters?.length) add(EDGE.input);
      add(EDGE.always);
    }
  }
  return doc;
}

interface PathMethods {
  pattern: RegExp;
  /** how many `{param}` segments: the fewest wins (a literal path before a template, as in OpenAPI) */
  params: number;
  methods: Set<string>;
}

/** The declared methods of each path template, `{param}` matching one path segment. */
export function declaredMethods(doc: OpenApiDocument, extra: Record<string, string[]> = {}): PathMethods[] {
  const entries: [string, string[]][] = [
    ...Object.entries(doc.paths ?? {}).map(([path, item]): [string, string[]] => [path, HTTP_METHODS.filter((m) => item[m])]),
    ...Object.entries(extra),
  ];
  return entries.map(([path, methods]) => {
    const upper = new Set(methods.map((m) => m.toUpperCase()));
    if (upper.has('GET')) upper.add('HEAD'); // Hono answers HEAD with the GET handler
    const parts = path.split(/(\{[^}/]+\})/);
    const isParam = (part: string) => /^\{[^}/]+\}$/.test(part);
    const source = parts.map((part) => (isParam(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('');
    return { pattern: new RegExp(`^${source}$`), params: parts.filter(isParam).length, methods: upper };
  });
}

/** The methods the document declares for a request path (of its most specific match), or undefined. */
export function allowedMethods(table: PathMethods[], path: string): Set<string> | undefined {
  let best: PathMethods[] = [];
  for (const entry of table) {
    if (!entry.pattern.test(path)) continue;
    if (!best.length || entry.params < best[0]!.params) best = [entry];
    else if (entry.params === best[0]!.params) best.push(entry);
  }
  return best.length ? new Set(best.flatMap((e) => [...e.methods])) : undefined;
}

/**
 * In front of the API's routes: a declared path asked with a method the document does not
 * declare for it answers 405 with `Allow` (RFC 9110 §15.5.6), whatever route a router would
 * have matched by its template (GET /catalog/reindex is not GET /catalog/{id}).
 */
export function methodGuard(table: () => PathMethods[], prefix: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const allowed = allowedMethods(table(), c.req.path.slice(prefix.length));
    if (allowed && !allowed.has(c.req.method)) {
      const allow = [...allowed].sort().join(', ');
      c.header('Allow', allow);
      return errorResponse(c, 405, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}`);
    }
    await next();
  };
}

/**
 * A JSON Schema file (2020-12, local `$defs` only) as OpenAPI components: the root as `name`,
 * each definition as `name_definition`, references rewritten to match.
 */
export function jsonSchemaComponents(name: string, schema: Json): Record<string, Json> {
  const { $defs = {}, $schema: _dialect, $id: _id, ...root } = schema as Json & { $defs?: Record<string, Json> };
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? `#/components/schemas/${name}_${x.slice(8)}` : rewrite(x)]),
      );
    }
    return v;
  };
  return {
    [name]: rewrite(root) as Json,
    ...Object.fromEntries(Object.entries($defs).map(([def, s]) => [`${name}_${def}`, rewrite(s) as Json])),
  };
}
