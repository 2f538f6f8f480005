import http from 'node:http';
import https from 'node:https';
import type { Client as Typesense } from 'typesense';
import type { Logger } from 'pino';
import type { Sql } from '../platform/db.ts';
import type { Config } from '../platform/config.ts';
import type { CatalogDocument, CatalogEntryRow } from '../platform/typesense.ts';
import { visibleDefinitionSql, visibleDocumentFilter } from '../platform/access.ts';
import { canSee, VISIBILITY_PROFILES, type Visibility } from '../domain/access.ts';
import { ensureSearchParentKey, tenantSearchKey } from '../platform/search-keys.ts';
import type { TrustSummary } from '../domain/trust.ts';
import { emptyTrust, loadTrustSummaries, trustKey } from './trust-summary.ts';

export const FACET_FIELDS = {
  category: 'category',
  risk: 'risk',
  scope: 'scope',
  ownerTeam: 'owner_team',
  tags: 'tags',
  status: 'status',
  certified: 'certified',
  visibility: 'visibility',
  publisher: 'tenant_id',
  reviewed: 'reviewed',
  reviewOverdue: 'review_overdue',
  signed: 'signed',
} as const;
export type FacetName = keyof typeof FACET_FIELDS;
export type Facets = Record<FacetName, { value: string; count: number }[]>;
/**
 * Facets whose filter takes one value (certified too): their counts ignore their own filter (disjunctive),
 * so choosing category HR still shows what the other categories hold. Tags are different:
 * an entry must carry every chosen tag, so tag counts stay within all filters — each
 * count is what adding that tag would leave.
 */
const DISJUNCTIVE = ['category', 'risk', 'scope', 'ownerTeam', 'status', 'certified', 'visibility', 'publisher', 'reviewed', 'reviewOverdue', 'signed'] as const;
type DisjunctiveFacet = (typeof DISJUNCTIVE)[number];

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
  /** trust facets of the latest version: passed its marketplace review; certification overdue; signature verifies */
  reviewed?: boolean;
  reviewOverdue?: boolean;
  signed?: boolean;
  /** the visibility profile (domain/access.ts); an entry without a template is internal-only */
  visibility?: Visibility;
  /** the publishing (owning) tenant */
  publisher?: string;
  /**
   * mine: the tenant's own entries; marketplace: entries offered beyond their tenant
   * (partner-curated, public-ecosystem) that the tenant may see, its own shared ones too.
   * Absent: everything the tenant may see.
   */
  view?: CatalogView;
  sort: 'relevance' | 'updated' | 'usage';
  page: number;
  perPage: number;
}

export const CATALOG_VIEWS = ['mine', 'marketplace'] as const;
export type CatalogView = (typeof CATALOG_VIEWS)[number];

/** Profiles of the Marketplace view: those that offer an entry beyond its tenant. */
const SHARED_PROFILES = VISIBILITY_PROFILES.filter((v) => v !== 'internal-only');

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
  visibility: Visibility;
  updatedAt: string;
  /** the latest version's signature, review and certification (api/trust-summary.ts) */
  trust: TrustSummary;
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

const bq = (v: string) => `\`${v}\``;

function emptyFacets(): Facets {
  return { category: [], risk: [], scope: [], ownerTeam: [], tags: [], status: [], certified: [], visibility: [], publisher: [], reviewed: [], reviewOverdue: [], signed: [] };
}

const activeDisjunctive = (p: CatalogSearchParams): DisjunctiveFacet[] => DISJUNCTIVE.filter((f) => p[f] !== undefined);

// ---- Typesense ---------------------------------------------------------------------------

/** Only the fields a list item needs travel back from Typesense. */
const LIST_FIELDS = 'id,name,title,description,category,risk,scope,tenant_id,owner,owner_team,latest_version,status,tags,certified,updated_at,visibility';

/** What a list needs of a search document (LIST_FIELDS). */
type ListDocument = Pick<
  CatalogDocument,
  'id' | 'name' | 'title' | 'description' | 'category' | 'risk' | 'scope' | 'tenant_id' | 'owner' | 'owner_team' | 'latest_version' | 'status' | 'tags' | 'certified' | 'updated_at' | 'visibility'
>;

interface MultiSearchResult {
  found?: number;
  hits?: { document: ListDocument }[];
  facet_counts?: { field_name: string; counts: { value: string; count: number }[] }[];
  error?: string;
  code?: number;
}

/**
 * The body of the one `POST /multi_search` a catalog search makes: the page of results
 * with the counts of every facet whose filter is not in use, plus one count-only search
 * per disjunctive facet in use, without that facet's own filter. Every search carries the
 * tenant filter (and the scoped key adds it once more inside Typesense). Exported so the
 * benchmark sends Typesense exactly what the API sends.
 */
export function typesenseSearchBody(tenant: string, collection: string, p: CatalogSearchParams): string {
  const text = p.q?.trim() || '*';
  const own: Record<DisjunctiveFacet, string | undefined> = {
    category: p.category === undefined ? undefined : `category:=${bq(p.category)}`,
    risk: p.risk === undefined ? undefined : `risk:=${bq(p.risk)}`,
    scope: p.scope === undefined ? undefined : `scope:=${bq(p.scope)}`,
    ownerTeam: p.ownerTeam === undefined ? undefined : `owner_team:=${bq(p.ownerTeam)}`,
    status: `status:=${bq(p.status)}`,
    certified: p.certified === undefined ? undefined : `certified:=${p.certified}`,
    visibility: p.visibility === undefined ? undefined : `visibility:=${bq(p.visibility)}`,
    publisher: p.publisher === undefined ? undefined : `tenant_id:=${bq(p.publisher)}`,
    reviewed: p.reviewed === undefined ? undefined : `reviewed:=${p.reviewed}`,
    reviewOverdue: p.reviewOverdue === undefined ? undefined : `review_overdue:=${p.reviewOverdue}`,
    signed: p.signed === undefined ? undefined : `signed:=${p.signed}`,
  };
  const common: string[] = [];
  if (p.view === 'mine') common.push(`tenant_id:=${bq(tenant)}`);
  if (p.view === 'marketplace') common.push(`visibility:=[${SHARED_PROFILES.map(bq).join(',')}]`);
  if (p.owner !== undefined) common.push(`owner:=${bq(p.owner)}`);
  for (const t of p.tags) common.push(`tags:=${bq(t)}`);
  const others = (skip?: DisjunctiveFacet) => DISJUNCTIVE.filter((f) => f !== skip).flatMap((f) => (own[f] ? [own[f]] : []));
  // The tenant rule (visibleDocumentFilter, domain/access.ts canSee), written for the status
  // each search keeps: with status = published it is "own or offered to the tenant", with
  // any other status "own". The same rows, and cheaper for Typesense than the full
  // expression, which the scoped key evaluates anyway.
  const offered = `(visibility:=public-ecosystem || (visibility:=partner-curated && audience:=${bq(tenant)}))`;
  const tenantRule = (status: string) => (status === 'published' ? `(tenant_id:=${bq(tenant)} || ${offered})` : `tenant_id:=${bq(tenant)}`);
  const filterWithout = (skip?: DisjunctiveFacet) => [tenantRule(p.status), ...common, ...others(skip)].join(' && ');

  const active = activeDisjunctive(p);
  const query = {
    collection,
    q: text,
    query_by: 'name,title,description,tags',
    query_by_weights: '4,4,1,2',
    // names are slugs ("payroll-export-emea"), indexed as one token each: as prefixes they
    // would swamp the candidates of the other fields, so a name matches whole words only
    prefix: 'false,true,true,true',
  };
  const sortBy =
    p.sort === 'usage' ? 'usage:desc,updated_at:desc' : p.sort === 'relevance' && text !== '*' ? '_text_match:desc,updated_at:desc' : 'updated_at:desc';
  const main = {
    ...query,
    filter_by: filterWithout(),
    facet_by: (Object.keys(FACET_FIELDS) as FacetName[])
      .filter((f) => !(active as string[]).includes(f))
      .map((f) => FACET_FIELDS[f])
      .join(','),
    max_facet_values: MAX_FACET_VALUES,
    sort_by: sortBy,
    page: p.page,
    per_page: p.perPage,
    include_fields: LIST_FIELDS,
    highlight_fields: 'none',
  };
  const counts = active.map((f) => ({
    ...query,
    // The chosen status's count is the page's `found`; only the other statuses are counted
    // here. Another tenant's entries are visible only when published, so with published
    // chosen these are the tenant's own entries: a small search instead of a second pass
    // over everything the tenant may see.
    filter_by:
      f === 'status'
        ? [p.status === 'published' ? `tenant_id:=${bq(tenant)}` : visibleDocumentFilter(tenant), `status:!=${bq(p.status)}`, ...common, ...others('status')].join(' && ')
        : filterWithout(f),
    facet_by: FACET_FIELDS[f],
    max_facet_values: MAX_FACET_VALUES,
    per_page: 0,
    highlight_fields: 'none',
  }));
  return JSON.stringify({ searches: [main, ...counts] });
}

function readTypesenseResults(tenant: string, p: CatalogSearchParams, results: MultiSearchResult[]): CatalogSearchResult {
  for (const r of results) if (r.error !== undefined) throw new Error(`typesense search failed (${r.code ?? '?'}): ${r.error}`);
  const [main, ...counts] = results;
  if (!main || counts.length !== activeDisjunctive(p).length) throw new Error('typesense answered an unexpected number of searches');
  const facets = emptyFacets();
  const fill = (r: MultiSearchResult) => {
    for (const fc of r.facet_counts ?? []) {
      const name = FACET_NAME_OF[fc.field_name];
      if (name) facets[name] = fc.counts.map((c) => ({ value: c.value, count: c.count }));
    }
  };
  fill(main);
  counts.forEach(fill);
  // the count search of status left out the chosen status: its count is the page's total
  if (main.found) facets.status = [...facets.status, { value: p.status, count: main.found }].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  const items = (main.hits ?? []).map(({ document: d }) => {
    // the scoped key already guarantees this; a document outside the scope is a bug, not a result
    // (the curated list itself is never returned: the scoped key excludes `audience`, so
    // membership of a partner-curated entry is Typesense's filter to vouch for)
    const audience = d.visibility === 'partner-curated' ? [tenant] : [];
    if (!canSee(tenant, { ownerTenant: d.tenant_id, status: d.status, visibility: (d.visibility ?? 'internal-only') as Visibility, audience })) {
      throw new Error('typesense returned a document outside the tenant scope');
    }
    return listItem({ ...d, visibility: (d.visibility ?? 'internal-only') as Visibility }, d.certified ?? false, new Date(d.updated_at * 1000));
  });
  return { items, found: main.found ?? 0, page: p.page, perPage: p.perPage, facets, source: 'typesense' };
}

const FACET_NAME_OF = Object.fromEntries(Object.entries(FACET_FIELDS).map(([k, v]) => [v, k as FacetName])) as Record<string, FacetName | undefined>;

/**
 * A small keep-alive JSON client for the one Typesense endpoint the search uses: the
 * typesense-js client (axios) costs more per request than the search itself at this size.
 */
class TypesenseHttp {
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly transport: typeof http | typeof https;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
    this.transport = this.url.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64, maxFreeSockets: 16 });
  }

  post<T>(path: string, apiKey: string, body: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = this.transport.request(
        {
          agent: this.agent,
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-typesense-api-key': apiKey },
          timeout: timeoutMs,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('error', reject);
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`typesense answered ${res.statusCode}: ${text.slice(0, 200)}`));
            try {
              resolve(JSON.parse(text) as T);
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`typesense did not answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * Catalog search for one tenant. Typesense first, with a per-tenant scoped key (the tenant
 * filter is embedded in the key and added again here); Postgres full-text search when
 * Typesense fails or is slow, with `source: 'postgres'` and `degraded: true`.
 */
export class CatalogSearch {
  private parentKey: Promise<string> | undefined;
  private readonly keys = new Map<string, string>();
  private readonly http: TypesenseHttp;
  private skipTypesenseUntil = 0;

  constructor(private readonly deps: { config: Config; sql: Sql; typesense: Typesense; log: Logger }) {
    this.http = new TypesenseHttp(deps.config.typesenseUrl);
  }

  async search(tenant: string, params: CatalogSearchParams): Promise<CatalogSearchResult> {
    if (Date.now() >= this.skipTypesenseUntil) {
      try {
        return await withTrust(this.deps.sql, tenant, await this.searchTypesense(tenant, params));
      } catch (err) {
        this.skipTypesenseUntil = Date.now() + RETRY_AFTER_MS;
        this.deps.log.warn({ err }, 'catalog search: typesense failed, answering from postgres');
      }
    }
    return withTrust(this.deps.sql, tenant, { ...(await searchPostgres(this.deps.sql, tenant, params)), degraded: true });
  }

  /** The tenant's scoped search key (an HMAC of the parent key and the tenant filter). */
  private async tenantKey(tenant: string): Promise<string> {
    const cached = this.keys.get(tenant);
    if (cached) return cached;
    const { typesense } = this.deps;
    this.parentKey ??= ensureSearchParentKey(typesense, typesense.configuration.apiKey).catch((e: unknown) => {
      this.parentKey = undefined; // retried on the next search
      throw e;
    });
    const key = tenantSearchKey(typesense, await this.parentKey, tenant);
    this.keys.set(tenant, key);
    return key;
  }

  private async searchTypesense(tenant: string, p: CatalogSearchParams): Promise<CatalogSearchResult> {
    const key = await this.tenantKey(tenant);
    const body = typesenseSearchBody(tenant, this.deps.config.TYPESENSE_COLLECTION, p);
    const res = await this.http.post<{ results: MultiSearchResult[] }>('/multi_search', key, body, TYPESENSE_TIMEOUT_MS);
    return readTypesenseResults(tenant, p, res.results);
  }
}

/** The page's rows with their trust summaries (one query for the page; the search documents carry only the facets). */
async function withTrust(sql: Sql, tenant: string, r: CatalogSearchResult): Promise<CatalogSearchResult> {
  const trust = await loadTrustSummaries(sql, tenant, r.items.map((i) => ({ definitionId: i.id, version: i.latestVersion })));
  return { ...r, items: r.items.map((i) => ({ ...i, trust: trust.get(trustKey({ definitionId: i.id, version: i.latestVersion })) ?? emptyTrust() })) };
}

/**
 * One list entry, from a Typesense document or a Postgres row alike: only the fields a list
 * needs. Absent optional fields are left undefined, which the JSON answer omits.
 */
function listItem(
  d: {
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
    visibility: Visibility;
  },
  certified: boolean,
  updated: Date,
): CatalogListItem {
  return {
    id: d.id,
    name: d.name,
    title: d.title || undefined,
    description: d.description,
    category: d.category,
    risk: d.risk,
    scope: d.scope,
    tenantId: d.tenant_id,
    owner: d.owner || undefined,
    ownerTeam: d.owner_team || undefined,
    latestVersion: d.latest_version,
    status: d.status,
    tags: d.tags,
    certified,
    visibility: d.visibility,
    updatedAt: updated.toISOString(),
    // filled per page by withTrust
    trust: emptyTrust(),
  };
}

// ---- Postgres ----------------------------------------------------------------------------

type PgRow = CatalogEntryRow & { certified: boolean; visibility: Visibility };

/**
 * The same search over the Postgres read model: `websearch_to_tsquery` on the `search`
 * column (plus exact tag matches), the same tenant rule, filters and facet semantics
 * (disjunctive for the one-value facets), certification from the marketplace template and
 * usage from the latest health snapshot, as in the search documents. No typo tolerance.
 */
export async function searchPostgres(sql: Sql, tenant: string, p: CatalogSearchParams): Promise<CatalogSearchResult> {
  const text = p.q?.trim();
  const words = text ? text.toLowerCase().split(/\s+/) : [];
  const match = text
    ? sql`and (d.search @@ websearch_to_tsquery('english', ${text}) or d.search @@ websearch_to_tsquery('simple', ${text})
             or exists (select 1 from workflow_tag t where t.definition_id = d.id and t.tag = any(${words}::text[])))`
    : sql``;
  const certified = sql`exists (select 1 from workflow_template tp where tp.definition_id = d.id and tp.certification_state = 'certified')`;
  // the trust facets as the search documents have them (activities/catalog.ts); degraded: "signed" is a signature's
  // presence here, where the documents hold its verification
  const reviewed = sql`exists (select 1 from workflow_version lv where lv.definition_id = d.id and lv.version = d.latest_version and lv.review_state = 'passed')`;
  const reviewOverdue = sql`exists (select 1 from workflow_template tp where tp.definition_id = d.id and tp.certification_state = 'stale')`;
  const signed = sql`exists (select 1 from workflow_version lv where lv.definition_id = d.id and lv.version = d.latest_version and lv.signature_bundle is not null)`;
  const computed: Partial<Record<DisjunctiveFacet, typeof certified>> = { certified, reviewed, reviewOverdue, signed };
  // as the search documents (activities/catalog.ts): no template yet = its tenant only
  const visibility = sql`coalesce((select tp.visibility from workflow_template tp where tp.definition_id = d.id), 'internal-only')`;
  const view =
    p.view === 'mine'
      ? sql`and d.tenant_id = ${tenant}`
      : p.view === 'marketplace'
        ? sql`and ${visibility} = any(${SHARED_PROFILES as string[]}::text[])`
        : sql``;
  // every filter but the disjunctive ones: they apply to the rows and to the other facets' counts
  const common = sql`
    d.latest_version is not null
      and ${visibleDefinitionSql(sql, tenant)}
      ${p.owner ? sql`and d.owner = ${p.owner}` : sql``}
      ${p.tags.length ? sql`and ${p.tags}::text[] <@ array(select t.tag from workflow_tag t where t.definition_id = d.id)` : sql``}
      ${match}
      ${view}`;
  const column: Record<DisjunctiveFacet, string> = {
    category: 'category',
    risk: 'risk',
    scope: 'scope',
    ownerTeam: 'owner_team',
    status: 'status',
    certified: 'certified',
    visibility: 'visibility',
    publisher: 'tenant_id',
    reviewed: 'reviewed',
    reviewOverdue: 'review_overdue',
    signed: 'signed',
  };
  // certification and visibility are not columns of workflow_definition: computed on `d`, selected into `m`
  const own = (f: DisjunctiveFacet, alias: string) =>
    p[f] === undefined
      ? sql``
      : computed[f] && alias === 'd'
        ? sql`and ${computed[f]!} = ${p[f] as boolean}`
        : f === 'visibility' && alias === 'd'
          ? sql`and ${visibility} = ${p.visibility!}`
          : sql`and ${sql(alias)}.${sql(column[f])} = ${p[f]!}`;
  const allBut = (skip: DisjunctiveFacet | undefined, alias: string) => DISJUNCTIVE.filter((f) => f !== skip).map((f) => own(f, alias));
  const and = (parts: ReturnType<typeof own>[]) => parts.reduce((acc, part) => sql`${acc} ${part}`, sql``);

  const rank = text
    ? sql`ts_rank(d.search, websearch_to_tsquery('english', ${text})) + ts_rank(d.search, websearch_to_tsquery('simple', ${text}))`
    : sql`0`;
  const usage = sql`coalesce((select h.run_count from health_snapshot h where h.definition_id = d.id order by h.window_end desc limit 1), 0)`;
  const order =
    p.sort === 'relevance' && text
      ? sql`order by rank desc, d.updated_at desc, d.id`
      : p.sort === 'usage'
        ? sql`order by ${usage} desc, d.updated_at desc, d.id`
        : sql`order by d.updated_at desc, d.id`;
  const facetOf = (f: DisjunctiveFacet, label: FacetName) => sql`
    select ${label}::text as facet, m.${sql(column[f])}::text as value, count(*)::int as count from m
    where m.${sql(column[f])} is not null ${and(allBut(f, 'm'))} group by m.${sql(column[f])}`;

  const [rows, facetRows] = await Promise.all([
    sql<(PgRow & { found: number })[]>`
      select d.id, d.tenant_id, d.name, d.title, d.description, d.category, d.risk, d.scope, d.owner, d.owner_team,
             d.status, d.latest_version, d.updated_at, ${rank} as rank, count(*) over ()::int as found, ${certified} as certified,
             ${visibility} as visibility,
             coalesce((select array_agg(t.tag order by t.tag) from workflow_tag t where t.definition_id = d.id), '{}') as tags
      from workflow_definition d
      where ${common} ${and(allBut(undefined, 'd'))}
      ${order}
      limit ${p.perPage} offset ${(p.page - 1) * p.perPage}`,
    sql<{ facet: FacetName; value: string; count: number }[]>`
      with m as materialized (
        select d.id, d.category, d.risk, d.scope, d.owner_team, d.status, d.tenant_id, ${certified} as certified, ${visibility} as visibility,
               ${reviewed} as reviewed, ${reviewOverdue} as review_overdue, ${signed} as signed
        from workflow_definition d where ${common})
      ${facetOf('category', 'category')}
      union all ${facetOf('risk', 'risk')}
      union all ${facetOf('scope', 'scope')}
      union all ${facetOf('ownerTeam', 'ownerTeam')}
      union all ${facetOf('status', 'status')}
      union all ${facetOf('certified', 'certified')}
      union all ${facetOf('visibility', 'visibility')}
      union all ${facetOf('publisher', 'publisher')}
      union all ${facetOf('reviewed', 'reviewed')}
      union all ${facetOf('reviewOverdue', 'reviewOverdue')}
      union all ${facetOf('signed', 'signed')}
      union all select 'tags', t.tag, count(*)::int from m join workflow_tag t on t.definition_id = m.id
        where true ${and(allBut(undefined, 'm'))} group by t.tag`,
  ]);
  let found = rows[0]?.found;
  if (found === undefined) {
    // a page past the end: count separately
    const [c] = await sql<{ n: number }[]>`select count(*)::int as n from workflow_definition d where ${common} ${and(allBut(undefined, 'd'))}`;
    found = c?.n ?? 0;
  }
  const facets = emptyFacets();
  for (const r of facetRows) facets[r.facet].push({ value: r.value, count: r.count });
  for (const list of Object.values(facets)) list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  for (const name of Object.keys(facets) as FacetName[]) facets[name] = facets[name].slice(0, MAX_FACET_VALUES);
  const items = rows.map((d) => listItem(d, d.certified, d.updated_at));
  return { items, found, page: p.page, perPage: p.perPage, facets, source: 'postgres' };
}
