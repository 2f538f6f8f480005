import { action, query } from '@solidjs/router';
import type { ChangeClassification, ChangeKind } from '../../../domain/change-kind.ts';
import type { CampaignProgress, UpgradeApproval, UpgradePlan, UpgradePolicy, UpgradeState, UpgradeStatus } from '../../../domain/upgrade.ts';
import { apiFetch } from './api.ts';

export type { ChangeClassification, ChangeKind, ChangeReason } from '../../../domain/change-kind.ts';
export type { CampaignProgress, CampaignWave, ParameterChange, StepChange, UpgradePlan, UpgradePolicy, UpgradeState, UpgradeStatus } from '../../../domain/upgrade.ts';
export { TERMINAL_UPGRADE_STATUSES, UPGRADE_CODES, UPGRADE_POLICIES } from '../../../domain/upgrade.ts';

// ---- shapes of the API contract (/instances/{id}/upgrade…, /templates/{id}/campaigns…) ----

/** An upgrade as GET /instances/{id}/upgrades[/{version}] returns it: the lifecycle's state and where it runs. */
export interface UpgradeView {
  instanceId: string;
  fromVersion: string;
  toVersion: string;
  status: UpgradeStatus;
  changeKind?: ChangeKind;
  /** the requester's subject */
  requestedBy: string;
  campaignId?: string;
  plan?: UpgradePlan;
  approvals: UpgradeApproval[];
  smokeRun?: UpgradeState['smokeRun'];
  watch?: { until?: string; finished: number; failed: number };
  rollback?: UpgradeState['rollback'];
  error?: UpgradeState['error'];
  receiptId?: string;
  workflowId: string;
  runId: string;
  temporalUrl: string;
  appliedAt?: string;
  rolledBackAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** What the body of an upgrade check or request carries: a target and bindings laid over the migrated ones. */
export interface UpgradeRequest {
  toVersion?: string;
  parameters?: Record<string, unknown>;
  secrets?: Record<string, string>;
}

export interface UpgradeStarted {
  instanceId: string;
  toVersion: string;
  workflowId: string;
  runId: string;
  status: UpgradeStatus;
  temporalUrl: string;
}

/** What the instance read model adds for upgrades (GET /instances, /instances/{id}). */
export interface InstanceUpgradeFields {
  upgradePolicy?: UpgradePolicy;
  latestVersion?: string;
  /** the latest version the tenant may install that is newer than the instance's */
  upgradeAvailable?: { version: string; changeKind: ChangeKind };
  /** the newest upgrade of the instance */
  upgrade?: { toVersion: string; status: UpgradeStatus };
}

const instancePath = (id: string) => `/api/instances/${encodeURIComponent(id)}`;
const templatePath = (id: string) => `/api/templates/${encodeURIComponent(id)}`;

// ---- reads ----

export const instanceUpgrades = query((id: string) => apiFetch<{ items: UpgradeView[] }>(`${instancePath(id)}/upgrades`), 'instanceUpgrades');

export const upgradeState = query(
  (id: string, version: string) => apiFetch<UpgradeView>(`${instancePath(id)}/upgrades/${encodeURIComponent(version)}`),
  'upgradeState',
);

/** Publisher's tenant only (404 for everyone else). */
export const templateCampaigns = query((id: string) => apiFetch<{ items: CampaignProgress[] }>(`${templatePath(id)}/campaigns`), 'templateCampaigns');

export const templateCampaign = query(
  (id: string, version: string) => apiFetch<CampaignProgress>(`${templatePath(id)}/campaigns/${encodeURIComponent(version)}`),
  'templateCampaign',
);

/** The computed change between two versions of a definition. */
export const definitionChanges = query(
  (id: string, from: string, to: string) =>
    apiFetch<ChangeClassification>(`/api/definitions/${encodeURIComponent(id)}/changes?${new URLSearchParams({ from, to }).toString()}`),
  'definitionChanges',
);

/** The upgrade plan as a preview: asked as the answers change (never cached: it is about this moment). */
export const checkUpgrade = (id: string, req: UpgradeRequest, signal?: AbortSignal) =>
  apiFetch<UpgradePlan>(`${instancePath(id)}/upgrade-check`, { method: 'POST', body: req, ...(signal ? { signal } : {}) });

// ---- changes (the router revalidates every query after an action) ----

export const requestUpgrade = action(
  (input: { id: string } & UpgradeRequest) => {
    const { id, ...body } = input;
    return apiFetch<UpgradeStarted>(`${instancePath(id)}/upgrades`, { method: 'POST', body });
  },
  'requestUpgrade',
);

export const decideUpgrade = action(
  (input: { id: string; version: string; decision: 'approve' | 'reject'; rationale: string }) =>
    apiFetch<unknown>(`${instancePath(input.id)}/upgrades/${encodeURIComponent(input.version)}/approvals`, {
      method: 'POST',
      body: { decision: input.decision, rationale: input.rationale },
    }),
  'decideUpgrade',
);

export const setUpgradePolicy = action(
  (input: { id: string; upgradePolicy: UpgradePolicy }) => apiFetch<unknown>(instancePath(input.id), { method: 'PATCH', body: { upgradePolicy: input.upgradePolicy } }),
  'setUpgradePolicy',
);

// ---- words ----

export const upgradeHref = (instanceId: string, version: string) => `${instancePath(instanceId).slice(4)}/upgrades/${encodeURIComponent(version)}`;
export const upgradePlanHref = (instanceId: string, version?: string) =>
  `${instancePath(instanceId).slice(4)}/upgrade${version ? `?to=${encodeURIComponent(version)}` : ''}`;
export const campaignHref = (templateId: string, version: string) => `/marketplace/${encodeURIComponent(templateId)}/campaigns/${encodeURIComponent(version)}`;

export const POLICY_LABELS: Record<UpgradePolicy, { label: string; help: string }> = {
  pinned: { label: 'Pinned', help: 'Stays on its version; only a manual upgrade moves it.' },
  patch: { label: 'Patch', help: 'Follows new patch versions (same major.minor) automatically.' },
  minor: { label: 'Minor', help: 'Follows new minor and patch versions (same major) automatically.' },
};

export const UPGRADE_STATUS_LABELS: Record<UpgradeStatus, string> = {
  planning: 'planning',
  blocked: 'blocked',
  awaiting_override: 'held for a policy override',
  awaiting_approval: 'awaiting approval',
  applying: 'applying',
  smoke_testing: 'smoke testing',
  watching: 'watching',
  rolling_back: 'rolling back',
  upgraded: 'upgraded',
  rolled_back: 'rolled back',
  rejected: 'rejected',
  failed: 'failed',
};
