import type { Client as Typesense } from 'typesense';
import type { CatalogLifecycle } from '../domain/catalog.ts';
import { parsePublishWorkflowId } from '../domain/ids.ts';
import type { Sql } from '../platform/db.ts';
import { RISK_RANK, catalogWriteTarget, type CatalogDocument, type CatalogEntryRow } from '../platform/typesense.ts';
import { listPublicKeys } from '../platform/signing.ts';
import { verifyVersionRow } from '../platform/version-trust.ts';
import type { SigningKeyView, SigstoreBundleJson } from '../domain/trust.ts';

export interface CatalogDeps {
  sql: Sql;
  typesense: Typesense;
  collection: string;
}

interface DocumentRow extends CatalogEntryRow {
  author: string | null;
  last_reviewed_at: Date | null;
  certification_state: string;
  visibility: string | null;
  review_state: string | null;
  version_digest: string | null;
  signature_bundle: unknown;
  audience: string[];
  last_status: string | null;
  run_count: number | null;
  failure_rate: string | null;
  avg_duration_ms: number | null;
  last_run_at: Date | null;
  provenance_workflow_id: string | null;
  provenance_run_id: string | null;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Builds search documents from Postgres, the source of truth: by ids, or one page of the
 * whole catalog in id order (`afterId` exclusive) for a rebuild. Entries without a version
 * are not in the catalog.
 *
 * The provenance a document carries is the newest catalog_update row of its entry that
 * everyone who can read the document may see. A tenant-local entry's document is read by
 * its tenant only: its newest row. A global entry's is read by every tenant (with their
 * scoped keys), and other tenants may not see versions that are not published with global
 * scope (readVisibleDefinition), so a publish row counts only when its version is one they
 * may see (or it names none: written outside a publish workflow). Entries indexed before
 * catalog_update existed fall back to the workflow that published their latest version.
 */
export async function loadCatalogDocuments(
  sql: Sql,
  select: { ids: readonly string[] } | { afterId?: string; limit: number },
): Promise<CatalogDocument[]> {
  const where =
    'ids' in select
      ? sql`d.id = any(${select.ids as string[]}::text[])`
      : select.afterId
        ? sql`d.id > ${select.afterId}`
        : sql`true`;
  const rows = await sql<DocumentRow[]>`
    select d.id, d.tenant_id, d.name, d.title, d.description, d.category, d.risk, d.scope, d.owner, d.owner_team,
           d.status, d.latest_version, d.updated_at,
           coalesce((select array_agg(t.tag order by t.tag) from workflow_tag t where t.definition_id = d.id), '{}') as tags,
           v.created_by as author, a.decided_at as last_reviewed_at,
           coalesce(tp.certification_state, 'none') as certification_state, tp.visibility,
           v.review_state, v.digest as version_digest, v.signature_bundle,
           coalesce((select array_agg(ta.tenant_id order by ta.tenant_id) from template_audience ta where ta.template_id = tp.id), '{}') as audience,
           h.last_status, h.run_count, h.failure_rate, h.avg_duration_ms, h.last_run_at,
           coalesce(cu.workflow_id, v.published_by_workflow_id) as provenance_workflow_id,
           coalesce(cu.run_id, v.published_by_run_id) as provenance_run_id
    from workflow_definition d
    left join workflow_version v on v.definition_id = d.id and v.version = d.latest_version
    left join workflow_template tp on tp.definition_id = d.id
    left join lateral (
      select decided_at from approval
      where definition_id = d.id and version = d.latest_version and decision = 'approve'
      order by decided_at desc limit 1) a on true
    left join lateral (
      select last_status, run_count, failure_rate, avg_duration_ms, last_run_at from health_snapshot
      where definition_id = d.id order by window_end desc limit 1) h on true
    left join lateral (
      select u.workflow_id, u.run_id from catalog_update u
      where u.definition_id = d.id
        and (coalesce(tp.visibility, 'internal-only') = 'internal-only' or u.lifecycle <> 'publish' or u.version is null or exists (
              select 1 from workflow_version pv
              where pv.definition_id = d.id and pv.version = u.version
                and pv.status = 'published' and pv.visibility <> 'internal-only'))
      order by u.id desc limit 1) cu on true
    where d.latest_version is not null and ${where}
    order by d.id
    ${'ids' in select ? sql`` : sql`limit ${select.limit}`}`;
  // "signed" means verified with the publisher's key over the digest, not merely present
  const keys = rows.some((r) => r.signature_bundle) ? await listPublicKeys(sql) : [];
  return rows.map((r) => toDocument(r, keys));
}

function signatureVerifies(r: DocumentRow, keys: readonly SigningKeyView[]): boolean {
  if (!r.signature_bundle || !r.version_digest) return false;
  return verifyVersionRow(
    { definition_id: r.id, version: r.latest_version, tenant_id: r.tenant_id, digest: r.version_digest, signature_bundle: r.signature_bundle as SigstoreBundleJson },
    keys,
  ).ok;
}

function toDocument(r: DocumentRow, keys: readonly SigningKeyView[]): CatalogDocument {
  return {
    id: r.id,
    name: r.name,
    ...(r.title ? { title: r.title } : {}),
    description: r.description,
    category: r.category,
    risk: r.risk,
    risk_rank: RISK_RANK[r.risk] ?? 0,
    scope: r.scope,
    tenant_id: r.tenant_id,
    ...(r.owner ? { owner: r.owner } : {}),
    ...(r.owner_team ? { owner_team: r.owner_team } : {}),
    status: r.status,
    tags: r.tags,
    latest_version: r.latest_version,
    updated_at: seconds(r.updated_at),
    provenance_workflow_id: r.provenance_workflow_id ?? '',
    provenance_run_id: r.provenance_run_id ?? '',
    // no template yet (never published): the entry stays in its tenant
    visibility: r.visibility ?? 'internal-only',
    audience: r.audience,
    ...(r.author ? { author: r.author } : {}),
    ...(r.last_reviewed_at ? { last_reviewed_at: seconds(r.last_reviewed_at) } : {}),
    certified: r.certification_state === 'certified',
    reviewed: r.review_state === 'passed',
    review_overdue: r.certification_state === 'stale',
    signed: signatureVerifies(r, keys),
    ...(r.last_status ? { health_last_status: r.last_status } : {}),
    ...(r.failure_rate !== null ? { health_failure_rate: Number(r.failure_rate) } : {}),
    ...(r.avg_duration_ms !== null ? { health_avg_duration_ms: r.avg_duration_ms } : {}),
    ...(r.last_run_at ? { last_run_at: seconds(r.last_run_at) } : {}),
    usage: r.run_count ?? 0,
  };
}

/**
 * Records that a lifecycle changed an entry's search document (idempotent per workflow
 * run). `version`: the version a publish wrote; readers of other tenants see the row only
 * if they may see that version.
 */
export async function recordCatalogUpdate(
  sql: Sql,
  u: { definitionIds: readonly string[]; lifecycle: CatalogLifecycle; workflowId: string; runId: string; reason?: string; version?: string },
): Promise<void> {
  if (!u.definitionIds.length) return;
  await sql`
    insert into catalog_update (definition_id, tenant_id, lifecycle, workflow_id, run_id, reason, version)
    select d.id, d.tenant_id, ${u.lifecycle}, ${u.workflowId}, ${u.runId}, ${u.reason ?? null}, ${u.version ?? null}
    from workflow_definition d where d.id = any(${u.definitionIds as string[]}::text[])
    on conflict (definition_id, workflow_id, run_id) do nothing`;
}

/**
 * Serialises the lifecycles' catalog writes — a health rollup's batch, a publish — until
 * the caller's transaction ends. Each loads its documents from Postgres and imports them
 * while holding it, so a document built from older rows never lands after a newer one.
 * A writer that waits longer than a batch can take gives up (and its activity retries).
 */
export async function lockCatalogWrites(tx: Sql): Promise<void> {
  await tx`set local lock_timeout = '20s'`;
  await tx`select pg_advisory_xact_lock(hashtext('maestro:catalog-writes'))`;
}

/** The publish write, inside the caller's transaction (which holds the catalog write lock). */
async function indexEntry(
  sql: Sql,
  typesense: Typesense,
  collection: string,
  input: { definitionId: string; workflowId: string; runId: string },
): Promise<{ indexed: boolean }> {
  const [d] = await sql<{ latest_version: string | null }[]>`select latest_version from workflow_definition where id = ${input.definitionId}`;
  if (!d?.latest_version) return { indexed: false };
  // The version this run published (its workflow id says which), which need not be the
  // latest: a fix of an older line. Called outside a publish workflow, it names none.
  const published = parsePublishWorkflowId(input.workflowId);
  const version = published?.definitionId === input.definitionId ? published.version : undefined;
  await recordCatalogUpdate(sql, {
    definitionIds: [input.definitionId],
    lifecycle: 'publish',
    workflowId: input.workflowId,
    runId: input.runId,
    reason: `published ${version ?? d.latest_version}`,
    ...(version ? { version } : {}),
  });
  const [doc] = await loadCatalogDocuments(sql, { ids: [input.definitionId] });
  if (!doc) return { indexed: false };
  await typesense.collections<CatalogDocument>(await catalogWriteTarget(typesense, collection)).documents().upsert(doc);
  return { indexed: true };
}

/**
 * A lifecycle other than a publish changed what an entry's document says (a curated list):
 * records the change and upserts the document, inside the caller's transaction (which holds
 * the catalog write lock). The reason is read by every tenant that sees the entry.
 */
async function indexChange(
  sql: Sql,
  typesense: Typesense,
  collection: string,
  input: { definitionId: string; workflowId: string; runId: string; lifecycle: Exclude<CatalogLifecycle, 'publish'>; reason: string },
): Promise<{ indexed: boolean }> {
  await recordCatalogUpdate(sql, { definitionIds: [input.definitionId], lifecycle: input.lifecycle, workflowId: input.workflowId, runId: input.runId, reason: input.reason });
  const [doc] = await loadCatalogDocuments(sql, { ids: [input.definitionId] });
  if (!doc) return { indexed: false };
  await typesense.collections<CatalogDocument>(await catalogWriteTarget(typesense, collection)).documents().upsert(doc);
  return { indexed: true };
}

export function createCatalogActivities({ sql, typesense, collection }: CatalogDeps) {
  return {
    /**
     * The catalog write of a lifecycle that is not a publish (the curate lifecycle): records
     * the change with its workflow and run, and upserts the entry's document from Postgres,
     * under the catalog write lock; idempotent (keyed by definition id and run).
     */
    async indexCatalogChange(input: {
      definitionId: string;
      workflowId: string;
      runId: string;
      lifecycle: Exclude<CatalogLifecycle, 'publish'>;
      reason: string;
    }): Promise<{ indexed: boolean }> {
      return sql.begin(async (tx) => {
        const db = tx as unknown as Sql;
        await lockCatalogWrites(db);
        return indexChange(db, typesense, collection, input);
      });
    },
    /**
     * The publish lifecycle's catalog write: records that this publish run changed the
     * entry and upserts its search document, in one transaction that holds the catalog
     * write lock (so a health rollup's import cannot overwrite it with an older document)
     * and commits after the upsert; idempotent (keyed by definition id and run).
     */
    async indexCatalogEntry(input: { definitionId: string; workflowId: string; runId: string }): Promise<{ indexed: boolean }> {
      return sql.begin(async (tx) => {
        const db = tx as unknown as Sql;
        await lockCatalogWrites(db);
        return indexEntry(db, typesense, collection, input);
      });
    },
  };
}
