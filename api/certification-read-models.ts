/**
 * The certification read models: which version a caller may certify or read the
 * certification of, and the certification itself. Platform certifiers, reviewers and admins
 * see every version that went to a marketplace review; everyone else sees what the
 * visibility rule lets their tenant see.
 */
import type { Sql } from '../platform/db.ts';
import { visibleVersionSql } from '../platform/access.ts';
import { hasRole, type Actor } from '../domain/actor.ts';
import type { CertificationView } from '../domain/certification.ts';
import type { CertificationStatus, ChecklistItem } from '../domain/trust.ts';

const isPlatformTrustRole = (actor: Actor) => hasRole(actor, 'platform-certifier', 'platform-reviewer', 'platform-admin');

/** The version as `actor` may see it (undefined: not visible or no such version). */
export async function certifiableVersion(
  sql: Sql,
  actor: Actor,
  definitionId: string,
  version: string,
): Promise<{ status: string; reviewState: string; attempts: number; checking: boolean } | undefined> {
  const [v] = await sql<{ status: string; review_state: string; visible: boolean; attempts: number; checking: boolean }[]>`
    select v.status, v.review_state, ${visibleVersionSql(sql, actor.tenant, 'v', 'd')} as visible,
           (select count(*)::int from certification c where c.definition_id = v.definition_id and c.version = v.version) as attempts,
           exists (select 1 from certification c where c.definition_id = v.definition_id and c.version = v.version and c.status = 'checking') as checking
    from workflow_version v join workflow_definition d on d.id = v.definition_id
    where v.definition_id = ${definitionId} and v.version = ${version}`;
  if (!v) return undefined;
  if (!v.visible && !(isPlatformTrustRole(actor) && v.review_state !== 'none')) return undefined;
  return { status: v.status, reviewState: v.review_state, attempts: v.attempts, checking: v.checking };
}

interface CertificationRow {
  workflow_id: string;
  run_id: string;
  status: CertificationStatus;
  checklist: ChecklistItem[];
  certified_by: string | null;
  certified_at: Date | null;
  expires_at: Date | null;
  carried_from: string | null;
  rationale: string | null;
  receipt_id: string | null;
}

/**
 * The version's certification: the one being checked, else the current one (certified or
 * overdue; certified past its expiry reads overdue), else the newest. undefined: the version
 * is not visible; null: it has none.
 */
export async function readCertification(
  sql: Sql,
  actor: Actor,
  definitionId: string,
  version: string,
  link: (workflowId: string, runId: string | undefined) => string,
): Promise<CertificationView | null | undefined> {
  if (!(await certifiableVersion(sql, actor, definitionId, version))) return undefined;
  const [r] = await sql<CertificationRow[]>`
    select workflow_id, run_id, status, checklist, certified_by, certified_at, expires_at, carried_from, rationale, receipt_id
    from certification where definition_id = ${definitionId} and version = ${version}
    order by case status when 'checking' then 0 when 'certified' then 1 when 'overdue' then 1 else 2 end, created_at desc
    limit 1`;
  if (!r) return null;
  const expired = r.status === 'certified' && !!r.expires_at && r.expires_at.getTime() <= Date.now();
  return {
    status: expired ? 'overdue' : r.status,
    checklist: Array.isArray(r.checklist) ? r.checklist : [],
    ...(r.certified_by ? { certifiedBy: r.certified_by } : {}),
    ...(r.certified_at ? { certifiedAt: r.certified_at.toISOString() } : {}),
    ...(r.expires_at ? { expiresAt: r.expires_at.toISOString() } : {}),
    ...(r.carried_from ? { carriedFrom: r.carried_from } : {}),
    ...(r.rationale ? { rationale: r.rationale } : {}),
    workflowId: r.workflow_id,
    runId: r.run_id,
    temporalUrl: link(r.workflow_id, r.run_id),
    ...(r.receipt_id ? { receiptId: r.receipt_id } : {}),
  };
}
