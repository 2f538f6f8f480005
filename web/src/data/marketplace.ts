import { action, query } from '@solidjs/router';
import type { Visibility } from '../../../domain/access.ts';
import type { Environment, TemplateBindings } from '../../../domain/marketplace.ts';
import type { TemplateDetail, TemplateListItem, TemplateUsage, TemplateView } from '../../../domain/templates.ts';
import {
  TERMINAL_INSTALL_STATUSES,
  type EndpointVerdict,
  type InstallApproval,
  type InstallDecision,
  type InstallError,
  type InstallRequest,
  type InstallStatus,
  type InstancePolicies,
  type InstanceQuotas,
  type InstanceStatus,
} from '../../../domain/install.ts';
import { apiFetch } from './api.ts';
import type { RunStarted } from './definitions.ts';
import type { InstanceUpgradeFields } from './upgrades.ts';

export type { Environment, TemplateBindings, Visibility };
export { ENVIRONMENTS, REGION } from '../../../domain/marketplace.ts';
export { VISIBILITY_PROFILES } from '../../../domain/access.ts';
export { INSTALL_LIMITS, mayRunInstance } from '../../../domain/install.ts';
export type { MyInstance, TemplateDetail, TemplateListItem, TemplateUsage, TemplateView } from '../../../domain/templates.ts';
export type { EndpointVerdict, InstallRequest, InstallStatus, InstancePolicies, InstanceQuotas, InstanceStatus } from '../../../domain/install.ts';

// ---- shapes of the API contract (GET /templates…, /installs…, /instances…) ----

/** What the install policy will require, and whether the bindings fit: a preview, no side effects. */
export interface InstallCheck {
  templateId?: string;
  version?: string;
  allow: boolean;
  deny: string[];
  approvalsRequired: number;
  reasons: string[];
  missing: { secrets: string[]; parameters: string[] };
  endpoints: EndpointVerdict[];
  problems?: { path: string; message: string; code?: string }[];
}

export interface InstallStarted {
  instanceId: string;
  workflowId: string;
  runId: string;
  temporalUrl: string;
  status: string;
}

export const TERMINAL_INSTALL: readonly string[] = TERMINAL_INSTALL_STATUSES;

export interface InstallView {
  instanceId: string;
  templateId: string;
  version: string;
  environment: Environment;
  status: InstallStatus;
  decision?: InstallDecision;
  approvals: InstallApproval[];
  error?: InstallError;
  /** while awaiting_override: the soft-mandatory guardrails holding it, and who may override each */
  heldFor?: { rule: string; reasons: string[]; override_roles: string[] }[];
  overrides?: { rule: string; actor: { sub: string; tenant: string; name?: string }; rationale: string; at?: string }[];
  workflowId: string;
  runId: string;
  temporalUrl: string;
  requestedBy: string;
}


export interface LifecycleLink {
  workflowId: string;
  runId?: string;
  status: string;
  temporalUrl: string;
}

/** An instance as GET /instances[/{id}] returns it, with its upgrade policy and any upgrade available. */
export interface InstanceView extends InstanceUpgradeFields {
  id: string;
  templateId: string;
  definitionId: string;
  title: string;
  publisherTenant: string;
  version: string;
  environment: Environment;
  region?: string;
  status: InstanceStatus;
  parameters: Record<string, unknown>;
  /** endpoint parameters a run cannot override */
  lockedParameters?: string[];
  /** spec secret → `secret://<tenant>/<name>`: references only, never values */
  secretBindings: Record<string, string>;
  policies: InstancePolicies;
  quotas: InstanceQuotas;
  quotaUse: { concurrentRuns: number; runsToday: number };
  install: LifecycleLink;
  uninstall?: LifecycleLink;
  installedBy?: string;
  createdAt: string;
}

export interface LifecycleStarted {
  workflowId: string;
  runId: string;
  temporalUrl: string;
  status?: string;
}

// ---- reads ----

export interface TemplateQuery {
  view: TemplateView;
  q?: string;
  visibility?: Visibility;
  publisher?: string;
  page?: number;
}

export function templatesPath(t: TemplateQuery): string {
  const p = new URLSearchParams({ view: t.view, perPage: '50' });
  if (t.q) p.set('q', t.q);
  if (t.visibility) p.set('visibility', t.visibility);
  if (t.publisher) p.set('publisher', t.publisher);
  if (t.page && t.page > 1) p.set('page', String(t.page));
  return `/api/templates?${p.toString()}`;
}

const templatePath = (id: string) => `/api/templates/${encodeURIComponent(id)}`;
const instancePath = (id: string) => `/api/instances/${encodeURIComponent(id)}`;

export const templates = query((t: TemplateQuery) => apiFetch<{ items: TemplateListItem[]; found: number }>(templatesPath(t)), 'templates');
export const template = query((id: string) => apiFetch<TemplateDetail>(templatePath(id)), 'template');
/** 404 for every tenant but the publisher's */
export const templateUsage = query((id: string) => apiFetch<TemplateUsage>(`${templatePath(id)}/usage`), 'templateUsage');

export const instances = query(() => apiFetch<{ items: InstanceView[] }>('/api/instances'), 'instances');
export const instance = query((id: string) => apiFetch<InstanceView>(instancePath(id)), 'instance');
export const installState = query((instanceId: string) => apiFetch<InstallView>(`/api/installs/${encodeURIComponent(instanceId)}`), 'installState');

/** The install preview: asked as the wizard's answers change (never cached: it is about this moment). */
export const checkInstall = (req: InstallRequest, signal?: AbortSignal) =>
  apiFetch<InstallCheck>(`${templatePath(req.templateId)}/install-check`, { method: 'POST', body: req, ...(signal ? { signal } : {}) });

// ---- changes (each starts a lifecycle; the router revalidates every query after) ----

export const requestInstall = action((req: InstallRequest) => apiFetch<InstallStarted>('/api/installs', { method: 'POST', body: req }), 'requestInstall');

export const decideInstall = action(
  (input: { instanceId: string; decision: 'approve' | 'reject'; rationale: string }) =>
    apiFetch<unknown>(`/api/installs/${encodeURIComponent(input.instanceId)}/approvals`, { method: 'POST', body: { decision: input.decision, rationale: input.rationale } }),
  'decideInstall',
);

export const setInstanceEnabled = action(
  (input: { id: string; enabled: boolean }) => apiFetch<LifecycleStarted>(`${instancePath(input.id)}/${input.enabled ? 'enable' : 'disable'}`, { method: 'POST' }),
  'setInstanceEnabled',
);

export const uninstallInstance = action(
  (input: { id: string; inFlight: 'finish' | 'cancel' }) => apiFetch<LifecycleStarted>(`${instancePath(input.id)}?inFlight=${input.inFlight}`, { method: 'DELETE' }),
  'uninstallInstance',
);

/** Run an instance: its bindings, policies and quotas apply (429 QUOTA_EXCEEDED names the quota). */
export const runInstance = (id: string, params: Record<string, unknown>) =>
  apiFetch<RunStarted>(`${instancePath(id)}/runs`, { method: 'POST', body: { params } });

export const VISIBILITY_LABELS: Record<Visibility, string> = {
  'internal-only': 'Internal only',
  'partner-curated': 'Partner-curated',
  'public-ecosystem': 'Public ecosystem',
};
