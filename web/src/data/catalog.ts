import { query } from '@solidjs/router';
import type { CatalogDetail } from '../../../domain/catalog.ts';
import type { Risk, Scope } from '../../../domain/spec.ts';
import type { TrustSummary } from '../../../domain/trust.ts';
import { CATALOG_PER_PAGE, catalogApiPath, type CatalogQuery } from '../lib/catalog-query.ts';
import { apiFetch, readApiResponse } from './api.ts';

export type { CatalogDetail } from '../../../domain/catalog.ts';

export { CATALOG_PER_PAGE };

/** The deepest row the API can page to. */
export const CATALOG_MAX_ROWS = CATALOG_PER_PAGE * 1000;

/** One row of `GET /api/catalog`: only the fields a list needs. */
export interface CatalogEntry {
  id: string;
  name: string;
  title?: string;
  description: string;
  category: string;
  risk: Risk;
  scope: Scope;
  tenantId: string;
  owner?: string;
  ownerTeam?: string;
  latestVersion: string;
  status: string;
  tags: string[];
  certified?: boolean;
  /** reviewed, certified, signed: the badges of the row (of its latest version) */
  trust: TrustSummary;
  updatedAt: string;
}

export interface FacetCount {
  value: string;
  count: number;
}

export type FacetName = 'category' | 'risk' | 'scope' | 'ownerTeam' | 'tags' | 'status' | 'certified';
export type CatalogFacets = Record<FacetName, FacetCount[]>;

export interface CatalogSearchPage {
  items: CatalogEntry[];
  found: number;
  page: number;
  perPage: number;
  /** counts within the tenant's scope; whether a facet ignores its own filter is the API's choice */
  facets: CatalogFacets;
  /** which index answered: the search engine, or the database while it is unreachable */
  source: 'typesense' | 'postgres';
  /** present when the database answered: full-text search without typo tolerance */
  degraded?: true;
}

interface Prefetch {
  url: string;
  response: Promise<Response>;
}

declare global {
  interface Window {
    /** started by the inline script in index.html before the app's code has loaded */
    __catalogPrefetch?: Prefetch;
  }
}

/** The first page the inline script in index.html already asked for, if it asked for this URL (used once). */
function takePrefetched(path: string): Promise<Response> | undefined {
  const p = typeof window === 'undefined' ? undefined : window.__catalogPrefetch;
  if (!p) return undefined;
  window.__catalogPrefetch = undefined;
  return p.url === path ? p.response : undefined;
}

/**
 * One page of a catalog search. Not a router `query`: the catalog page keeps its own pages
 * (it windows over up to 100k rows) and drops answers to queries it no longer shows.
 */
export async function fetchCatalogPage(q: CatalogQuery, page: number, signal?: AbortSignal): Promise<CatalogSearchPage> {
  const path = catalogApiPath(q, page, CATALOG_PER_PAGE);
  const prefetched = page === 1 ? takePrefetched(path) : undefined;
  // An early request that never got an answer (network) is asked again the ordinary way;
  // an answer, even an error, is this request's answer.
  const res = prefetched && (await prefetched.catch(() => undefined));
  if (res) return readApiResponse<CatalogSearchPage>(res);
  return apiFetch<CatalogSearchPage>(path, { signal });
}

/** GET /api/catalog/{id}: description, parameters, approvals, versions, trust, health, provenance. */
export const catalogDetail = query((id: string) => apiFetch<CatalogDetail>(`/api/catalog/${encodeURIComponent(id)}`), 'catalogDetail');
