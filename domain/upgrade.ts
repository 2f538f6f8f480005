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
import type { Actor } from './actor.ts';
import type { ChangeKind, ChangeReason } from './change-kind.ts';
import type { ErrorDetail } from './errors.ts';

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
  approval: { required: boolean; reasons: string[] };
  smoke?: { mode: 'run' | 'dry-run'; timeout: string };
  watch?: { window: string; maxFailureRate: number; minRuns: number };
  /** the bindings the upgrade applies (secret values never: names in the tenant's own store) */
  next: { parameters: Record<string, unknown>; secrets: Record<string, string> };
}

// ---- the lifecycle ----

export type UpgradeStatus =
  | 'planning'
  | 'blocked' // required bindings missing or invalid: ended, nothing changed
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
