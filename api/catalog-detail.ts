import type { Sql } from '../platform/db.ts';
import type { Actor } from '../domain/actor.ts';
import { HEALTH_WINDOW_DAYS, type CatalogDetail, type CatalogHealth, type CatalogLifecycle, type CatalogTrust } from '../domain/catalog.ts';
import { approvalRequirements, trustSignals } from '../domain/catalog-rules.ts';
import { emptyTrust, loadTrustSummaries, trustKey } from './trust-summary.ts';
import { compareSemver } from '../domain/semver.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { readVisibleDefinition } from './read-models.ts';

/** Links a lifecycle to its history in the Temporal Web UI. */
export type HistoryLink = (workflowId: string, runId: string) => string;

/** Publish and reindex rows of an entry: rare, so all of them (this is a safety net). */
const LIFECYCLE_PROVENANCE_LIMIT = 200;
/** Health rollups change an entry every few minutes while it runs: only the newest (as many as they keep). */
const HEALTH_PROVENANCE_LIMIT = 10;
const DAY_MS = 86_400_000;

type Versions = NonNullable<Awaited<ReturnType<typeof readVisibleDefinition>>>['versions'];

/** The version a run would use: the newest published one the caller may see, else the newest. */
function runVersion(versions: Versions) {
  const bySemver = [...versions].sort((a, b) => compareSemver(b.version, a.version));
  return bySemver.find((v) => v.status === 'published') ?? bySemver[0];
}

/**
 * GET /api/catalog/{id}: one catalog entry with everything a reader needs before pressing
 * Run. Visibility is readVisibleDefinition's (absent for an entry the tenant may not see);
 * publish approvals only for the owning tenant; health figures are aggregates over every
 * tenant's runs, never their ids or tenants.
 */
export async function readCatalogDetail(sql: Sql, actor: Actor, id: string, link: HistoryLink): Promise<CatalogDetail | undefined> {
  const def = await readVisibleDefinition(sql, actor, id);
  if (!def) return undefined;
  const current = runVersion(def.versions);
  const own = def.tenantId === actor.tenant;

  const [spec, template, review, snapshot, updates] = await Promise.all([
    current
      ? sql<{ spec: SpecV1 }[]>`select spec from workflow_version where definition_id = ${id} and version = ${current.version}`.then((r) => r[0]?.spec)
      : undefined,
    sql<{ visibility: string; certification_state: CatalogTrust['certificationState'] }[]>`
      select visibility, certification_state from workflow_template where definition_id = ${id}`.then((r) => r[0]),
    current?.status === 'published'
      ? sql<{ approver: string; decided_at: Date }[]>`
          select approver, decided_at from approval
          where definition_id = ${id} and version = ${current.version} and decision = 'approve'
          order by decided_at desc limit 1`.then((r) => r[0])
      : undefined,
    sql<{ window_start: Date | null; window_end: Date; run_count: number; last_status: string | null; last_run_at: Date | null; failure_rate: string | null; avg_duration_ms: number | null }[]>`
      select window_start, window_end, run_count, last_status, last_run_at, failure_rate, avg_duration_ms
      from health_snapshot where definition_id = ${id} order by window_end desc limit 1`.then((r) => r[0]),
    sql<{ lifecycle: CatalogLifecycle; workflow_id: string; run_id: string; reason: string | null; created_at: Date }[]>`
      (select id, lifecycle, workflow_id, run_id, reason, created_at from catalog_update
       where definition_id = ${id} and lifecycle <> 'health-rollup'
         -- another tenant sees the publish of a version only if it sees the version
         ${own ? sql`` : sql`and (lifecycle <> 'publish' or version is null or version = any(${def.versions.map((v) => v.version)}::text[]))`}
       order by id desc limit ${LIFECYCLE_PROVENANCE_LIMIT})
      union all
      (select id, lifecycle, workflow_id, run_id, reason, created_at from catalog_update
       where definition_id = ${id} and lifecycle = 'health-rollup'
       order by id desc limit ${HEALTH_PROVENANCE_LIMIT})
      order by id desc`,
  ]);

  const health: CatalogHealth = snapshot
    ? {
        windowDays: snapshot.window_start ? Math.round((snapshot.window_end.getTime() - snapshot.window_start.getTime()) / DAY_MS) : HEALTH_WINDOW_DAYS,
        runCount: snapshot.run_count,
        ...(snapshot.last_status ? { lastRunStatus: snapshot.last_status } : {}),
        ...(snapshot.last_run_at ? { lastRunAt: snapshot.last_run_at.toISOString() } : {}),
        ...(snapshot.failure_rate !== null ? { failureRate: Number(snapshot.failure_rate) } : {}),
        ...(snapshot.avg_duration_ms !== null ? { avgDurationMs: snapshot.avg_duration_ms } : {}),
        computedAt: snapshot.window_end.toISOString(),
      }
    : { windowDays: HEALTH_WINDOW_DAYS, runCount: 0 };
  const requirements = spec ? approvalRequirements(spec) : [];
  const certificationState = template?.certification_state ?? 'none';
  const summary = current ? (await loadTrustSummaries(sql, actor.tenant, [{ definitionId: id, version: current.version }])).get(trustKey({ definitionId: id, version: current.version })) : undefined;
  const trust: CatalogTrust = {
    ...(summary ?? emptyTrust()),
    ...(current ? { author: current.createdBy } : {}),
    ...(def.ownerTeam ? { ownerTeam: def.ownerTeam } : {}),
    // who approved is the owning tenant's business (as the approvals are); others learn
    // that, and when, the entry was reviewed
    ...(review ? { ...(own ? { reviewer: review.approver } : {}), lastReviewedAt: review.decided_at.toISOString() } : {}),
    certified: certificationState === 'certified',
    certificationState,
    ...trustSignals({
      risk: def.risk,
      status: def.status,
      reviewer: review?.approver,
      marketplaceReviewed: summary?.review.state === 'passed',
      signed: !!summary?.signed?.verified,
      certificationState,
      health,
      approvalRequirements: requirements,
    }),
  };

  return {
    id: def.id,
    tenantId: def.tenantId,
    name: def.name,
    ...(def.title ? { title: def.title } : {}),
    description: def.description,
    category: def.category,
    risk: def.risk,
    scope: def.scope,
    // as the search document (activities/catalog.ts): no template yet = its tenant only
    visibility: template?.visibility ?? 'internal-only',
    ...(def.owner ? { owner: def.owner } : {}),
    ...(def.ownerTeam ? { ownerTeam: def.ownerTeam } : {}),
    status: def.status,
    ...(def.latestVersion ? { latestVersion: def.latestVersion } : {}),
    tags: def.tags,
    createdAt: def.createdAt,
    updatedAt: def.updatedAt,
    parameters: {
      ...(current ? { version: current.version } : {}),
      ...(spec?.parameters ? { schema: spec.parameters } : {}),
      // declarations only: names and descriptions, never a value
      secrets: (spec?.secrets ?? []).map((s) => ({ name: s.name, ...(s.description ? { description: s.description } : {}) })),
    },
    approvalRequirements: requirements,
    versions: def.versions.map(({ provenance, ...v }) => ({
      ...v,
      ...(provenance ? { provenance: { ...provenance, temporalUiUrl: link(provenance.workflowId, provenance.runId) } } : {}),
    })),
    approvals: def.approvals,
    trust,
    health,
    provenance: updates.map((u) => ({
      lifecycle: u.lifecycle,
      workflowId: u.workflow_id,
      runId: u.run_id,
      ...(u.reason ? { reason: u.reason } : {}),
      at: u.created_at.toISOString(),
      temporalUiUrl: link(u.workflow_id, u.run_id),
    })),
  };
}
