import { query } from '@solidjs/router';
import type { Environment } from '../../../domain/marketplace.ts';
import type { Enforcement, PolicyOperation, PolicyProfile, RuleResultKind } from '../../../domain/policy-profiles.ts';
import type { Risk } from '../../../domain/spec.ts';
import { apiFetch } from './api.ts';

export type { Enforcement, PolicyOperation, PolicyProfile, RuleResultKind };

/** The tenant settings a what-if may assume (POST /policy/dry-run `assume.settings`). */
export interface AssumedSettings {
  max_external_risk?: Risk | null;
  region?: string | null;
  endpoint_regions?: Record<string, string>;
  business_hours?: { days: string[]; start_hour: number; end_hour: number; timezone: string } | null;
  critical_runs_per_day?: number | null;
  egress_allow?: string[];
}

/** What POST /policy/dry-run takes: the fields of the real request, by operation. */
export type DryRunRequest = (
  | { operation: 'publish'; definitionId: string; version: string; visibility?: string }
  | { operation: 'install'; templateId: string; version?: string; environment: Environment; region?: string; parameters?: Record<string, unknown> }
  | { operation: 'upgrade'; instanceId: string; toVersion: string; parameters?: Record<string, unknown> }
  | { operation: 'run'; definitionId?: string; version?: string; instanceId?: string }
) & { assume?: { settings: AssumedSettings } };

export interface DryRunRule {
  id: string;
  title: string;
  description: string;
  enforcement: Enforcement;
  result: RuleResultKind;
  reasons: string[];
  fix: string;
  override_roles: string[];
  source: 'guardrails' | 'lifecycle';
}

export interface DryRun {
  operation: PolicyOperation;
  profile: PolicyProfile;
  outcome: 'allow' | 'hold' | 'deny';
  rules: DryRunRule[];
  denying: string[];
  held: string[];
  advisories: string[];
  overrideRoles: string[];
  approvals: {
    required: number;
    reasons: string[];
    review?: boolean;
    certification?: { required: boolean; status: string; allow: boolean };
    steps?: { stepId: string; title?: string; roles: string[]; users: string[]; count: number }[];
    perRun?: number;
  };
  subject: { definitionId: string; version: string; risk: string };
  assumed: boolean;
  inputDigest: string;
}

export interface PolicyRule {
  id: string;
  title: string;
  description: string;
  enforcement: Enforcement;
  operations: PolicyOperation[];
  fix: string;
  override_roles: string[];
  profile: PolicyProfile;
}

export const dryRun = (req: DryRunRequest, signal?: AbortSignal) => apiFetch<DryRun>('/api/policy/dry-run', { method: 'POST', body: req, ...(signal ? { signal } : {}) });

export const policyRules = query(() => apiFetch<{ items: PolicyRule[] }>('/api/policy/rules'), 'policyRules');
