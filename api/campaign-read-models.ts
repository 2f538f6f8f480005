import type { Sql } from '../platform/db.ts';
import type { Actor } from '../domain/actor.ts';
import { compareSemver } from '../domain/semver.ts';
import type { ChangeKind } from '../domain/change-kind.ts';
import type { CampaignProgress, CampaignStatus, CampaignWave } from '../domain/upgrade.ts';
import type { TenantUsage } from '../domain/templates.ts';
import { visibleVersionSql } from '../platform/access.ts';

/**
 * Reads of upgrade campaigns (the publisher's aggregate view) and of a tenant's own usage.
 * A campaign is its publishing tenant's: anyone else finds nothing, and the rows it reads
 * hold counts only — never another tenant's instance ids.
 */

interface CampaignRow {
  workflow_id: string;
  definition_id: string;
  to_version: string;
  change_kind: ChangeKind;
  status: CampaignStatus;
  eligible: number;
  waves: CampaignWave[];
  error: { code: string; message: string } | null;
  started_at: Date;
  ended_at: Date | null;
}

const progressOf = (r: CampaignRow): CampaignProgress => ({
  campaignId: r.workflow_id,
  definitionId: r.definition_id,
  toVersion: r.to_version,
  changeKind: r.change_kind,
  status: r.status,
  eligible: r.eligible,
  waves: r.waves,
  startedAt: r.started_at.toISOString(),
  ...(r.ended_at ? { endedAt: r.ended_at.toISOString() } : {}),
  ...(r.error ? { error: r.error } : {}),
});

/** The template's campaigns, newest version first; undefined when the caller's tenant does not own the template. */
export async function listCampaigns(sql: Sql, actor: Actor, templateId: string): Promise<CampaignProgress[] | undefined> {
  const [t] = await sql`select 1 from workflow_template where id = ${templateId} and tenant_id = ${actor.tenant}`;
  if (!t) return undefined;
  const rows = await sql<CampaignRow[]>`
    select workflow_id, definition_id, to_version, change_kind, status, eligible, waves, error, started_at, ended_at
    from upgrade_campaign where definition_id = ${templateId} and tenant_id = ${actor.tenant}`;
  return rows.sort((a, b) => compareSemver(b.to_version, a.to_version)).map(progressOf);
}

/** One version's campaign; undefined when none (or not the caller's tenant's). */
export async function readCampaign(sql: Sql, actor: Actor, templateId: string, version: string): Promise<CampaignProgress | undefined> {
  const [r] = await sql<CampaignRow[]>`
    select workflow_id, definition_id, to_version, change_kind, status, eligible, waves, error, started_at, ended_at
    from upgrade_campaign where definition_id = ${templateId} and to_version = ${version} and tenant_id = ${actor.tenant}`;
  return r ? progressOf(r) : undefined;
}

/** Installed: active, disabled or being uninstalled (as the template usage counts them). */
const INSTALLED = ['active', 'disabled', 'uninstalling'];

/**
 * The caller's tenant's usage: per template it installed, the versions its instances are on,
 * each instance with its policy and whether it lags behind the newest version the tenant
 * may install (the visibility rule). Its own instances only.
 */
export async function readTenantUsage(sql: Sql, actor: Actor): Promise<TenantUsage> {
  const tenant = actor.tenant;
  const rows = await sql<{ id: string; template_id: string; title: string | null; publisher_tenant: string; environment: string; version: string; status: string; upgrade_policy: string }[]>`
    select i.id, i.template_id, d.title, d.tenant_id as publisher_tenant, i.environment, i.version, i.status, i.upgrade_policy
    from workflow_instance i join workflow_definition d on d.id = i.definition_id
    where i.tenant_id = ${tenant} and i.status = any(${INSTALLED}::text[])
    order by i.template_id, i.environment, i.id
    limit 5000`;
  const templateIds = [...new Set(rows.map((r) => r.template_id))];
  const versions = templateIds.length
    ? await sql<{ definition_id: string; version: string }[]>`
        select v.definition_id, v.version from workflow_version v join workflow_definition d on d.id = v.definition_id
        where v.definition_id = any(${templateIds}::text[]) and v.status = 'published' and ${visibleVersionSql(sql, tenant, 'v', 'd')}`
    : [];
  const latest = new Map<string, string>();
  for (const v of versions) {
    const known = latest.get(v.definition_id);
    if (!known || compareSemver(v.version, known) > 0) latest.set(v.definition_id, v.version);
  }
  let lagging = 0;
  const templates = templateIds.map((templateId) => {
    const mine = rows.filter((r) => r.template_id === templateId);
    const first = mine[0]!;
    const latestVersion = latest.get(templateId) ?? first.version;
    const counts = new Map<string, number>();
    for (const r of mine) counts.set(r.version, (counts.get(r.version) ?? 0) + 1);
    const instances = mine.map((r) => ({
      id: r.id,
      environment: r.environment,
      version: r.version,
      status: r.status,
      upgradePolicy: r.upgrade_policy,
      lagging: compareSemver(r.version, latestVersion) < 0,
    }));
    const behind = instances.filter((i) => i.lagging).length;
    lagging += behind;
    return {
      templateId,
      ...(first.title ? { title: first.title } : {}),
      publisherTenant: first.publisher_tenant,
      latestVersion,
      versions: [...counts].sort(([a], [b]) => compareSemver(b, a)).map(([version, n]) => ({ version, instances: n })),
      instances,
      lagging: behind,
    };
  });
  return { tenantId: tenant, templates, lagging };
}
