/**
 * What a lifecycle's receipt and read model keep of its guardrails: the outcome, the input
 * digest it was decided on, and every rule that did not simply pass (its result, reasons and
 * the override that counted), without the rules' documentation text.
 */
import type { Role } from './actor.ts';
import type { GuardrailDecision, PolicyOverride, RuleResult } from './policy-profiles.ts';

export interface GuardrailSummary {
  profile: GuardrailDecision['profile'];
  outcome: GuardrailDecision['outcome'];
  input_digest: string;
  hard_deny: string[];
  soft_deny: string[];
  advisory: string[];
  overridden: string[];
  rules: Pick<RuleResult, 'id' | 'enforcement' | 'result' | 'reasons' | 'override_roles' | 'override'>[];
}

export function guardrailSummary(d: GuardrailDecision): GuardrailSummary {
  return {
    profile: d.profile,
    outcome: d.outcome,
    input_digest: d.input_digest,
    hard_deny: d.hard_deny,
    soft_deny: d.soft_deny,
    advisory: d.advisory,
    overridden: d.overridden,
    rules: d.rules
      .filter((r) => r.result !== 'pass')
      .map((r) => ({ id: r.id, enforcement: r.enforcement, result: r.result, reasons: r.reasons, override_roles: r.override_roles, override: r.override })),
  };
}

/** Held for override: the rules holding it and who may override each. */
export function heldFor(d: GuardrailDecision | null | undefined): { rule: string; reasons: string[]; override_roles: string[] }[] {
  if (!d || d.outcome !== 'hold') return [];
  return d.rules.filter((r) => r.result === 'soft-deny').map((r) => ({ rule: r.id, reasons: r.reasons, override_roles: r.override_roles }));
}

/** The overrides a stored decision counted (a read model keeps the decision, not the Update's arguments). */
export function overridesOf(d: GuardrailDecision): PolicyOverride[] {
  return d.rules
    .filter((r) => r.override)
    .map((r) => ({ rule: r.id, actor: { sub: r.override!.by, tenant: r.override!.tenant, roles: r.override!.roles as Role[] }, rationale: r.override!.rationale }));
}
