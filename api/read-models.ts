import type { Sql } from '../platform/db.ts';
import type { Actor } from '../domain/actor.ts';
import { hasRole } from '../domain/actor.ts';
import type { ApprovalRecord, PublishDecision, PublishState, PublishStatus, StoredGuardrails } from '../domain/publish.ts';
import { workflowIds } from '../domain/ids.ts';
import type { ChangeReason, RecordedChangeKind, VersionChangeFields } from '../domain/change-kind.ts';
import { visibleDefinitionSql, visibleVersionSql } from '../platform/access.ts';

/**
 * A version row's recorded change (domain/change-kind.ts VersionChangeFields). `visible`: the
 * versions the reader may see. A change computed against a version the reader may not see
 * (a tenant-local one below a shared one) is left out whole: its reasons describe that
 * version, and even its kind says it exists.
 */
export const changeFields = (v: { change_kind?: unknown; change_from?: unknown; change_reasons?: unknown }, visible: ReadonlySet<string>): VersionChangeFields => {
  if (!v.change_kind || (typeof v.change_from === 'string' && !visible.has(v.change_from))) return {};
  return {
    changeKind: v.change_kind as RecordedChangeKind,
    ...(v.change_from ? { changeFrom: v.change_from as string } : {}),
    ...(Array.isArray(v.change_reasons) ? { changeReasons: v.change_reasons as ChangeReason[] } : {}),
  };
};

/**
 * Tenant-scoped reads of the Postgres read model. A row another tenant may not see is
 * simply absent (404), so its existence never leaks.
 */
export async function readVisibleDefinition(sql: Sql, actor: Actor, id: string) {
  const [d] = await sql`
    select id, tenant_id, name, title, description, category, risk, scope, owner, owner_team, status, latest_version,
           created_by, created_at, updated_at
    from workflow_definition d
    where id = ${id} and ${visibleDefinitionSql(sql, actor.tenant)}`;
  if (!d) return undefined;
  const own = d.tenant_id === actor.tenant;
  const versions = await sql`
    select v.version, v.status, v.digest, v.changelog, v.change_kind, v.change_from, v.change_reasons, v.created_by, v.created_at, v.published_at,
           v.published_by_workflow_id, v.published_by_run_id, v.visibility
    from workflow_version v join workflow_definition d on d.id = v.definition_id
    where v.definition_id = ${id} and ${visibleVersionSql(sql, actor.tenant)}
    order by v.created_at desc`;
  const visible = new Set(versions.map((v) => v.version as string));
  const tags = await sql<{ tag: string }[]>`select tag from workflow_tag where definition_id = ${id} order by tag`;
  const approvals = own
    ? await sql`
        select version, approver, approver_tenant, decision, rationale, decided_at, workflow_id, run_id
        from approval where definition_id = ${id} order by decided_at`
    : [];
  return {
    id: d.id as string,
    tenantId: d.tenant_id as string,
    name: d.name as string,
    title: (d.title as string | null) ?? undefined,
    description: d.description as string,
    category: d.category as string,
    risk: d.risk as string,
    scope: d.scope as string,
    owner: (d.owner as string | null) ?? undefined,
    ownerTeam: (d.owner_team as string | null) ?? undefined,
    status: d.status as string,
    latestVersion: (d.latest_version as string | null) ?? undefined,
    tags: tags.map((t) => t.tag),
    createdAt: (d.created_at as Date).toISOString(),
    updatedAt: (d.updated_at as Date).toISOString(),
    versions: versions.map((v) => ({
      version: v.version as string,
      status: v.status as string,
      digest: v.digest as string,
      changelog: (v.changelog as string | null) ?? undefined,
      ...changeFields(v, visible),
      createdBy: v.created_by as string,
      createdAt: (v.created_at as Date).toISOString(),
      publishedAt: v.published_at ? (v.published_at as Date).toISOString() : undefined,
      ...(v.status === 'published' ? { visibility: v.visibility as string } : {}),
      provenance: v.published_by_workflow_id
        ? { workflowId: v.published_by_workflow_id as string, runId: v.published_by_run_id as string }
        : undefined,
    })),
    approvals: approvals.map((a) => ({
      version: a.version as string,
      approver: a.approver as string,
      approverTenant: a.approver_tenant as string,
      decision: a.decision as string,
      rationale: a.rationale as string,
      decidedAt: (a.decided_at as Date).toISOString(),
      workflowId: a.workflow_id as string,
      ...(a.run_id ? { runId: a.run_id as string } : {}),
    })),
  };
}

interface PublishRequestRow {
  workflow_id: string;
  run_id: string;
  tenant_id: string;
  definition_id: string;
  version: string;
  requested_by: string;
  requested_by_name: string | null;
  status: PublishStatus;
  decision: PublishDecision | null;
  guardrails: StoredGuardrails | null;
}

/** A publish request visible to the actor: its own tenant's, or any for a platform admin. */
export async function readPublishRequest(sql: Sql, actor: Actor, definitionId: string, version: string) {
  const workflowId = workflowIds.publish(definitionId, version);
  const [r] = await sql<PublishRequestRow[]>`
    select * from publish_request where workflow_id = ${workflowId}
      ${hasRole(actor, 'platform-admin') ? sql`` : sql`and tenant_id = ${actor.tenant}`}`;
  if (!r) return undefined;
  const approvals = await sql<{ approver: string; approver_tenant: string; decision: 'approve' | 'reject'; rationale: string; decided_at: Date }[]>`
    select approver, approver_tenant, decision, rationale, decided_at from approval
    where workflow_id = ${workflowId} and run_id is not distinct from ${r.run_id}
    order by decided_at`;
  const state: PublishState = {
    definitionId: r.definition_id,
    version: r.version,
    status: r.status,
    requestedBy: { sub: r.requested_by, tenant: r.tenant_id, roles: [], ...(r.requested_by_name ? { name: r.requested_by_name } : {}) },
    ...(r.decision ? { decision: r.decision } : {}),
    ...(r.guardrails ? { guardrails: r.guardrails.decision, overrides: r.guardrails.overrides } : {}),
    approvals: approvals.map(
      (a): ApprovalRecord => ({
        approver: { sub: a.approver, tenant: a.approver_tenant, roles: [] },
        rationale: a.rationale,
        decision: a.decision,
        at: a.decided_at.toISOString(),
      }),
    ),
  };
  return { workflowId: r.workflow_id, runId: r.run_id, state };
}

/** Publish requests waiting for a decision that the actor's tenant can see. */
export async function readPendingApprovals(sql: Sql, actor: Actor) {
  const rows = await sql<(PublishRequestRow & { title: string | null; name: string; risk: string; scope: string; created_at: Date })[]>`
    select p.*, d.title, d.name, v.spec->'metadata'->>'risk' as risk, v.spec->'metadata'->>'scope' as scope
    from publish_request p
    join workflow_definition d on d.id = p.definition_id
    join workflow_version v on v.definition_id = p.definition_id and v.version = p.version
    where p.status = 'awaiting_approval'
      ${hasRole(actor, 'platform-admin') ? sql`` : sql`and p.tenant_id = ${actor.tenant}`}
    order by p.created_at`;
  return rows;
}
