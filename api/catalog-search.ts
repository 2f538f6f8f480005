import type { Client as Typesense } from 'typesense';
import type { Logger } from 'pino';
import type { Sql } from '../platform/db.ts';
import type { Config } from '../platform/config.ts';
import { createTypesense, tenantScopeFilter, type CatalogDocument } from '../platform/typesense.ts';
import { ensureSearchParentKey, tenantSearchKey } from '../platform/search-keys.ts';

export const FACET_FIELDS = { category: 'category', risk: 'risk', scope: 'scope', ownerTeam: 'owner_team', tags: 'tags', status: 'status' } as const;
export type FacetName = keyof typeof FACET_FIELDS;
export type Facets = Record<FacetName, { value: string; count: number }[]>;

export interface CatalogSearchParams {
  q?: string;
  category?: string;
  risk?: string;
  scope?: string;
  owner?: string;
  ownerTeam?: string;
  status: string;
  tags: string[];
  certified?: boolean;
  sort: 'relevance' | 'updated' | 'usage';
  page: number;
  perPage: number;
}

export interface CatalogListItem {
  id: string;
  name: string;
  title?: string;
  description: string;
  category: string;
  risk: string;
  scope: 'global' | 'tenant-local';
  tenantId: string;
  owner?: string;
  ownerTeam?: string;
  latestVersion: string;
  status: string;
  tags: string[];
  certified: boolean;
  updatedAt: string;
}

export interface CatalogSearchResult {
  items: CatalogListItem[];
  found: number;
  page: number;
  perPage: number;
  facets: Facets;
  source: 'typesense' | 'postgres';
  degraded?: true;
}

/** How long a search may wait for Typesense before Postgres answers instead. */
const TYPESENSE_TIMEOUT_MS = 1500;
/** After a failure, Typesense is skipped this long; then it is tried again by itself. */
const RETRY_AFTER_MS = 5000;
const MAX_FACET_VALUES = 50;

const q = (v: string) => `\`${v}\``;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`typesense did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function emptyFacets(): Facets {
  return { category: [], risk: [], scope: [], ownerTeam: [], tags: [], status: [] };
}

/**
 * Catalog search for one tenant. Typesense first, with a per-tenant scoped key (the tenant
 * filter is embedded in the key and added again here); Postgres full-text search when
 * Typesense fails or is slow, with `source: 'postgres'` and `degraded: true`.
 */
export class CatalogSearch {
  private parentKey: Promise<string> | undefined;
  private readonly clients = new Map<string, Typesense>();
  private skipTypesenseUntil = 0;

  constructor(private readonly deps: { config: Config; sql: Sql; typesense: Typesense; log: Logger }) {}

  async search(tenant: string, params: CatalogSearchParams): Promise<CatalogSearchResult> {
    if (Date.now() >= this.skipTypesenseUntil) {
      try {
        return await withTimeout(this.searchTypesense(tenant, params), TYPESENSE_TIMEOUT_MS);
      } catch (err) {
        this.skipTypesenseUntil = Date.now() + RETRY_AFTER_MS;
        this.deps.log.warn({ err }, 'catalog search: typesense failed, answering from postgres');
      }
    }
    return { ...(await searchPostgres(this.deps.sql, tenant, params)), degraded: true };
  }

  private async tenantClient(tenant: string): Promise<Typesense> {
    const cached = this.clients.get(tenant);
    if (cached) return cached;
    const { typesense, config } = this.deps;
    this.parentKey ??= ensureSearchParentKey(typesense, typesense.configuration.apiKey).catch((e: unknown) => {
      this.parentKey = undefined; // retried on the next search
      throw e;
    });
    const client = createTypesense(config.typesenseUrl, tenantSearchKey(typesense, await this.parentKey, tenant), TYPESENSE_TIMEOUT_MS / 1000);
    this.clients.set(tenant, client);
    return client;
  }

  private async searchTypesense(tenant: string, p: CatalogSearchParams): Promise<CatalogSearchResult> {
    const client = await this.tenantClient(tenant);
    // The scoped key already carries the tenant filter; it is added here as well.
    const filters = [tenantScopeFilter(tenant), `status:=${q(p.status)}`];
    if (p.category) filters.push(`category:=${q(p.category)}`);
    if (p.risk) filters.push(`risk:=${q(p.risk)}`);
    if (p.scope) filters.push(`scope:=${q(p.scope)}`);
    if (p.owner) filters.push(`owner:=${q(p.owner)}`);
    if (p.ownerTeam) filters.push(`owner_team:=${q(p.ownerTeam)}`);
    for (const t of p.tags) filters.push(`tags:=${q(t)}`);
    if (p.certified !== undefined) filters.push(`certified:=${p.certified}`);
    const text = p.q?.trim();
    const sortBy =
      p.sort === 'usage' ? 'usage:desc,updated_at:desc' : p.sort === 'relevance' && text ? '_text_match:desc,updated_at:desc' : 'updated_at:desc';
    const res = await client
      .collections<CatalogDocument>(this.deps.config.TYPESENSE_COLLECTION)
      .documents()
      .search({
        q: text || '*',
        query_by: 'name,title,description,tags',
        query_by_weights: '4,4,1,2',
        filter_by: filters.join(' && '),
        facet_by: Object.values(FACET_FIELDS).join(','),
        max_facet_values: MAX_FACET_VALUES,
        sort_by: sortBy,
        page: p.page,
        per_page: p.perPage,
      });
    const facets = emptyFacets();
    for (const [name, field] of Object.entries(FACET_FIELDS) as [FacetName, string][]) {
      const fc = res.facet_counts?.find((f) => f.field_name === field);
      facets[name] = (fc?.counts ?? []).map((c) => ({ value: c.value, count: c.count }));
    }
    const items = (res.hits ?? []).map(({ document: d }) => listItem({ ...d, certified: d.certified ?? false, updated: new Date(d.updated_at * 1000) }));
    return { items, found: res.found, page: p.page, perPage: p.perPage, facets, source: 'typesense' };
  }
}

/** One list entry, from a Typesense document or a Postgres row alike: only the fields a list needs. */
function listItem(d: {
  id: string;
  name: string;
  title?: string | null;
  description: string;
  category: string;
  risk: string;
  scope: 'global' | 'tenant-local';
  tenant_id: string;
  owner?: string | null;
  owner_team?: string | null;
  latest_version: string;
  status: string;
  tags: string[];
  certified: boolean;
  updated: Date;
}): CatalogListItem {
  return {
    id: d.id,
    name: d.name,
    ...(d.title ? { title: d.title } : {}),
    description: d.description,
    category: d.category,
    risk: d.risk,
    scope: d.scope,
    tenantId: d.tenant_id,
    ...(d.owner ? { owner: d.owner } : {}),
    ...(d.owner_team ? { ownerTeam: d.owner_team } : {}),
    latestVersion: d.latest_version,
    status: d.status,
    tags: d.tags,
    certified: d.certified,
    updatedAt: d.updated.toISOString(),
  };
}

interface PgRow {
  id: string;
  tenant_id: string;
  name: string;
  title: string | null;
  description: string;
  category: string;
  risk: string;
  scope: 'global' | 'tenant-local';
  owner: string | null;
  owner_team: string | null;
  status: string;
  latest_version: string;
  updated_at: Date;
  tags: string[];
}

/**
 * The same search over the Postgres read model: `websearch_to_tsquery` on the `search`
 * column (plus exact tag matches), the same tenant rule and filters, facets by GROUP BY.
 * No typo tolerance here. Certification and usage are not tracked yet (false / 0), as in
 * the search documents.
 */
export async function searchPostgres(sql: Sql, tenant: string, p: CatalogSearchParams): Promise<CatalogSearchResult> {
  const text = p.q?.trim();
  const words = text ? text.toLowerCase().split(/\s+/) : [];
  const match = text
    ? sql`and (d.search @@ websearch_to_tsquery('english', ${text}) or d.search @@ websearch_to_tsquery('simple', ${text})
             or exists (select 1 from workflow_tag t where t.definition_id = d.id and t.tag = any(${words}::text[])))`
    : sql``;
  const where = sql`
    where d.latest_version is not null
      and (d.tenant_id = ${tenant} or (d.scope = 'global' and d.status = 'published'))
      and d.status = ${p.status}
      ${p.category ? sql`and d.category = ${p.category}` : sql``}
      ${p.risk ? sql`and d.risk = ${p.risk}` : sql``}
      ${p.scope ? sql`and d.scope = ${p.scope}` : sql``}
      ${p.owner ? sql`and d.owner = ${p.owner}` : sql``}
      ${p.ownerTeam ? sql`and d.owner_team = ${p.ownerTeam}` : sql``}
      ${p.tags.length ? sql`and ${p.tags}::text[] <@ array(select t.tag from workflow_tag t where t.definition_id = d.id)` : sql``}
      ${p.certified === true ? sql`and false` : sql``}
      ${match}`;
  const rank = text
    ? sql`ts_rank(d.search, websearch_to_tsquery('english', ${text})) + ts_rank(d.search, websearch_to_tsquery('simple', ${text}))`
    : sql`0`;
  const order = p.sort === 'relevance' && text ? sql`order by rank desc, d.updated_at desc, d.id` : sql`order by d.updated_at desc, d.id`;

  const [rows, facetRows] = await Promise.all([
    sql<(PgRow & { found: number })[]>`
      select d.id, d.tenant_id, d.name, d.title, d.description, d.category, d.risk, d.scope, d.owner, d.owner_team,
             d.status, d.latest_version, d.updated_at, ${rank} as rank, count(*) over ()::int as found,
             coalesce((select array_agg(t.tag order by t.tag) from workflow_tag t where t.definition_id = d.id), '{}') as tags
      from workflow_definition d
      ${where}
      ${order}
      limit ${p.perPage} offset ${(p.page - 1) * p.perPage}`,
    sql<{ facet: FacetName; value: string; count: number }[]>`
      with m as (select d.* from workflow_definition d ${where})
      select 'category' as facet, category as value, count(*)::int as count from m group by category
      union all select 'risk', risk, count(*)::int from m group by risk
      union all select 'scope', scope, count(*)::int from m group by scope
      union all select 'ownerTeam', owner_team, count(*)::int from m where owner_team is not null group by owner_team
      union all select 'status', status, count(*)::int from m group by status
      union all select 'tags', t.tag, count(*)::int from m join workflow_tag t on t.definition_id = m.id group by t.tag`,
  ]);
  let found = rows[0]?.found;
  if (found === undefined) {
    // a page past the end: count separately
    const [c] = await sql<{ n: number }[]>`select count(*)::int as n from workflow_definition d ${where}`;
    found = c?.n ?? 0;
  }
  const facets = emptyFacets();
  for (const r of facetRows) facets[r.facet].push({ value: r.value, count: r.count });
  for (const list of Object.values(facets)) list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  for (const name of Object.keys(facets) as FacetName[]) facets[name] = facets[name].slice(0, MAX_FACET_VALUES);
  const items = rows.map((d) => listItem({ ...d, certified: false, updated: d.updated_at }));
  return { items, found, page: p.page, perPage: p.perPage, facets, source: 'postgres' };
}
