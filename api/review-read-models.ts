import type { Sql } from '../platform/db.ts';
import { visibleVersionSql } from '../platform/access.ts';
import { hasRole, type Actor } from '../domain/actor.ts';
import type { ControlOutcome, EvidenceBundle, EvidenceItem, ReviewDecisionRecord, ReviewKind, ReviewRequestStatus, ReviewStatus, SigstoreBundleJson } from '../domain/trust.ts';

/** The platform's reviewers, admins and certifiers see every tenant's reviews (they decide or certify them). */
export const isPlatformReviewer = (a: Actor) => hasRole(a, 'platform-reviewer', 'platform-admin', 'platform-certifier');

export interface ReviewRequestRow {
  workflow_id: string;
  run_id: string;
  tenant_id: string;
  definition_id: string;
  version: string;
  requested_visibility: 'partner-curated' | 'public-ecosystem';
  risk: string;
  status: ReviewRequestStatus;
  requested_by: string;
  evidence_bundle: EvidenceBundle | null;
  evidence_digest: string | null;
  evidence_signature: SigstoreBundleJson | null;
  receipt_id: string | null;
  outcome_reason: string | null;
  created_at: Date;
  ended_at: Date | null;
}

export interface ReviewRow {
  workflow_id: string;
  run_id: string | null;
  kind: ReviewKind;
  status: ReviewStatus;
  quorum: number;
  reviewer_group: 'primary' | 'escalation';
  evidence: EvidenceItem[];
  decisions: ReviewDecisionRecord[];
  deadline_at: Date | null;
  escalated_at: Date | null;
}

/**
 * The newest review request of a version the actor may read: a platform reviewer any; a
 * tenant its own versions' and those it can see (a pending version is internal-only, so
 * another tenant learns nothing of it — not even that it exists).
 */
export async function readNewestReviewRequest(sql: Sql, actor: Actor, definitionId: string, version: string): Promise<ReviewRequestRow | undefined> {
  const [r] = await sql<ReviewRequestRow[]>`
    select r.* from review_request r
    join workflow_version v on v.definition_id = r.definition_id and v.version = r.version
    join workflow_definition d on d.id = v.definition_id
    where r.definition_id = ${definitionId} and r.version = ${version}
      ${isPlatformReviewer(actor) ? sql`` : sql`and ${visibleVersionSql(sql, actor.tenant, 'v', 'd')}`}
    order by r.created_at desc limit 1`;
  return r;
}

export async function readReviews(sql: Sql, requestId: string): Promise<ReviewRow[]> {
  return sql<ReviewRow[]>`
    select workflow_id, run_id, kind, status, quorum, reviewer_group, evidence, decisions, deadline_at, escalated_at
    from review where request_id = ${requestId}
    order by array_position(array['security', 'performance', 'docs']::text[], kind)`;
}

export interface QueueRow {
  workflow_id: string;
  request_id: string;
  kind: ReviewKind;
  status: ReviewStatus;
  quorum: number;
  decisions: ReviewDecisionRecord[];
  deadline_at: Date | null;
  escalated_at: Date | null;
  created_at: Date;
  definition_id: string;
  version: string;
  title: string | null;
  name: string;
  tenant_id: string;
  risk: string;
  requested_visibility: string;
}

/** The reviewers' queue: child reviews by kind and status, oldest first (bounded). */
export async function readReviewQueue(sql: Sql, f: { kind?: ReviewKind; statuses: ReviewStatus[]; limit: number }): Promise<QueueRow[]> {
  return sql<QueueRow[]>`
    select rv.workflow_id, rv.request_id, rv.kind, rv.status, rv.quorum, rv.decisions, rv.deadline_at, rv.escalated_at, rv.created_at,
           r.definition_id, r.version, d.title, d.name, r.tenant_id, r.risk, r.requested_visibility
    from review rv join review_request r on r.workflow_id = rv.request_id join workflow_definition d on d.id = r.definition_id
    where rv.status = any(${f.statuses}::text[]) ${f.kind ? sql`and rv.kind = ${f.kind}` : sql``}
    order by rv.created_at, rv.kind limit ${f.limit}`;
}

export type { ControlOutcome };
