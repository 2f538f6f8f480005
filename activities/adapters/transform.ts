import type { TaskManifest } from '../../domain/manifest.ts';
import { DomainError } from '../../domain/errors.ts';
import { EXPRESSION_LIMITS } from '../../domain/expressions.ts';
import type { ExpressionSandbox } from '../../platform/expression-sandbox.ts';
import type { SecretStore } from '../../platform/secrets.ts';
import { HARD_LIMIT_GRACE_MS } from '../expressions.ts';
import { ADAPTER_FAILURES } from './failures.ts';
import { adapterActivity } from './run-adapter.ts';

/**
 * transform@1.0.0 — evaluates the JSONata `expression` over `data`: no network, no side
 * effects. Output: { result } (null when the expression yields nothing); plain JSON only.
 * The expression is tenant code: it runs in the expression sandbox, bounded in time, depth,
 * memory and result size (domain/expressions.ts EXPRESSION_LIMITS.transform).
 */
export function transformActivity(deps: { secrets: SecretStore; manifest: TaskManifest; sandbox: ExpressionSandbox }) {
  return adapterActivity(deps.manifest, deps.secrets, async ({ inputs, context }) => {
    const outcome = await deps.sandbox.run(
      { op: 'transform', expression: String(inputs.expression), data: inputs.data ?? null },
      EXPRESSION_LIMITS.transform.timeout + HARD_LIMIT_GRACE_MS,
      context.tenantId,
    );
    if (outcome.ok) return { result: outcome.value ?? null };
    const invalid = outcome.code === 'EXPRESSION_NOT_ALLOWED' || outcome.code === 'EXPRESSION_SYNTAX';
    throw new DomainError(
      'input',
      invalid ? ADAPTER_FAILURES.transformInvalid : ADAPTER_FAILURES.transformFailed,
      invalid ? outcome.message : `the expression failed: ${outcome.message}`,
    );
  });
}
