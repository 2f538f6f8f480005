import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { overrideRefusal, type GuardrailDecision, type GuardrailRequest, type PolicyOverride } from '../domain/policy-profiles.ts';
import { overridePolicyUpdate, type OverridePolicyArgs } from './contracts/policy.ts';

/** How long a lifecycle held by a soft-mandatory rule waits for an override before it gives up. */
export const POLICY_OVERRIDE_TIMEOUT = '7 days';

/** The patch that brought guardrails to a lifecycle: histories recorded before it replay without them. */
export const GUARDRAILS_PATCH = 'policy-guardrails';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** What a lifecycle keeps of its guardrails: the latest decision and the overrides given. */
export interface PolicyGateState {
  guardrails?: GuardrailDecision;
  overrides: PolicyOverride[];
}

/** Roles that act across tenants (policies/profile_lib.rego platform_roles). */
const PLATFORM_ROLES = new Set(['platform-curator', 'platform-reviewer', 'platform-certifier', 'platform-admin']);

export type GateOutcome = 'allow' | 'deny' | 'timeout';

/**
 * The guardrails of one lifecycle: decides (an activity: the decision and its input digest
 * are in history); a hard-deny ends it; a soft-deny holds it until each held rule is
 * overridden through the `overridePolicy` Update (the policy decides whether an override
 * counts: a role it names, not the requester, a rationale) or `timeout` passes.
 * `onHold` runs once when the lifecycle starts waiting (its read model says so).
 */
export async function policyGate(
  state: PolicyGateState,
  request: GuardrailRequest,
  opts: {
    requester: string;
    onHold?: (d: GuardrailDecision) => Promise<void>;
    timeout?: string;
    /** false: a hold is not waited on (answers 'timeout' at once), e.g. an upgrade a campaign started */
    wait?: boolean;
  },
): Promise<GateOutcome> {
  let busy = false;
  setHandler(
    overridePolicyUpdate,
    async (args: OverridePolicyArgs): Promise<GuardrailDecision> => {
      // one override at a time: each evaluation sees every override given before it
      await condition(() => !busy);
      busy = true;
      try {
        // an override that waited behind another may find its rule no longer held
        const refusal = overrideRefusal(state.guardrails, args, opts.requester, args.actor.sub);
        if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
        const override: PolicyOverride = {
          rule: args.rule,
          actor: { sub: args.actor.sub, tenant: args.actor.tenant, roles: [...args.actor.roles], ...(args.actor.name ? { name: args.actor.name } : {}) },
          rationale: args.rationale.trim(),
          at: new Date(Date.now()).toISOString(),
        };
        const decision = await acts.decideGuardrails({ request, overrides: [...state.overrides, override] });
        const rule = decision.rules.find((r) => r.id === args.rule);
        if (rule?.result !== 'overridden') {
          throw ApplicationFailure.create({
            type: 'OVERRIDE_NOT_ALLOWED',
            message: `${args.actor.sub} may not override ${args.rule}: ${rule ? `the policy names ${rule.override_roles.join(', ') || 'no role'} (of tenant "${request.actor.tenant}" unless a platform role), never the requester` : 'the rule no longer applies'}`,
            nonRetryable: true,
          });
        }
        state.overrides.push(override);
        state.guardrails = decision;
        return decision;
      } finally {
        busy = false;
      }
    },
    {
      validator: (args: OverridePolicyArgs) => {
        const r = overrideRefusal(state.guardrails, args, opts.requester, args.actor?.sub);
        if (r) throw ApplicationFailure.create({ type: r.code, message: r.message, nonRetryable: true });
        // an actor without a role the rule names is refused here, before history: refused
        // overrides cannot grow the history (the policy decides again for those that pass)
        const rule = state.guardrails!.rules.find((x) => x.id === args.rule)!;
        const tenant = ('tenantId' in request && request.tenantId) || request.actor.tenant;
        const roles = Array.isArray(args.actor?.roles) ? args.actor.roles : [];
        if (!rule.override_roles.some((role) => roles.includes(role as never) && (PLATFORM_ROLES.has(role) || args.actor.tenant === tenant))) {
          throw ApplicationFailure.create({
            type: 'OVERRIDE_NOT_ALLOWED',
            message: `${String(args.actor?.sub).slice(0, 100)} may not override ${rule.id}: the policy names ${rule.override_roles.join(', ') || 'no role'} (of tenant "${tenant}" unless a platform role), never the requester`,
            nonRetryable: true,
          });
        }
      },
    },
  );

  state.guardrails = await acts.decideGuardrails({ request });
  if (state.guardrails.outcome === 'deny') return 'deny';
  if (state.guardrails.outcome === 'hold') {
    if (opts.wait === false) return 'timeout';
    await opts.onHold?.(state.guardrails);
    const decided = await condition(() => state.guardrails!.outcome !== 'hold' && !busy, opts.timeout ?? POLICY_OVERRIDE_TIMEOUT);
    if (!decided) return 'timeout';
  }
  return state.guardrails.outcome === 'allow' ? 'allow' : 'deny';
}

/** The guardrails' denial as a lifecycle error: the denying rules, their reasons and fixes. */
export function guardrailError(d: GuardrailDecision, outcome: GateOutcome): { code: string; message: string; details: { path: string; message: string; code: string }[] } {
  const denying = d.rules.filter((r) => r.result === 'hard-deny' || (outcome === 'timeout' && r.result === 'soft-deny'));
  return {
    code: outcome === 'timeout' ? 'POLICY_OVERRIDE_TIMEOUT' : 'POLICY_DENIED',
    message: denying.map((r) => `${r.id}: ${r.reasons.join('; ')}`).join(' | ').slice(0, 2000) || 'denied by policy',
    details: denying.map((r) => ({ path: `/policy/${r.id}`, code: r.id, message: `${r.reasons.join('; ')} — fix: ${r.fix}`.slice(0, 1000) })),
  };
}
