/**
 * The upgrade lifecycle's and the upgrade campaign's shapes (issue 11), shared by the API,
 * the activities, the workflows and the Switchboard. Contract first: the pure planning
 * helpers (version ranges, the plan's diff, migration checks) live next to these types.
 *
 * An upgrade moves one instance from its version to a newer published version of its
 * template: plan (diff, computed change kind, migration of the instance's own bindings,
 * what must still be supplied) → approval (breaking or high/critical risk, or requested by
 * someone who is not a tenant admin) → apply → smoke run → watch window → receipt; a failed
 * smoke run or watch window rolls the instance back to its version and bindings before.
 * A campaign fans out upgrades of every instance whose policy allows the new version, in
 * waves, and stops (rolling back its failing wave) when a wave fails.
 */
import { hasRole, type Actor } from './actor.ts';
import { classifyChange, type ChangeKind, type ChangeReason } from './change-kind.ts';
import type { ErrorDetail } from './errors.ts';
import { SEMVER, compareSemver } from './semver.ts';
import type { SpecV1, Step } from './spec-types.ts';
import { walkSteps } from './spec-types.ts';
import type { GuardrailDecision, PolicyOverride } from './policy-profiles.ts';

// ---- policies ----

/**
 * An instance's upgrade policy, set by its tenant admin: `pinned` never moves (only a manual
 * upgrade does); `patch` follows new versions with the same major.minor; `minor` follows new
 * versions with the same major. A breaking version (a new major) is never automatic.
 */
export type UpgradePolicy = 'pinned' | 'patch' | 'minor';
export const UPGRADE_POLICIES: readonly UpgradePolicy[] = ['pinned', 'patch', 'minor'];

// ---- ids ----

/** One upgrade lifecycle per instance and target version: an auto-upgrade happens once per new version. */
export const upgradeWorkflowId = (instanceId: string, toVersion: string) => `upgrade/${instanceId}/${toVersion}`;
/** One campaign per published version. */
export const campaignWorkflowId = (definitionId: string, version: string) => `campaign/${definitionId}@${version}`;

// ---- the plan ----

export interface ParameterChange {
  name: string;
  change: 'added' | 'removed' | 'changed' | 'unchanged';
  before?: unknown;
  after?: unknown;
}

export interface StepChange {
  id: string;
  change: 'added' | 'removed' | 'changed';
  /** task before → after, when it changed */
  task?: { before?: string; after?: string };
}

/** What an upgrade would do to one instance (GET preview and the lifecycle's first step). */
export interface UpgradePlan {
  instanceId: string;
  templateId: string;
  definitionId: string;
  fromVersion: string;
  toVersion: string;
  changeKind: ChangeKind;
  reasons: ChangeReason[];
  risk: string;
  /** the instance's bindings before, and after migration + what the request supplied */
  parameters: ParameterChange[];
  secrets: ParameterChange[];
  steps: StepChange[];
  /** whether the new version's declared migration ran, and its output's problems */
  migration: { declared: boolean; applied: boolean; problems: ErrorDetail[] };
  /** required bindings that nothing provides: the plan stops until they are supplied */
  missing: { parameters: string[]; secrets: string[] };
  /** every problem with the resulting bindings (schema, secrets absent, endpoints refused) */
  problems: ErrorDetail[];
  /** count: approvals by distinct tenant admins (two for a critical-risk version in prod, as an install) */
  approval: { required: boolean; reasons: string[]; count: number };
  smoke?: { mode: 'run' | 'dry-run'; timeout: string; parameters?: Record<string, unknown> };
  watch?: { window: string; maxFailureRate: number; minRuns: number };
  /** the bindings the upgrade applies (secret values never: names in the tenant's own store) */
  next: { parameters: Record<string, unknown>; secrets: Record<string, string> };
}

// ---- the lifecycle ----

export type UpgradeStatus =
  | 'planning'
  | 'blocked' // required bindings missing or invalid, or denied by the guardrails: ended, nothing changed
  | 'awaiting_override' // held by a soft-mandatory guardrail until someone the policy names overrides it
  | 'awaiting_approval'
  | 'applying'
  | 'smoke_testing'
  | 'watching'
  | 'rolling_back'
  | 'upgraded'
  | 'rolled_back'
  | 'rejected'
  | 'failed';

export const TERMINAL_UPGRADE_STATUSES: readonly UpgradeStatus[] = ['blocked', 'upgraded', 'rolled_back', 'rejected', 'failed'];

export interface UpgradeInput {
  instanceId: string;
  /** the instance's tenant (a campaign's requester is the publisher); default: requestedBy.tenant */
  tenantId?: string;
  /** the instance's template, for the TemplateId search attribute */
  templateId?: string;
  toVersion: string;
  requestedBy: Actor;
  /** bindings supplied with the request, laid over the migrated ones */
  parameters?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** set when a campaign started it */
  campaignId?: string;
  /** the watch window from the spec can be shortened by a campaign (e.g. benchmarks); never lengthened */
  watchOverride?: string;
}

export interface UpgradeApproval {
  approver: Pick<Actor, 'sub' | 'tenant'> & { name?: string };
  decision: 'approve' | 'reject';
  rationale: string;
  at: string;
}

export interface UpgradeState {
  instanceId: string;
  fromVersion?: string;
  toVersion: string;
  status: UpgradeStatus;
  requestedBy: Actor;
  campaignId?: string;
  plan?: UpgradePlan;
  approvals: UpgradeApproval[];
  smokeRun?: { runId: string; workflowId: string; status: string };
  watch?: { until: string; finished: number; failed: number };
  rollback?: { reason: string; code: string };
  error?: { code: string; message: string; details?: ErrorDetail[] };
  receiptId?: string;
  /** the guardrails' latest decision (policies/guardrails.rego) and the overrides given while held */
  guardrails?: GuardrailDecision;
  overrides?: PolicyOverride[];
}

export interface UpgradeResult extends UpgradeState {
  status: Extract<UpgradeStatus, 'blocked' | 'upgraded' | 'rolled_back' | 'rejected' | 'failed'>;
  receiptId?: string;
}

// ---- campaigns ----

export interface CampaignInput {
  definitionId: string;
  toVersion: string;
  changeKind: ChangeKind;
  requestedBy: Actor;
  /** fractions of the eligible instances, cumulative; default [0.1, 1] */
  waves?: number[];
  /** upgrades running at once within a wave; default 20 */
  concurrency?: number;
  watchOverride?: string;
}

export type CampaignStatus = 'selecting' | 'running' | 'rolling_back' | 'completed' | 'halted' | 'nothing_to_do';

export interface CampaignWave {
  index: number;
  instances: number;
  upgraded: number;
  rolledBack: number;
  failed: number;
  /** blocked, rejected, already upgraded by another lifecycle, or not started once the wave stopped */
  skipped: number;
  /** upgraded, then rolled back by the campaign because their wave failed */
  reverted: number;
  status: 'pending' | 'running' | 'passed' | 'failed' | 'rolled_back';
}

/** The publisher's aggregate view: counts only, never another tenant's instance ids. */
export interface CampaignProgress {
  campaignId: string;
  definitionId: string;
  toVersion: string;
  changeKind: ChangeKind;
  status: CampaignStatus;
  eligible: number;
  waves: CampaignWave[];
  startedAt: string;
  endedAt?: string;
  error?: { code: string; message: string };
}

/** Stable codes of the upgrade lifecycle and campaigns. */
export const UPGRADE_CODES = {
  bindingsMissing: 'UPGRADE_BINDINGS_MISSING',
  bindingsInvalid: 'UPGRADE_BINDINGS_INVALID',
  migrationFailed: 'MIGRATION_FAILED',
  notNewer: 'UPGRADE_NOT_NEWER',
  inProgress: 'UPGRADE_IN_PROGRESS',
  smokeFailed: 'SMOKE_RUN_FAILED',
  watchFailed: 'WATCH_WINDOW_FAILED',
  notAwaiting: 'NOT_AWAITING_APPROVAL',
  selfApproval: 'SELF_APPROVAL',
  notTenantAdmin: 'NOT_A_TENANT_ADMIN',
  wrongTenant: 'WRONG_TENANT',
  alreadyDecided: 'ALREADY_DECIDED',
  rationaleRequired: 'RATIONALE_REQUIRED',
  approvalTimeout: 'APPROVAL_TIMEOUT',
  instanceNotActive: 'INSTANCE_NOT_ACTIVE',
} as const;

// ---- limits and defaults ----

export const UPGRADE_LIMITS = {
  /** a migration expression's text (the spec schema says the same) */
  migrationLength: 10_000,
  /** the migration's output as JSON */
  migrationOutputBytes: 64 * 1024,
  rationale: 4_000,
  /** how long an upgrade waits for its approval */
  approvalTimeout: '7 days',
  smokeTimeout: '10m',
  watchMaxFailureRate: 0.5,
  watchMinRuns: 1,
} as const;

export const UPGRADE_APPROVAL_TIMEOUT = UPGRADE_LIMITS.approvalTimeout;

const DURATION = /^([1-9][0-9]*)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A spec duration (500ms, 30s, 5m, 2h, 1d) in milliseconds; undefined when it is not one. */
export function durationMs(d: string | undefined): number | undefined {
  const m = d === undefined ? null : DURATION.exec(d);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

// ---- version ranges ----

const parts = (v: string) => {
  const m = SEMVER.exec(v);
  return m ? { major: m[1]!, minor: m[2]!, patch: m[3]!, pre: m[4] } : undefined;
};

/** Is `to` newer than `from`, with the same major (and minor, for `patch`)? Pinned never moves by itself. */
export function policyAllows(policy: UpgradePolicy, from: string, to: string): boolean {
  const a = parts(from);
  const b = parts(to);
  if (!a || !b || policy === 'pinned' || compareSemver(to, from) <= 0) return false;
  // a pre-release is never picked up automatically
  if (b.pre !== undefined) return false;
  if (a.major !== b.major) return false;
  return policy === 'minor' || a.minor === b.minor;
}

const NUM = '(0|[1-9]\\d*)';
const RANGE_FORMS: { re: RegExp; test: (m: RegExpExecArray, v: NonNullable<ReturnType<typeof parts>>, version: string) => boolean }[] = [
  // 1.x, 1.x.x
  { re: new RegExp(`^${NUM}\\.x(?:\\.x)?$`), test: (m, v) => v.major === m[1] },
  // 1.2.x
  { re: new RegExp(`^${NUM}\\.${NUM}\\.x$`), test: (m, v) => v.major === m[1] && v.minor === m[2] },
  // ^1.2.0: same major (same minor below 1.0.0), at least 1.2.0
  {
    re: new RegExp(`^\\^(${NUM}\\.${NUM}\\.${NUM})$`),
    test: (m, v, version) => compareSemver(version, m[1]!) >= 0 && v.major === m[2] && (m[2] !== '0' || v.minor === m[3]),
  },
  // ~1.2.0: same major.minor, at least 1.2.0
  { re: new RegExp(`^~(${NUM}\\.${NUM}\\.${NUM})$`), test: (m, v, version) => compareSemver(version, m[1]!) >= 0 && v.major === m[2] && v.minor === m[3] },
];

/**
 * A migration's `from` range: an exact version, 1.x, 1.2.x, ^1.2.0 or ~1.2.0. Anything else
 * is refused when the spec is validated (`isVersionRange`), so it never reaches a plan.
 */
export function isVersionRange(range: string): boolean {
  if (typeof range !== 'string' || range.length > 100) return false;
  return SEMVER.test(range) || RANGE_FORMS.some((f) => f.re.test(range));
}

/** Does `version` fall in `range`? An invalid range matches nothing. */
export function inVersionRange(version: string, range: string): boolean {
  const v = parts(version);
  if (!v || typeof range !== 'string' || range.length > 100) return false;
  if (SEMVER.test(range)) return compareSemver(version, range) === 0;
  for (const f of RANGE_FORMS) {
    const m = f.re.exec(range);
    if (m) return v.pre === undefined && f.test(m, v, version);
  }
  return false;
}

// ---- classification ----

/** The change kind between the instance's version and the target (domain/change-kind.ts: computed from the two specs). */
export const classifyUpgrade = (previous: SpecV1, next: SpecV1): { kind: ChangeKind; reasons: ChangeReason[] } => classifyChange(previous, next);

// ---- the plan's diff ----

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every binding name before and after, with what happened to it (values as given: secret bindings are names, never values). */
export function bindingChanges(before: Record<string, unknown>, after: Record<string, unknown>): ParameterChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.map((name) => {
    const had = Object.prototype.hasOwnProperty.call(before, name);
    const has = Object.prototype.hasOwnProperty.call(after, name);
    const change: ParameterChange['change'] = !had ? 'added' : !has ? 'removed' : same(before[name], after[name]) ? 'unchanged' : 'changed';
    return { name, change, ...(had ? { before: before[name] } : {}), ...(has ? { after: after[name] } : {}) };
  });
}

/** Steps added, removed or changed (task or inputs) between two specs, by step id. */
export function stepChanges(previous: SpecV1, next: SpecV1): StepChange[] {
  const index = (spec: SpecV1) => new Map(walkSteps(spec.steps).map(({ step }) => [step.id, step] as const));
  const a = index(previous);
  const b = index(next);
  const task = (s: Step) => ('task' in s ? s.task : undefined);
  const out: StepChange[] = [];
  for (const [id, step] of b) {
    const old = a.get(id);
    if (!old) out.push({ id, change: 'added', ...(task(step) ? { task: { after: task(step) } } : {}) });
    else if (!same(old, step)) out.push({ id, change: 'changed', ...(task(old) !== task(step) ? { task: { before: task(old), after: task(step) } } : {}) });
  }
  for (const [id, step] of a) if (!b.has(id)) out.push({ id, change: 'removed', ...(task(step) ? { task: { before: task(step) } } : {}) });
  return out;
}

/**
 * The bindings carried over when the target declares no migration (or one whose `from`
 * does not cover the instance's version): parameters the target still declares (all of
 * them, when it declares no properties), secret bindings of secrets it still declares.
 */
export function carriedBindings(next: SpecV1, parameters: Record<string, unknown>, secrets: Record<string, string>) {
  const props = next.parameters?.properties;
  const declared = new Set((next.secrets ?? []).map((s) => s.name));
  return {
    parameters: props ? Object.fromEntries(Object.entries(parameters).filter(([k]) => Object.prototype.hasOwnProperty.call(props, k))) : { ...parameters },
    secrets: Object.fromEntries(Object.entries(secrets).filter(([k]) => declared.has(k))),
  };
}

/** Does the target's migration apply to an instance on `from`? Declared, and `from` in its range (no range: every older version). */
export const migrationApplies = (next: SpecV1, from: string) => {
  const m = next.upgrade?.migration;
  return !!m && (m.from === undefined || inVersionRange(from, m.from));
};

/**
 * What a migration yielded, checked: an object `{ parameters, secrets? }`, parameters an
 * object, secrets an object of names. Problems carry MIGRATION_FAILED.
 */
export function migrationOutput(value: unknown): { parameters: Record<string, unknown>; secrets?: Record<string, string> } | { problems: ErrorDetail[] } {
  const problem = (path: string, message: string) => ({ problems: [{ path, message, code: UPGRADE_CODES.migrationFailed }] });
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(value)) return problem('/', 'the migration must yield an object { parameters, secrets? }');
  const extra = Object.keys(value).filter((k) => k !== 'parameters' && k !== 'secrets');
  if (extra.length) return problem(`/${extra[0]}`, `the migration yields only parameters and secrets, not ${extra.join(', ')}`);
  if (!isObject(value.parameters)) return problem('/parameters', 'the migration must yield parameters as an object');
  if (value.secrets !== undefined) {
    if (!isObject(value.secrets)) return problem('/secrets', 'secrets: an object of spec secret → your secret name');
    const bad = Object.entries(value.secrets).find(([, v]) => typeof v !== 'string');
    if (bad) return problem(`/secrets/${bad[0]}`, 'a secret binding is the name of one of your secrets');
    return { parameters: value.parameters, secrets: value.secrets as Record<string, string> };
  }
  return { parameters: value.parameters };
}

// ---- approval ----

const HIGH_RISK = new Set(['high', 'critical']);

/**
 * Does the upgrade need a tenant admin's approval? A breaking change, a high or critical
 * risk target, or a manual request by someone who is not a tenant admin of the instance's
 * tenant. A campaign's upgrade is authorised by the instance's policy (set by its tenant
 * admin), so only the first two apply to it.
 */
export function upgradeApproval(
  kind: ChangeKind,
  risk: string,
  requester: Actor,
  tenant: string,
  campaign: boolean,
  environment?: string,
): { required: boolean; reasons: string[]; count: number } {
  const reasons: string[] = [];
  if (kind === 'breaking') reasons.push('the change is breaking');
  if (HIGH_RISK.has(risk)) reasons.push(`the target version's risk is ${risk}`);
  if (!campaign && (requester.tenant !== tenant || !hasRole(requester, 'tenant-admin'))) reasons.push(`requested by ${requester.sub}, who is not a tenant admin of "${tenant}"`);
  // as policies/install.rego: a critical-risk workflow in prod needs two approvals
  const two = risk === 'critical' && environment === 'prod';
  if (two) reasons.push('a critical-risk workflow in prod needs two approvals');
  return { required: reasons.length > 0, reasons, count: reasons.length === 0 ? 0 : two ? 2 : 1 };
}

export interface UpgradeApproveArgs {
  approver: Actor;
  rationale: string;
}

export interface UpgradeRefusal {
  /** `<kind>:<code>` (domain/errors.ts failureTypeFor) */
  type: string;
  message: string;
}

/**
 * Why an approve/reject of an upgrade is refused (undefined: accepted): a tenant admin of
 * the instance's tenant who did not request it, with a rationale, once. Pure: the
 * workflow's Update validator and the API share it.
 */
export function upgradeApprovalRefusal(state: Pick<UpgradeState, 'status' | 'requestedBy' | 'approvals'>, tenant: string, args: UpgradeApproveArgs): UpgradeRefusal | undefined {
  const c = UPGRADE_CODES;
  if (state.status !== 'awaiting_approval') return { type: `conflict:${c.notAwaiting}`, message: `this upgrade is ${state.status}, not awaiting approval` };
  const a = args?.approver;
  if (!a || typeof a.sub !== 'string' || !Array.isArray(a.roles)) return { type: `input:${c.rationaleRequired}`, message: 'an approval names its approver' };
  if (typeof args.rationale !== 'string' || !args.rationale.trim()) return { type: `input:${c.rationaleRequired}`, message: 'a rationale is required for every approval decision' };
  if (args.rationale.length > UPGRADE_LIMITS.rationale) return { type: `input:${c.rationaleRequired}`, message: `a rationale has at most ${UPGRADE_LIMITS.rationale} characters` };
  if (a.tenant !== tenant) return { type: `not_allowed:${c.wrongTenant}`, message: `only tenant admins of "${tenant}" may decide this upgrade` };
  if (!a.roles.includes('tenant-admin')) return { type: `not_allowed:${c.notTenantAdmin}`, message: 'only a tenant admin may decide an upgrade' };
  if (a.sub === state.requestedBy.sub) return { type: `not_allowed:${c.selfApproval}`, message: 'you cannot approve or reject your own upgrade request: a second tenant admin decides' };
  if (state.approvals.some((x) => x.approver.sub === a.sub)) return { type: `conflict:${c.alreadyDecided}`, message: 'you have already decided this upgrade' };
  return undefined;
}

// ---- watch window ----

/** The watch window's verdict: roll back once minRuns have finished and the failure rate is above the maximum. */
export function watchVerdict(counts: { finished: number; failed: number }, watch: { maxFailureRate: number; minRuns: number }): 'rollback' | 'ok' {
  if (counts.finished < watch.minRuns || counts.finished === 0) return 'ok';
  return counts.failed / counts.finished > watch.maxFailureRate ? 'rollback' : 'ok';
}

/** The watch window an upgrade keeps: the spec's, shortened (never lengthened) by an override. */
export function effectiveWatch(next: SpecV1, override?: string): UpgradePlan['watch'] {
  const w = next.upgrade?.watch;
  if (!w) return undefined;
  const spec = durationMs(w.window);
  const over = durationMs(override);
  const window = over !== undefined && spec !== undefined && over < spec ? override! : w.window;
  return { window, maxFailureRate: w.maxFailureRate ?? UPGRADE_LIMITS.watchMaxFailureRate, minRuns: w.minRuns ?? UPGRADE_LIMITS.watchMinRuns };
}
