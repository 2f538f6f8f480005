import { z } from "zod";
import type { Actor } from '../domain/actor.ts';
import { errorResponse, json } from './responses.ts';
import {
  OVERRIDE_RATIONALE_MAX,
  POLICY_OPERATIONS,
  POLICY_PROFILES,
} from "../domain/policy-profiles.ts";

/**
 * The guardrails' decision and overrides as lifecycles' read models answer them, and the
 * body of `POST …/override` (policies/guardrails.rego, workflows/policy-gate.ts).
 */
const RuleResultBody = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    enforcement: z.enum(["advisory", "soft", "hard"]),
    operations: z.array(z.enum(POLICY_OPERATIONS)),
    fix: z.string(),
    override_roles: z.array(z.string()),
    reasons: z.array(z.string()),
    result: z.enum([
      "pass",
      "advisory",
      "soft-deny",
      "hard-deny",
      "overridden",
    ]),
    override: z
      .object({
        by: z.string(),
        tenant: z.string(),
        roles: z.array(z.string()),
        rationale: z.string(),
      })
      .nullable(),
  })
  .meta({ id: "GuardrailRuleResult" });

export const GuardrailDecisionBody = z
  .object({
    operation: z.enum(POLICY_OPERATIONS),
    profile: z.enum(POLICY_PROFILES),
    outcome: z.enum(["allow", "hold", "deny", "invalid"]),
    rules: z.array(RuleResultBody),
    hard_deny: z.array(z.string()),
    soft_deny: z.array(z.string()),
    advisory: z.array(z.string()),
    overridden: z.array(z.string()),
    override_roles: z.array(z.string()),
    input_digest: z.string(),
  })
  .meta({ id: "GuardrailDecision" });

export const PolicyOverrideBody = z
  .object({
    rule: z.string(),
    actor: z.object({
      sub: z.string(),
      tenant: z.string(),
      roles: z.array(z.string()),
      name: z.string().optional(),
    }),
    rationale: z.string(),
    at: z.string().optional(),
  })
  .meta({ id: "PolicyOverride" });

/** `POST …/override`: the rule held and why it may go ahead; the actor is the token's. */
export const OverrideRequestBody = z
  .strictObject({
    rule: z
      .string()
      .regex(
        /^[a-z][a-z0-9_-]{0,40}\.[a-z0-9][a-z0-9._-]{0,80}$/,
        "must be a guardrail rule id such as local.critical-business-hours",
      ),
    // blank and too-long rationales are the lifecycle's refusals (RATIONALE_REQUIRED, RATIONALE_TOO_LONG);
    // the edge only bounds what it reads
    rationale: z.string().max(OVERRIDE_RATIONALE_MAX * 2),
  })
  .meta({ id: "PolicyOverrideRequest" });

export const HeldForBody = z
  .array(z.object({ rule: z.string(), reasons: z.array(z.string()), override_roles: z.array(z.string()) }))
  .meta({ id: 'HeldFor', description: 'while held (awaiting_override): each soft-mandatory rule holding it, and the roles that may override it (never the requester)' });

/** What every lifecycle's `POST …/override` answers. */
export const overrideResponses = {
  200: json(z.object({ guardrails: GuardrailDecisionBody, status: z.string() }).meta({ id: 'PolicyOverrideResult' }), "Override accepted: the guardrails' new decision"),
  403: errorResponse('SELF_OVERRIDE (the requester), OVERRIDE_NOT_ALLOWED (a role the rule does not name, or another tenant), or a missing permission'),
  409: errorResponse('HARD_MANDATORY (the rule cannot be overridden), NOT_DENIED (the rule does not hold the lifecycle), NOT_HELD (the lifecycle is not held for an override or has finished)'),
  422: errorResponse('UNKNOWN_RULE, RATIONALE_REQUIRED, RATIONALE_TOO_LONG, or an invalid body'),
} as const;

/** The override's actor: the authenticated token's, never the body's. */
export const overrideActor = (actor: Actor) => ({ sub: actor.sub, tenant: actor.tenant, roles: [...actor.roles], ...(actor.name ? { name: actor.name } : {}) });
