import { action, query } from '@solidjs/router';
import type { Visibility } from '../../../domain/access.ts';
import type {
  ControlOutcome,
  EvidenceBundle,
  EvidenceItem,
  ReviewDecisionRecord,
  ReviewKind,
  ReviewRequestStatus,
  ReviewStatus,
  SigstoreBundleJson,
} from '../../../domain/trust.ts';
import { apiFetch } from './api.ts';

export { REVIEW_CODES, REVIEW_KINDS } from '../../../domain/trust.ts';
export type { ControlOutcome, EvidenceItem, ReviewDecisionRecord, ReviewKind, ReviewRequestStatus, ReviewStatus };

/** One review of the queue (`GET /reviews`): a kind of one version's review request. */
export interface ReviewQueueItem {
  requestId: string;
  workflowId: string;
  kind: ReviewKind;
  status: ReviewStatus;
  definitionId: string;
  version: string;
  title: string;
  publisherTenant: string;
  risk: string;
  requestedVisibility: Exclude<Visibility, 'internal-only'>;
  quorum: number;
  approvals: number;
  deadlineAt?: string;
  escalatedAt?: string;
  createdAt: string;
}

/** One kind of a review request as the review page shows it. */
export interface KindReview {
  kind: ReviewKind;
  status: ReviewStatus;
  quorum: number;
  /** who decides now: the kind's reviewer team, or the escalation group after the deadline */
  group: 'primary' | 'escalation';
  workflowId: string;
  evidence: EvidenceItem[];
  decisions: ReviewDecisionRecord[];
  deadlineAt?: string;
  escalatedAt?: string;
}

/** `GET /definitions/{id}/versions/{version}/review`: the newest review request of a version. */
export interface ReviewDetail {
  requestId: string;
  status: ReviewRequestStatus;
  definitionId: string;
  version: string;
  requestedVisibility: Exclude<Visibility, 'internal-only'>;
  requestedBy: string;
  /** why it failed or expired */
  reason?: string;
  workflowId: string;
  runId: string;
  temporalUrl: string;
  reviews: KindReview[];
  controls: ControlOutcome[];
  evidenceDigest?: string;
  receiptId?: string;
  createdAt: string;
  endedAt?: string;
}

export interface EvidenceBundleView {
  bundle: EvidenceBundle;
  digest: string;
  signature: SigstoreBundleJson | null;
  requestId: string;
}

export interface ReviewFilter {
  kind?: ReviewKind;
  status?: ReviewStatus;
}

const versionPath = (id: string, version: string) => `/api/definitions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`;

export function reviewsPath(f: ReviewFilter): string {
  const p = new URLSearchParams();
  if (f.kind) p.set('kind', f.kind);
  if (f.status) p.set('status', f.status);
  const qs = p.toString();
  return `/api/reviews${qs ? `?${qs}` : ''}`;
}

export const reviewQueue = query((f: ReviewFilter) => apiFetch<{ items: ReviewQueueItem[] }>(reviewsPath(f)), 'reviewQueue');

export const reviewDetail = query((id: string, version: string) => apiFetch<ReviewDetail>(`${versionPath(id, version)}/review`), 'reviewDetail');

export const evidenceBundle = query(
  (id: string, version: string) => apiFetch<EvidenceBundleView>(`${versionPath(id, version)}/review/evidence-bundle`),
  'evidenceBundle',
);

export interface ReviewDecisionInput {
  definitionId: string;
  version: string;
  kind: ReviewKind;
  decision: 'approve' | 'reject';
  rationale: string;
}

/**
 * A reviewer's decision (a Temporal Update of the kind's review). Refusals: 403 SELF_REVIEW /
 * NOT_ELIGIBLE_REVIEWER, 422 RATIONALE_REQUIRED, 409 REVIEW_NOT_OPEN / ALREADY_DECIDED.
 */
export const decideReview = action(
  (input: ReviewDecisionInput) =>
    apiFetch<ReviewDecisionRecord>(`${versionPath(input.definitionId, input.version)}/review/${encodeURIComponent(input.kind)}/decisions`, {
      method: 'POST',
      body: { decision: input.decision, rationale: input.rationale },
    }),
  'decideReview',
);

export const reviewHref = (id: string, version: string, kind: ReviewKind) =>
  `/reviews/${encodeURIComponent(id)}/${encodeURIComponent(version)}/${encodeURIComponent(kind)}`;

export const KIND_LABELS: Record<ReviewKind, string> = { security: 'Security', performance: 'Performance', docs: 'Docs' };

export const REVIEW_STATUS_LABELS: Record<ReviewStatus, string> = {
  gathering: 'gathering evidence',
  open: 'open',
  escalated: 'escalated',
  passed: 'passed',
  failed: 'failed',
  expired: 'expired',
};
