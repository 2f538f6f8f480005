import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { DomainError } from '../domain/errors.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PublishDecision } from '../domain/publish.ts';
import type { Actor } from '../domain/actor.ts';
import type { Risk, Scope } from '../domain/spec.ts';
import type { Visibility } from '../domain/access.ts';
import type { InstallDecision } from '../domain/install.ts';
import type { ReviewRules } from '../domain/review.ts';
import type { ReviewKind } from '../domain/trust.ts';

/**
 * The policies of policies/, compiled by `opa build -t wasm` (scripts/build-policies.sh)
 * and loaded once per process. Each entrypoint is evaluated by name.
 */
export class PolicyEngine {
  constructor(private readonly policy: LoadedPolicy) {}

  evaluate<T>(entrypoint: string, input: unknown): T {
    let out: Array<{ result: T }>;
    try {
      out = this.policy.evaluate(input, entrypoint) as Array<{ result: T }>;
    } catch (e) {
      // the wasm throws plain strings for input it cannot parse (a lone surrogate, …): the
      // same input fails the same way every time, so it is the input's failure, never a retry
      throw new DomainError('input', 'POLICY_INPUT_INVALID', `policy ${entrypoint} cannot evaluate this input: ${String(e instanceof Error ? e.message : e).slice(0, 200)}`);
    }
    if (!out.length) throw new Error(`policy ${entrypoint} is undefined for this input`);
    return out[0]!.result;
  }

  publishDecision(input: PublishPolicyInput): PublishDecision {
    const r = this.evaluate<{
      allow: boolean;
      review_required: boolean;
      required_approvals: number;
      deny: string[];
      review_reasons: string[];
      visibility: Visibility;
    }>('publish/decision', input);
    return {
      allow: r.allow,
      reviewRequired: r.review_required,
      requiredApprovals: r.required_approvals,
      deny: r.deny,
      reviewReasons: r.review_reasons,
      visibility: r.visibility,
    };
  }

  /** policies/install.rego: may the actor install this template version, and with how many approvals? */
  installDecision(input: InstallPolicyInput): InstallDecision {
    const r = this.evaluate<{ allow: boolean; deny: string[]; approvals_required: number; reasons: string[] }>('install/decision', input);
    return { allow: r.allow, deny: r.deny, approvalsRequired: r.approvals_required, reasons: r.reasons };
  }

  /** policies/install.rego `certification`: does this install need a certified version, and is it? */
  installCertification(input: InstallCertificationInput): InstallCertificationDecision {
    return this.evaluate<InstallCertificationDecision>('install/certification', input);
  }

  /** policies/certify.rego: the certification's outcome from its checklist, and a patch's carry-over. */
  certifyDecision(input: CertifyPolicyInput): CertifyPolicyDecision {
    return this.evaluate<CertifyPolicyDecision>('certify/decision', input);
  }

  /** policies/review.rego `rules`: teams, quorum and own-team rule per kind for a version's risk; escalation group; budget. */
  reviewRules(input: { risk: string }): ReviewRules {
    type K = { teams: string[]; quorum: number; own_team_allowed: boolean };
    const r = this.evaluate<{ kinds: Record<ReviewKind, K>; escalation: { group: string; roles: string[] }; performance_budget: { p95_ms: number; max_failure_rate: number } }>('review/rules', input);
    const kind = (k: ReviewKind) => ({ kind: k, teams: r.kinds[k].teams, quorum: r.kinds[k].quorum, ownTeamAllowed: r.kinds[k].own_team_allowed });
    return {
      kinds: { security: kind('security'), performance: kind('performance'), docs: kind('docs') },
      escalation: r.escalation,
      performanceBudget: { p95Ms: r.performance_budget.p95_ms, maxFailureRate: r.performance_budget.max_failure_rate },
    };
  }

  /** policies/review.rego `decision`: may this reviewer decide this review (and in which group)? */
  reviewDecision(input: ReviewPolicyInput): ReviewerDecision {
    return this.evaluate<ReviewerDecision>('review/decision', input);
  }

  /** policies/egress.rego: may an adapter of `tenant` connect to `host`? */
  egressDecision(input: EgressPolicyInput): EgressDecision {
    const r = this.evaluate<{ allow: boolean; host: string; reasons: string[]; manifest_match: string[]; tenant_match: string[] }>('egress/decision', input);
    return { allow: r.allow, host: r.host, reasons: r.reasons, manifestMatch: r.manifest_match, tenantMatch: r.tenant_match };
  }
}

export interface EgressPolicyInput {
  tenant: string;
  /** the URL's host name: lower-case, without port or IPv6 brackets */
  host: string;
  /** the adapter manifest's spec.security.egress.allow */
  manifest_allow: string[];
  /** the tenant's tenant_setting.egress_allow */
  tenant_allow: string[];
}

export interface EgressDecision {
  allow: boolean;
  /** the host as the policy compared it (lower-case, no trailing dot) */
  host: string;
  /** why the connection is refused; empty when allowed */
  reasons: string[];
  /** the patterns of each list that admitted the host */
  manifestMatch: string[];
  tenantMatch: string[];
}

/** The facts policies/install.rego decides on (platform/install-check.ts gathers them). */
export interface InstallPolicyInput {
  actor: Pick<Actor, 'sub' | 'tenant' | 'roles'>;
  /** the installing tenant */
  tenant: string;
  environment: string;
  region?: string;
  template: { id: string; owner_tenant: string; visibility: Visibility; visible: boolean; risk: Risk };
  version: { version: string; status: string; visible: boolean };
}

/** policies/install.rego `certification`: the install facts plus the tenant's requirement and the version's certification. */
export interface InstallCertificationInput extends InstallPolicyInput {
  settings: { require_certification: 'off' | 'elevated-risk' | 'always' };
  certification: { status: string };
}

export interface InstallCertificationDecision {
  required: boolean;
  allow: boolean;
  deny: string[];
  warnings: string[];
}

/** The facts policies/certify.rego decides on (activities/certify.ts gathers them). */
export interface CertifyPolicyInput {
  actor: { sub: string; roles: readonly string[] };
  checklist: { id: string; ok: boolean }[];
  version: { version: string; change_kind: string; risk: string };
  /** the newest current certification of an earlier version of the definition */
  previous?: { version: string; status: string; expired: boolean; patch_of: boolean; risk: string };
}

export interface CertifyPolicyDecision {
  outcome: 'certified' | 'refused';
  carried_from: string | null;
  reasons: string[];
  failed: string[];
  carry_refusals: string[];
}

export interface PublishPolicyInput {
  actor: Pick<Actor, 'sub' | 'tenant' | 'roles'> & { team?: string };
  definition: { id: string; tenant: string; risk: Risk; scope: Scope; category: string; visibility: Visibility };
}

export interface ReviewPolicyInput {
  kind: string;
  reviewer: Pick<Actor, 'sub' | 'tenant' | 'roles'> & { team?: string };
  author: string;
  requester: string;
  own_teams: string[];
  escalated: boolean;
}

export interface ReviewerDecision {
  allow: boolean;
  deny: { code: string; message: string }[];
  group: 'primary' | 'escalation' | 'none';
}

const engines = new Map<string, Promise<PolicyEngine>>();

export function loadPolicyEngine(dir: string): Promise<PolicyEngine> {
  const key = path.resolve(dir);
  let p = engines.get(key);
  if (!p) {
    p = (async () => {
      const wasmFile = path.join(key, 'policy.wasm');
      const wasm = await readFile(wasmFile).catch((e: NodeJS.ErrnoException) => {
        throw new Error(`cannot read ${wasmFile} (${e.code}): run "sh scripts/build-policies.sh"`);
      });
      const policy = await loadPolicy(wasm);
      const data = await readFile(path.join(key, 'data.json'), 'utf8').catch(() => '{}');
      policy.setData(JSON.parse(data) as object);
      return new PolicyEngine(policy);
    })();
    p.catch(() => engines.delete(key));
    engines.set(key, p);
  }
  return p;
}
