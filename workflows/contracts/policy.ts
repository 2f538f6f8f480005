import { defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/actor.ts';
import type { GuardrailDecision, PolicyOverrideArgs } from '../../domain/policy-profiles.ts';

/**
 * The Update every lifecycle held by a soft-mandatory guardrail accepts: an override of one
 * rule, by the actor the API authenticated, with a rationale. It answers the guardrails'
 * new decision (the policy decides whether the override counts).
 */
export interface OverridePolicyArgs extends PolicyOverrideArgs {
  actor: Pick<Actor, 'sub' | 'tenant' | 'roles'> & { name?: string };
}

export const overridePolicyUpdate = defineUpdate<GuardrailDecision, [OverridePolicyArgs]>('overridePolicy');
