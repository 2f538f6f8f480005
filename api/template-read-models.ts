import type { Sql } from '../platform/db.ts';
import { changeFields } from './read-models.ts';
import type { Actor } from '../domain/actor.ts';
import { canReadAudience, installersNamedFor, type Visibility } from '../domain/access.ts';
import type { Environment, TemplateBindings } from '../domain/marketplace.ts';
import { compareSemver } from '../domain/semver.ts';
import type { MyInstance, TemplateAudience, TemplateDetail, TemplateListItem, TemplateUsage, TemplateView } from '../domain/templates.ts';
import { visibleDefinitionSql, visibleVersionSql } from '../platform/access.ts';
import { emptyTrust, loadTrustSummaries, trustKey } from './trust-summary.ts';

/**
 * The marketplace's reads (GET /templates…). Which templates a tenant may see is the
 * visibility rule's (platform/access.ts); a template it may not see is absent, so its
 * existence never leaks. Counts of other tenants' installs are aggregates, never who.
 */

/** The rows with the trust summary of their latest version (one query for the page). */
async function withTrust(sql: Sql, tenant: string, items: TemplateListItem[]): Promise<TemplateListItem[]> {
  const trust = await loadTrustSummaries(sql, tenant, items.map((i) => ({ definitionId: i.definitionId, version: i.latestVersion })));
  return items.map((i) => ({ ...i, trust: trust.get(trustKey({ definitionId: i.definitionId, version: i.latestVersion })) ?? emptyTrust() }));
}

/** A link to a workflow history in the Temporal Web UI. */
export type HistoryLink = (workflowId: string, runId: string | undefined) => string;

interface TemplateRow {
  id: string;
  definition_id: string;
  name: string;
  title: string | null;
  description: string;
  summary: string | null;
  category: string;
  risk: string;
  tenant_id: string;
  publisher: string;
  visibility: Visibility;
  latest_version: string;
  environments: Environment[];
  regions: string[];
  certification_state: string;
  bindings: TemplateBindings;
  publish_workflow_id: string | null;
  publish_run_id: string | null;
  installs: number;
  my_instances: MyInstance[];
}

/**
 * Installed instances: active, disabled or being uninstalled. An `installing` one is only a
 * reservation while its install is checked (it may be refused and removed), so it counts
 * for nobody's figures; the caller still sees its own among `myInstances`, with its status.
 */
const INSTALLED = ['active', 'disabled', 'uninstalling'];

const templateColumns = (sql: Sql, tenant: string) => sql`
  t.id, t.definition_id, d.name, d.title, d.description, t.summary, d.category, d.risk, t.tenant_id, t.publisher,
  t.visibility, t.latest_version, t.environments, t.regions, t.certification_state, t.bindings,
  t.publish_workflow_id, t.publish_run_id,
  (select count(distinct i.tenant_id)::int from workflow_instance i where i.template_id = t.id and i.status = any(${INSTALLED}::text[])) as installs,
  coalesce((select json_agg(json_build_object('id', i.id, 'environment', i.environment, 'version', i.version, 'status', i.status)
                            order by i.environment, i.id)
            from workflow_instance i where i.template_id = t.id and i.tenant_id = ${tenant} and i.status <> 'uninstalled'), '[]'::json) as my_instances`;

function listItem(r: TemplateRow): TemplateListItem {
  return {
    id: r.id,
    definitionId: r.definition_id,
    name: r.name,
    ...(r.title ? { title: r.title } : {}),
    description: r.description,
    ...(r.summary ? { summary: r.summary } : {}),
    category: r.category,
    risk: r.risk,
    publisherTenant: r.tenant_id,
    publisher: r.publisher,
    visibility: r.visibility,
    latestVersion: r.latest_version,
    environments: r.environments,
    regions: r.regions,
    certified: r.certification_state === 'certified',
    trust: emptyTrust(),
    installs: r.installs,
    myInstances: r.my_instances,
  };
}

export interface TemplateListParams {
  view: TemplateView;
  visibility?: Visibility;
  publisher?: string;
  q?: string;
  page: number;
  perPage: number;
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/**
 * marketplace: the templates offered to the tenant (its own shared ones included) whose
 * entry is published; mine: the tenant's own, whatever their profile or status.
 */
export async function listTemplates(sql: Sql, actor: Actor, p: TemplateListParams): Promise<{ items: TemplateListItem[]; found: number }> {
  const tenant = actor.tenant;
  const text = p.q?.trim();
  const where = sql`
    t.latest_version is not null and ${visibleDefinitionSql(sql, tenant, 'd')}
    ${p.view === 'mine' ? sql`and t.tenant_id = ${tenant}` : sql`and d.status = 'published' and t.visibility <> 'internal-only'`}
    ${p.visibility ? sql`and t.visibility = ${p.visibility}` : sql``}
    ${p.publisher ? sql`and t.tenant_id = ${p.publisher}` : sql``}
    ${
      text
        ? sql`and (d.search @@ websearch_to_tsquery('english', ${text}) or d.search @@ websearch_to_tsquery('simple', ${text})
                   or t.summary ilike ${likePattern(text)} or d.name ilike ${likePattern(text)})`
        : sql``
    }`;
  const [rows, [count]] = await Promise.all([
    sql<TemplateRow[]>`
      select ${templateColumns(sql, tenant)}
      from workflow_template t join workflow_definition d on d.id = t.definition_id
      where ${where}
      order by d.updated_at desc, t.id
      limit ${p.perPage} offset ${(p.page - 1) * p.perPage}`,
    sql<{ n: number }[]>`
      select count(*)::int as n from workflow_template t join workflow_definition d on d.id = t.definition_id where ${where}`,
  ]);
  return { items: await withTrust(sql, tenant, rows.map(listItem)), found: count?.n ?? 0 };
}

/** One template the actor may see (absent otherwise), with what an installer needs. */
export async function readTemplate(sql: Sql, actor: Actor, id: string, link: HistoryLink): Promise<TemplateDetail | undefined> {
  const [r] = await sql<TemplateRow[]>`
    select ${templateColumns(sql, actor.tenant)}
    from workflow_template t join workflow_definition d on d.id = t.definition_id
    where t.id = ${id} and t.latest_version is not null and ${visibleDefinitionSql(sql, actor.tenant, 'd')}`;
  if (!r) return undefined;
  const versions = await sql<{ version: string; published_at: Date; digest: string; visibility: Visibility; change_kind: string | null; change_from: string | null; change_reasons: unknown }[]>`
    select v.version, v.published_at, v.digest, v.visibility, v.change_kind, v.change_from, v.change_reasons
    from workflow_version v join workflow_definition d on d.id = v.definition_id
    where v.definition_id = ${r.definition_id} and v.status = 'published' and ${visibleVersionSql(sql, actor.tenant, 'v', 'd')}`;
  const audience = canReadAudience(actor, { ownerTenant: r.tenant_id, visibility: r.visibility })
    ? (await sql<{ tenant_id: string }[]>`select tenant_id from template_audience where template_id = ${id} order by tenant_id`).map((a) => a.tenant_id)
    : undefined;
  const visible = new Set(versions.map((v) => v.version));
  const [item] = await withTrust(sql, actor.tenant, [listItem(r)]);
  return {
    ...item!,
    bindings: { parameters: r.bindings.parameters ?? [], secrets: r.bindings.secrets ?? [] },
    versions: versions
      .sort((a, b) => compareSemver(b.version, a.version))
      .map((v) => ({ version: v.version, publishedAt: v.published_at.toISOString(), digest: v.digest, visibility: v.visibility, ...changeFields(v, visible) })),
    ...(audience ? { audience } : {}),
    ...(r.publish_workflow_id ? { temporalUrl: link(r.publish_workflow_id, r.publish_run_id ?? undefined) } : {}),
  };
}

/** A template row by id without the visibility rule, for the checks that decide by role and ownership. */
export async function readTemplateAccess(sql: Sql, actor: Actor, id: string) {
  const [r] = await sql<{ tenant_id: string; visibility: Visibility; visible: boolean }[]>`
    select t.tenant_id, t.visibility, ${visibleDefinitionSql(sql, actor.tenant, 'd')} as visible
    from workflow_template t join workflow_definition d on d.id = t.definition_id
    where t.id = ${id}`;
  return r ? { ownerTenant: r.tenant_id, visibility: r.visibility, visible: r.visible } : undefined;
}

/**
 * The publisher's view of how its template is used: per version, how many tenants installed
 * it, their live instances, and the runs of those instances (how many, how many failed);
 * the newest version and how many installed instances lag behind it.
 * Installers are named only for a partner-curated template, whose list is the publisher's
 * own; never their parameters, secrets, endpoints, run ids or payloads. Absent for every
 * tenant but the owner.
 */
export async function readTemplateUsage(sql: Sql, actor: Actor, id: string): Promise<TemplateUsage | undefined> {
  const [t] = await sql<{ visibility: Visibility; latest_version: string | null }[]>`
    select t.visibility, t.latest_version from workflow_template t where t.id = ${id} and t.tenant_id = ${actor.tenant}`;
  if (!t) return undefined;
  const [published, instances, runs] = await Promise.all([
    sql<{ version: string }[]>`select version from workflow_version where definition_id = ${id} and status = 'published'`,
    sql<{ version: string; tenants: number; instances: number }[]>`
      select i.version, count(distinct i.tenant_id)::int as tenants, count(*)::int as instances
      from workflow_instance i where i.template_id = ${id} and i.status = any(${INSTALLED}::text[]) group by i.version`,
    sql<{ version: string; runs: number; failed: number; finished: number }[]>`
      select r.version, count(*)::int as runs,
             count(*) filter (where r.status in ('failed', 'timed_out'))::int as failed,
             count(*) filter (where r.status in ('completed', 'failed', 'timed_out'))::int as finished
      from run r join workflow_instance i on i.id = r.instance_id
      where i.template_id = ${id} and r.mode = 'live' group by r.version`,
  ]);
  const versions = [...new Set([...published, ...instances, ...runs].map((v) => v.version))].sort((a, b) => compareSemver(b, a));
  const latestVersion = t.latest_version ?? published.map((p) => p.version).sort((a, b) => compareSemver(b, a))[0] ?? '';
  const installed = instances.reduce((n, i) => n + i.instances, 0);
  const usage: TemplateUsage = {
    templateId: id,
    visibility: t.visibility,
    latestVersion,
    instances: installed,
    lagging: installed - (instances.find((i) => i.version === latestVersion)?.instances ?? 0),
    versions: versions.map((version) => {
      const i = instances.find((x) => x.version === version);
      const r = runs.find((x) => x.version === version);
      return {
        version,
        installingTenants: i?.tenants ?? 0,
        instances: i?.instances ?? 0,
        runs: r?.runs ?? 0,
        failedRuns: r?.failed ?? 0,
        ...(r?.finished ? { failureRate: Math.round((r.failed / r.finished) * 10_000) / 10_000 } : {}),
      };
    }),
  };
  if (installersNamedFor(t.visibility)) {
    const installers = await sql<{ tenant_id: string }[]>`
      select distinct i.tenant_id from workflow_instance i where i.template_id = ${id} and i.status = any(${INSTALLED}::text[]) order by i.tenant_id`;
    usage.installers = installers.map((x) => x.tenant_id);
  }
  return usage;
}

/** The curated list, for the owning tenant and the curators (canReadAudience); absent for anyone else. */
export async function readTemplateAudience(sql: Sql, actor: Actor, id: string, link: HistoryLink): Promise<TemplateAudience | undefined> {
  const [t] = await sql<
    { tenant_id: string; visibility: Visibility; audience_workflow_id: string | null; audience_run_id: string | null; audience_updated_by: string | null; audience_updated_at: Date | null }[]
  >`select tenant_id, visibility, audience_workflow_id, audience_run_id, audience_updated_by, audience_updated_at from workflow_template where id = ${id}`;
  if (!t || !canReadAudience(actor, { ownerTenant: t.tenant_id, visibility: t.visibility })) return undefined;
  const rows = await sql<{ tenant_id: string; added_by: string; added_at: Date }[]>`
    select tenant_id, added_by, added_at from template_audience where template_id = ${id} order by tenant_id`;
  return {
    templateId: id,
    visibility: t.visibility,
    tenants: rows.map((r) => ({ tenantId: r.tenant_id, addedBy: r.added_by, addedAt: r.added_at.toISOString() })),
    ...(t.audience_workflow_id && t.audience_run_id && t.audience_updated_by && t.audience_updated_at
      ? {
          lastChange: {
            by: t.audience_updated_by,
            at: t.audience_updated_at.toISOString(),
            workflowId: t.audience_workflow_id,
            runId: t.audience_run_id,
            temporalUrl: link(t.audience_workflow_id, t.audience_run_id),
          },
        }
      : {}),
  };
}
