/**
 * The override of a soft-mandatory guardrail, as every lifecycle's API takes it:
 * `POST …/override` with `{ rule, rationale }`. The actor is the authenticated token's,
 * never the body's. The lifecycle's `overridePolicy` Update decides (its validator refuses
 * at once, the policy decides whether the override counts), and its refusals map to the
 * API's errors with their stable codes.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Actor } from '../domain/actor.ts';
import { DomainError, type ErrorKind } from '../domain/errors.ts';
import { OVERRIDE_RATIONALE_MAX, type GuardrailDecision } from '../domain/policy-profiles.ts';
import { overridePolicyUpdate } from '../workflows/contracts/policy.ts';
import { errorResponse, json } from './responses.ts';
import { updateOpenWorkflow } from './temporal-errors.ts';

/** A rule id as the policies name them (`local.…`, `marketplace.…`). */
const RULE_ID = /^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9-]*){1,3}$/;

export const OverrideBody = z
  .strictObject({
    rule: z.string().max(120).regex(RULE_ID, 'must be a rule id such as marketplace.external-risk-cap'),
    rationale: z.string().max(OVERRIDE_RATIONALE_MAX).meta({ description: 'why the rule may be set aside here (required, not blank)' }),
  })
  .meta({ id: 'PolicyOverrideRequest' });

export const GuardrailRuleBody = z
  .object({
    id: z.string(),
    title: z.string(),
    enforcement: z.enum(['advisory', 'soft', 'hard']),
    result: z.enum(['pass', 'advisory', 'soft-deny', 'hard-deny', 'overridden']),
    reasons: z.array(z.string()),
    fix: z.string(),
    override_roles: z.array(z.string()),
    override: z.object({ by: z.string(), tenant: z.string(), roles: z.array(z.string()), rationale: z.string() }).nullable(),
  })
  .meta({ id: 'GuardrailRule' });

export const GuardrailsBody = z
  .object({
    profile: z.enum(['local_workflow', 'marketplace_workflow']),
    outcome: z.enum(['allow', 'hold', 'deny', 'invalid']),
    rules: z.array(GuardrailRuleBody).meta({ description: 'every rule that applies to the operation, with its result' }),
    hard_deny: z.array(z.string()),
    soft_deny: z.array(z.string()),
    advisory: z.array(z.string()),
    overridden: z.array(z.string()),
    override_roles: z.array(z.string()),
    input_digest: z.string(),
  })
  .meta({ id: 'GuardrailDecision' });

export const HeldForBody = z
  .array(z.object({ rule: z.string(), reasons: z.array(z.string()), override_roles: z.array(z.string()) }))
  .meta({ id: 'HeldFor', description: 'while held (awaiting_override): each soft-mandatory rule holding it, and the roles that may override it (never the requester)' });

export const OverrideResult = z.object({ guardrails: GuardrailsBody, status: z.string() }).meta({ id: 'PolicyOverrideResult' });

export const overrideResponses = {
  200: json(OverrideResult, 'Override accepted: the guardrails\' new decision'),
  403: errorResponse('SELF_OVERRIDE: the requester cannot override; OVERRIDE_NOT_ALLOWED: the policy names no role of yours for the rule'),
  409: errorResponse('NOT_HELD: the lifecycle is not held by a guardrail; HARD_MANDATORY: a hard rule cannot be overridden; NOT_DENIED: the rule does not hold it'),
  422: errorResponse('Invalid input; UNKNOWN_RULE; RATIONALE_REQUIRED; RATIONALE_TOO_LONG'),
} as const;

const KINDS: Record<string, ErrorKind> = {
  SELF_OVERRIDE: 'not_allowed',
  OVERRIDE_NOT_ALLOWED: 'not_allowed',
  HARD_MANDATORY: 'conflict',
  NOT_DENIED: 'conflict',
  NOT_HELD: 'conflict',
  UNKNOWN_RULE: 'input',
  RATIONALE_REQUIRED: 'input',
  RATIONALE_TOO_LONG: 'input',
};

function refusal(err: unknown): DomainError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure && e.type && KINDS[e.type]) return new DomainError(KINDS[e.type]!, e.type, e.message);
  }
  return undefined;
}

/** Sends the override Update to a lifecycle held for it; a closed lifecycle answers NOT_HELD. */
export async function sendOverride(handle: WorkflowHandle, actor: Actor, body: { rule: string; rationale: string }): Promise<GuardrailDecision> {
  try {
    return await updateOpenWorkflow(
      () =>
        handle.executeUpdate(overridePolicyUpdate, {
          args: [{ rule: body.rule, rationale: body.rationale, actor: { sub: actor.sub, tenant: actor.tenant, roles: [...actor.roles], ...(actor.name ? { name: actor.name } : {}) } }],
        }),
      'NOT_HELD',
      'the lifecycle has ended: there is nothing to override',
    );
  } catch (e) {
    const r = refusal(e);
    if (r) throw r;
    // before its gate (or after it) the lifecycle has no override handler: nothing is held
    if (e instanceof WorkflowUpdateFailedError && /no registered handler|unknown update|not found/i.test(`${e.message} ${(e.cause as Error | undefined)?.message ?? ''}`)) {
      throw new DomainError('conflict', 'NOT_HELD', 'the lifecycle is not held by a guardrail');
    }
    throw e;
  }
}
