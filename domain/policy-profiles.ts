/**
 * Policy profiles and guardrails (policies/guardrails.rego, local_workflow.rego,
 * marketplace_workflow.rego): the input every lifecycle builds for them, the decision they
 * answer, and the pure derivations of the input's facts from a spec and its manifests.
 * platform/guardrails.ts gathers the rest from Postgres; the lifecycles and the dry-run use
 * the same builder, so a dry-run answers what the lifecycle would decide.
 */
import type { Actor } from './actor.ts';
import type { Risk } from './spec.ts';

export const POLICY_OPERATIONS = ['publish', 'install', 'upgrade', 'run'] as const;
export type PolicyOperation = (typeof POLICY_OPERATIONS)[number];
export const POLICY_PROFILES = ['local_workflow', 'marketplace_workflow'] as const;
export type PolicyProfile = (typeof POLICY_PROFILES)[number];
export type Enforcement = 'advisory' | 'soft' | 'hard';
export type RuleResultKind = 'pass' | 'advisory' | 'soft-deny' | 'hard-deny' | 'overridden';
export type GuardrailOutcome = 'allow' | 'hold' | 'deny' | 'invalid';

/** Longest override rationale kept (as approvals and reviews). */
export const OVERRIDE_RATIONALE_MAX = 4000;

/** What a lifecycle asks the guardrails about (the dry-run takes the same). */
export type GuardrailRequest =
  | { operation: 'publish'; actor: Actor; definitionId: string; version: string; visibility?: string }
  | {
      operation: 'install';
      actor: Actor;
      templateId: string;
      version?: string;
      environment: string;
      region?: string;
      parameters?: Record<string, unknown>;
    }
  | { operation: 'upgrade'; actor: Actor; instanceId: string; toVersion: string; parameters?: Record<string, unknown>; tenantId?: string }
  | { operation: 'run'; actor: Actor; definitionId: string; version: string; instanceId?: string; tenantId?: string; /** the run being started (not counted against its own quota) */ runId?: string };

/** One step as the rules see it. */
export interface StepFacts {
  id: string;
  task: string;
  /** the top-level position the step runs at (a parallel group's steps share it) */
  order: number;
  /** the manifest's sideEffects, `read` for an `external` step whose literal method only reads */
  side_effects: 'none' | 'read' | 'write' | 'external' | 'unknown';
  approval: boolean;
  /** the manifest allows egress to any host ("*") */
  egress_any: boolean;
  data_classes: string[];
  deprecated: boolean;
}

/** An endpoint parameter as bound for a lifecycle, and the steps it reaches. */
export interface EndpointFacts {
  parameter: string;
  host: string;
  /** the region of the host by the tenant's endpoint_regions; "" when none matches */
  region: string;
  /** some step it reaches declares the pii data class */
  pii: boolean;
  steps: string[];
}

export interface BusinessHours {
  days: string[];
  start_hour: number;
  end_hour: number;
  timezone: string;
}

export interface PolicyOverrideArgs {
  rule: string;
  rationale: string;
}

/** An override as the policy reads it (input.overrides) and a lifecycle records it. */
export interface PolicyOverride {
  rule: string;
  actor: Pick<Actor, 'sub' | 'tenant' | 'roles'> & { name?: string };
  rationale: string;
  at?: string;
}

/** The input of guardrails/decision. */
export interface GuardrailInput {
  operation: PolicyOperation;
  /** the tenant whose lifecycle it is (publisher's for publish, installing tenant otherwise) */
  tenant: string;
  actor: Pick<Actor, 'sub' | 'tenant' | 'roles'>;
  subject: {
    definition_id: string;
    template_id?: string;
    version: string;
    owner_tenant: string;
    risk: Risk;
    visibility: string;
    visible: boolean;
    certification: string | null;
    steps: StepFacts[];
    endpoints: EndpointFacts[];
  };
  /** the installed version an upgrade starts from */
  from?: { version: string; risk: Risk };
  target?: { environment?: string; region?: string };
  settings: {
    egress_allow: string[];
    region: string | null;
    max_external_risk: Risk | null;
    critical_runs_per_day: number | null;
    business_hours: BusinessHours | null;
  };
  usage?: { critical_runs_today: number };
  clock?: { weekday: string; hour: number; minute: number; timezone: string };
  overrides?: PolicyOverride[];
}

export interface RuleResult {
  id: string;
  title: string;
  description: string;
  enforcement: Enforcement;
  operations: PolicyOperation[];
  fix: string;
  override_roles: string[];
  reasons: string[];
  result: RuleResultKind;
  override: { by: string; tenant: string; roles: string[]; rationale: string } | null;
}

/** guardrails/decision, with the digest of the input it was made on. */
export interface GuardrailDecision {
  operation: PolicyOperation;
  profile: PolicyProfile;
  outcome: GuardrailOutcome;
  rules: RuleResult[];
  hard_deny: string[];
  soft_deny: string[];
  advisory: string[];
  overridden: string[];
  override_roles: string[];
  /** sha256 of the canonical JSON of the input */
  input_digest: string;
}

/** What a lifecycle's read model keeps (the `guardrails` column): the outcome, the decision and the overrides given. */
export interface StoredGuardrails {
  outcome: GuardrailOutcome;
  decision: GuardrailDecision;
  overrides: PolicyOverride[];
}

/** Why an override cannot be asked for now (undefined: it may go to the policy). */
export function overrideRefusal(decision: GuardrailDecision | undefined, args: PolicyOverrideArgs, requester: string, overrider: string): { code: string; message: string } | undefined {
  if (!decision) return { code: 'NOT_HELD', message: 'the lifecycle has no policy decision yet' };
  const rationale = typeof args.rationale === 'string' ? args.rationale.trim() : '';
  if (!rationale) return { code: 'RATIONALE_REQUIRED', message: 'an override needs a rationale' };
  if (rationale.length > OVERRIDE_RATIONALE_MAX) return { code: 'RATIONALE_TOO_LONG', message: `a rationale is at most ${OVERRIDE_RATIONALE_MAX} characters` };
  if (overrider === requester) return { code: 'SELF_OVERRIDE', message: 'the requester cannot override a policy denial of their own request' };
  const rule = decision.rules.find((r) => r.id === args.rule);
  if (!rule) return { code: 'UNKNOWN_RULE', message: `rule "${String(args.rule).slice(0, 100)}" does not apply to this lifecycle` };
  if (rule.enforcement === 'hard') return { code: 'HARD_MANDATORY', message: `${rule.id} is hard-mandatory and cannot be overridden` };
  if (rule.result !== 'soft-deny') return { code: 'NOT_DENIED', message: `${rule.id} does not hold this lifecycle (${rule.result})` };
  return undefined;
}
