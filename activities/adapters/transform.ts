import jsonata from 'jsonata';
import type { TaskManifest } from '../../domain/manifest.ts';
import { DomainError } from '../../domain/errors.ts';
import { forbiddenConstructs } from '../../domain/expressions.ts';
import type { SecretStore } from '../../platform/secrets.ts';
import { ADAPTER_FAILURES } from './failures.ts';
import { adapterActivity } from './run-adapter.ts';

/** Guard rails against a runaway expression (it runs on the worker's event loop). */
export const TRANSFORM_LIMITS = { timeout: 2_000, stack: 500, sequence: 100_000 } as const;

const message = (e: unknown) => {
  const err = e as { message?: string; code?: string; position?: number };
  return `${err.message ?? err.code ?? String(e)}${err.position !== undefined ? ` (at ${err.position})` : ''}`;
};

/**
 * transform@1.0.0 — evaluates the JSONata `expression` over `data`: no network, no side
 * effects. Output: { result } (null when the expression yields nothing); plain JSON only.
 */
export function transformActivity(deps: { secrets: SecretStore; manifest: TaskManifest }) {
  return adapterActivity(deps.manifest, deps.secrets, async ({ inputs }) => {
    let expr: jsonata.Expression;
    try {
      expr = jsonata(String(inputs.expression), TRANSFORM_LIMITS);
    } catch (e) {
      throw new DomainError('input', ADAPTER_FAILURES.transformInvalid, `the expression is not valid JSONata: ${message(e)}`);
    }
    // The timeout cannot interrupt one builtin call: a backtracking regular expression could
    // block the shared worker for minutes, so regular expressions are refused outright.
    if (forbiddenConstructs(expr.ast(), ['regular expression']).length) {
      throw new DomainError('input', ADAPTER_FAILURES.transformInvalid, 'regular expressions are not allowed in transform expressions');
    }
    let result: unknown;
    try {
      result = await expr.evaluate(inputs.data ?? null);
    } catch (e) {
      throw new DomainError('input', ADAPTER_FAILURES.transformFailed, `the expression failed: ${message(e)}`);
    }
    // JSONata sequences carry extra markers; a JSON round trip keeps plain data only
    return { result: result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown) ?? null };
  });
}
