/**
 * The catalog page's state lives in its URL (shareable, and the back button restores it).
 * This module is the one translation between that URL, the API's query string and the
 * filters the page shows. Parameter names are the API's own (`GET /api/catalog`).
 */

/** Rows per API page: 100 × the API's 1000 pages reach every one of 100k entries. */
export const CATALOG_PER_PAGE = 100;

export const SORTS = ['relevance', 'updated', 'usage'] as const;
export type CatalogSort = (typeof SORTS)[number];

export const RISK_ORDER = ['low', 'medium', 'high', 'critical'] as const;
export const SCOPE_ORDER = ['global', 'tenant-local'] as const;

/** Single-valued filters (the API takes one value of each). */
export const SINGLE_FILTERS = ['category', 'risk', 'scope', 'owner', 'ownerTeam', 'certified'] as const;
export type SingleFilter = (typeof SINGLE_FILTERS)[number];

/**
 * The page URL's parameters in the order they are written. The inline prefetch in
 * index.html copies exactly these keys, in this order, so its request matches the app's.
 */
export const URL_KEYS = ['q', 'category', 'risk', 'scope', 'owner', 'ownerTeam', 'tags', 'certified', 'sort'] as const;

export interface CatalogQuery {
  q: string;
  category?: string;
  risk?: string;
  scope?: string;
  owner?: string;
  ownerTeam?: string;
  /** every tag must match */
  tags: string[];
  certified?: 'true' | 'false';
  sort: CatalogSort;
}

const TAG = /^[a-z0-9][a-z0-9-]{0,39}$/;
const FREE = /^[^`]{1,100}$/;

const oneOf = <T extends string>(values: readonly T[], v: string | null | undefined): T | undefined =>
  values.includes(v as T) ? (v as T) : undefined;
const free = (v: string | null | undefined) => {
  const t = v?.trim();
  return t && FREE.test(t) ? t : undefined;
};

/** What a page URL asks for; values the API would refuse are dropped rather than shown as an error. */
export function parseCatalogQuery(search: string | URLSearchParams): CatalogQuery {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const tags = [...new Set((p.get('tags') ?? '').split(',').map((t) => t.trim().toLowerCase()))].filter((t) => TAG.test(t));
  const query: CatalogQuery = { q: (p.get('q') ?? '').trim().slice(0, 200), tags, sort: oneOf(SORTS, p.get('sort')) ?? 'relevance' };
  const category = free(p.get('category'));
  if (category) query.category = category;
  const risk = oneOf(RISK_ORDER, p.get('risk'));
  if (risk) query.risk = risk;
  const scope = oneOf(SCOPE_ORDER, p.get('scope'));
  if (scope) query.scope = scope;
  const owner = free(p.get('owner'));
  if (owner) query.owner = owner;
  const ownerTeam = free(p.get('ownerTeam'));
  if (ownerTeam) query.ownerTeam = ownerTeam;
  const certified = oneOf(['true', 'false'] as const, p.get('certified'));
  if (certified) query.certified = certified;
  return query;
}

/** The query as URL parameters, in `URL_KEYS` order; defaults are left out. */
export function catalogSearchParams(query: CatalogQuery): URLSearchParams {
  const out = new URLSearchParams();
  const values: Record<(typeof URL_KEYS)[number], string | undefined> = {
    q: query.q || undefined,
    category: query.category,
    risk: query.risk,
    scope: query.scope,
    owner: query.owner,
    ownerTeam: query.ownerTeam,
    tags: query.tags.length ? query.tags.join(',') : undefined,
    certified: query.certified,
    sort: query.sort === 'relevance' ? undefined : query.sort,
  };
  for (const key of URL_KEYS) {
    const v = values[key];
    if (v !== undefined) out.set(key, v);
  }
  return out;
}

/** The catalog page's address for a query (`/` when nothing is chosen). */
export function catalogHref(query: CatalogQuery): string {
  const s = catalogSearchParams(query).toString();
  return s ? `/?${s}` : '/';
}

/** `GET /api/catalog` for one page of a query. */
export function catalogApiPath(query: CatalogQuery, page: number, perPage: number): string {
  const p = catalogSearchParams(query);
  p.set('page', String(page));
  p.set('perPage', String(perPage));
  return `/api/catalog?${p}`;
}

/** A query that keeps the words and the sort but drops every filter. */
export const withoutFilters = (query: CatalogQuery): CatalogQuery => ({ q: query.q, tags: [], sort: query.sort });

export const hasFilters = (query: CatalogQuery) => query.tags.length > 0 || SINGLE_FILTERS.some((k) => query[k] !== undefined);

export function withFilter(query: CatalogQuery, key: SingleFilter, value: string | undefined): CatalogQuery {
  const next = { ...query };
  if (value === undefined) delete next[key];
  else (next as Record<SingleFilter, string>)[key] = value;
  return next;
}

export function withTag(query: CatalogQuery, tag: string, on: boolean): CatalogQuery {
  const tags = query.tags.filter((t) => t !== tag);
  return { ...query, tags: on ? [...tags, tag] : tags };
}
