/**
 * The catalog's shapes shared by the API, the worker and the Switchboard: the detail of
 * one entry (GET /api/catalog/{id}) and the lifecycles that may change a search document.
 */
import type { ChangeReason, RecordedChangeKind } from './change-kind.ts';
import type { TrustSummary } from './trust.ts';

/** Lifecycles that write catalog documents (each write is recorded with its workflow/run id). */
export type CatalogLifecycle = 'publish' | 'health-rollup' | 'reindex' | 'curate';

/** Health rollups look at the runs of this many days. */
export const HEALTH_WINDOW_DAYS = 30;

export interface CatalogProvenanceEntry {
  lifecycle: CatalogLifecycle;
  workflowId: string;
  runId: string;
  /** why the document changed, e.g. "published 1.2.0", "health: 12 runs", "reindex: altered" */
  reason?: string;
  at: string;
  /** the workflow history in the Temporal Web UI */
  temporalUiUrl: string;
}

/** The entry's trust: the signature, marketplace review and certification of its latest version (TrustSummary), plus badges and warnings. */
export interface CatalogTrust extends TrustSummary {
  /** who wrote the latest version */
  author?: string;
  ownerTeam?: string;
  /**
   * who approved the latest published version; the owning tenant only (like the approvals).
   * Other tenants see the "reviewed" badge and lastReviewedAt. Absent when it needed no review.
   */
  reviewer?: string;
  lastReviewedAt?: string;
  certified: boolean;
  certificationState: 'none' | 'certified' | 'stale' | 'revoked';
  /** short labels the UI shows as badges, e.g. "reviewed", "certified", "healthy" */
  badges: string[];
  /** plain-language warnings, e.g. "high risk: runs need approval", "no runs in 30 days" */
  warnings: string[];
}

export interface CatalogHealth {
  windowDays: number;
  runCount: number;
  lastRunStatus?: string;
  lastRunAt?: string;
  /** 0..1 over finished runs in the window */
  failureRate?: number;
  avgDurationMs?: number;
  /** when the rollup that produced these figures ran (absent: never rolled up) */
  computedAt?: string;
}

export interface CatalogApprovalRequirement {
  /** the approval step's id in the spec */
  stepId: string;
  title?: string;
  roles: string[];
  users: string[];
  count: number;
}

export interface CatalogDetail {
  id: string;
  tenantId: string;
  name: string;
  title?: string;
  description: string;
  category: string;
  risk: string;
  scope: string;
  visibility: string;
  owner?: string;
  ownerTeam?: string;
  status: string;
  latestVersion?: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  /** the parameters of the version a run would use (latest published; else the newest) */
  parameters: {
    version?: string;
    schema?: Record<string, unknown>;
    secrets: { name: string; description?: string }[];
  };
  /** approvals a run of that version waits for (its approval steps), shown before Run */
  approvalRequirements: CatalogApprovalRequirement[];
  versions: {
    version: string;
    status: string;
    digest: string;
    changelog?: string;
    changeKind?: RecordedChangeKind;
    changeFrom?: string;
    changeReasons?: ChangeReason[];
    createdBy: string;
    createdAt: string;
    publishedAt?: string;
    provenance?: { workflowId: string; runId: string; temporalUiUrl: string };
  }[];
  /** publish approvals; only the owning tenant sees them */
  approvals: {
    version: string;
    approver: string;
    approverTenant: string;
    decision: string;
    rationale: string;
    decidedAt: string;
    workflowId: string;
    runId?: string;
  }[];
  trust: CatalogTrust;
  health: CatalogHealth;
  /**
   * newest first; what changed this entry's search document, and which lifecycle did it:
   * every publish and reindex, and the newest health rollups. Other tenants see the
   * publishes of the versions they may see only.
   */
  provenance: CatalogProvenanceEntry[];
}
