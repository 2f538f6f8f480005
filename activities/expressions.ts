import { ApplicationFailure } from '@temporalio/activity';
import { EXPRESSION_LIMITS, type StepEvaluation, type StepExpressions } from '../domain/expressions.ts';
import type { EvalContext } from '../domain/expressions.ts';
import type { ExpressionSandbox } from '../platform/expression-sandbox.ts';

/**
 * The evaluator is killed this long after the expression's own time limit: the limit inside
 * the evaluator ends most runaway expressions with a clear message, the kill ends the rest
 * (one builtin call that allocates or loops for too long).
 */
export const HARD_LIMIT_GRACE_MS = 1_000;

export interface ExpressionDeps {
  sandbox: ExpressionSandbox;
}

/**
 * The run engine's expressions, evaluated in the sandbox as a local activity (one marker in
 * history): a violation fails its step without retry; a saturated sandbox is retried.
 */
export function createExpressionActivities({ sandbox }: ExpressionDeps) {
  return {
    evaluateStepExpressions: async (input: StepExpressions & { context: EvalContext }): Promise<StepEvaluation> => {
      const tenant = (input.context.run as { tenantId?: string } | undefined)?.tenantId ?? '';
      const outcome = await sandbox.run({ op: 'step', ...input }, EXPRESSION_LIMITS.engine.timeout + HARD_LIMIT_GRACE_MS, tenant);
      if (!outcome.ok) throw ApplicationFailure.create({ type: outcome.code, message: outcome.message, nonRetryable: true });
      return outcome.value as StepEvaluation;
    },
  };
}
