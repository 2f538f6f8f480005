import { query } from '@solidjs/router';
import type { Category, Risk, Scope } from '../../../domain/spec.ts';
import type { SpecV1 } from '../../../domain/spec-types.ts';
import { apiFetch } from './api.ts';

export interface DefinitionVersionSummary {
  version: string;
  status: string;
  digest: string;
  changelog?: string;
  createdBy: string;
  createdAt: string;
  publishedAt?: string;
  provenance?: { workflowId: string; runId: string };
}

/** GET /api/definitions/{id}: a definition with its versions (only published ones for other tenants). */
export interface DefinitionDetail {
  id: string;
  tenantId: string;
  name: string;
  title?: string;
  description: string;
  category: Category | string;
  risk: Risk;
  scope: Scope;
  owner?: string;
  ownerTeam?: string;
  status: string;
  /** the newest published version */
  latestVersion?: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  versions: DefinitionVersionSummary[];
}

/** GET /api/definitions/{id}/versions/{version}: one version with its spec. */
export interface DefinitionVersion {
  definitionId: string;
  version: string;
  status: string;
  digest: string;
  spec: SpecV1;
  publishedAt?: string;
}

export interface RunStarted {
  runId: string;
  workflowId: string;
  temporalUrl: string;
  status: string;
}

const definitionPath = (id: string) => `/api/definitions/${encodeURIComponent(id)}`;

export const definitionDetail = query((id: string) => apiFetch<DefinitionDetail>(definitionPath(id)), 'definition');

export const definitionVersion = query(
  (id: string, version: string) => apiFetch<DefinitionVersion>(`${definitionPath(id)}/versions/${encodeURIComponent(version)}`),
  'definitionVersion',
);

/** Starts a run; a 422 PARAMS_INVALID names each bad parameter as `/params/<field>`. */
export const startRun = (id: string, version: string, params: Record<string, unknown>) =>
  apiFetch<RunStarted>(`${definitionPath(id)}/runs`, { method: 'POST', body: { version, params } });

export const isHighRisk = (risk: string) => risk === 'high' || risk === 'critical';
