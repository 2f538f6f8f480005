import type { MiddlewareHandler } from 'hono';
import { shapeProblem, textProblem } from '../domain/input-shape.ts';
import type { AppEnv } from './env.ts';
import { errorResponse } from './errors.ts';

/**
 * Percent-decoding as the router does it: the whole text, or when one escape is malformed,
 * each run of escapes on its own — so `%00%ZZ` is checked as the NUL the route will see.
 */
const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
};

/**
 * Every request's text is checked once, here, before a route reads it: the path and query
 * string (after percent-decoding) and a JSON body (parsed, then walked). A bad one gets a 4xx
 * with the error shape; nothing behind this sees it.
 */
export function inputGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const pathProblem = textProblem(decode(url.pathname));
    if (pathProblem) return errorResponse(c, 400, 'TEXT_INVALID', `the path ${pathProblem}`);
    for (const [name, value] of url.searchParams) {
      const inName = textProblem(name);
      const p = inName ?? textProblem(value);
      if (p) {
        const at = inName ? '/query' : `/query/${name}`;
        return errorResponse(c, 400, 'TEXT_INVALID', `${inName ? 'a query parameter name' : `the query parameter "${name}"`} ${p}`, [{ path: at, message: p }]);
      }
    }
    const type = c.req.header('content-type') ?? '';
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && /^application\/(.+\+)?json\b/i.test(type)) {
      const text = await c.req.text();
      if (text.trim() !== '') {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return errorResponse(c, 400, 'MALFORMED_JSON', 'the request body is not valid JSON');
        }
        const problem = shapeProblem(body);
        if (problem) {
          return errorResponse(c, 422, problem.code, `the request body ${problem.path ? `at ${problem.path} ` : ''}${problem.message}`, [{ path: problem.path || '/', message: problem.message }]);
        }
      }
    }
    return next();
  };
}
