/**
 * The visibility rule of domain/access.ts, translated once for each store. Every query that
 * reads another tenant's catalog entries, versions or templates uses these fragments; none
 * writes the rule out by hand (test/domain/access-matrix.test.ts checks all three agree).
 */
import type { Sql } from './db.ts';

type Fragment = ReturnType<Sql>;

/**
 * `d`: an alias of workflow_definition. True when `tenant` may see the entry: its own, or
 * published and offered to it by the template's profile (canSee).
 */
export function visibleDefinitionSql(sql: Sql, tenant: string, d = 'd'): Fragment {
  const a = sql(d);
  return sql`(${a}.tenant_id = ${tenant} or (${a}.status = 'published' and exists (
    select 1 from workflow_template vt where vt.definition_id = ${a}.id and ${audienceSql(sql, tenant, 'vt')})))`;
}

/**
 * `v`: an alias of workflow_version, `d` of its workflow_definition. True when `tenant` may
 * see that version (canSeeVersion).
 */
export function visibleVersionSql(sql: Sql, tenant: string, v = 'v', d = 'd'): Fragment {
  const av = sql(v);
  return sql`(${sql(d)}.tenant_id = ${tenant} or (${visibleDefinitionSql(sql, tenant, d)}
    and ${av}.status = 'published' and ${av}.visibility <> 'internal-only'))`;
}

/** `t`: an alias of workflow_template. True when `tenant` is in its audience (inAudience). */
export function audienceSql(sql: Sql, tenant: string, t = 't'): Fragment {
  const a = sql(t);
  return sql`(${a}.visibility = 'public-ecosystem' or (${a}.visibility = 'partner-curated' and exists (
    select 1 from template_audience ta where ta.template_id = ${a}.id and ta.tenant_id = ${tenant})))`;
}

/** Typesense quotes a filter value in backticks; tenant ids never contain one, but never trust that. */
const quoted = (s: string) => {
  if (s.includes('`')) throw new Error('a tenant id cannot contain a backtick');
  return `\`${s}\``;
};

/**
 * The same rule as a Typesense `filter_by` over catalog documents (tenant_id, status,
 * visibility, audience). Embedded in each tenant's scoped search key, so a holder of the
 * key cannot widen it.
 */
export const visibleDocumentFilter = (tenant: string) =>
  `(tenant_id:=${quoted(tenant)} || (status:=published && (visibility:=public-ecosystem || (visibility:=partner-curated && audience:=${quoted(tenant)}))))`;
