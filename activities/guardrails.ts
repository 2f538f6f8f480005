import type { Sql } from '../platform/db.ts';
import type { PolicyEngine } from '../platform/opa.ts';
import { guardrailDecision } from '../platform/guardrails.ts';
import type { GuardrailDecision, GuardrailRequest, PolicyOverride } from '../domain/policy-profiles.ts';
import { asFailure } from './errors.ts';

/**
 * The guardrails' decision for a lifecycle (policies/guardrails.rego), evaluated in an
 * activity so that the decision and the digest of its input are in the lifecycle's history.
 * The overrides given so far travel with each evaluation: the policy decides whether each
 * counts (a soft rule, a role it names, not the requester, a rationale).
 */
export function createGuardrailActivities({ sql, policy }: { sql: Sql; policy: PolicyEngine }) {
  return {
    decideGuardrails: (input: { request: GuardrailRequest; overrides?: PolicyOverride[] }) =>
      asFailure(async (): Promise<GuardrailDecision> => {
        const { decision } = await guardrailDecision(sql, policy, input.request, { lifecycle: true, ...(input.overrides ? { overrides: input.overrides } : {}) });
        return decision;
      }),
  };
}
