import { query } from '@solidjs/router';
import type { Category, Risk, Scope } from '../../../domain/spec.ts';
import { apiFetch } from './api.ts';

export const CATALOG_PAGE_SIZE = 20;

export interface CatalogEntry {
  id: string;
  name: string;
  title?: string;
  description: string;
  category: Category;
  risk: Risk;
  scope: Scope;
  tenantId: string;
  owner?: string;
  ownerTeam?: string;
  latestVersion: string;
  status: string;
  tags: string[];
  updatedAt: string;
}

export interface CatalogPage {
  items: CatalogEntry[];
  found: number;
  page: number;
  perPage: number;
  /** which index answered (e.g. the search engine or the database fallback) */
  source: string;
}

export const searchCatalog = query((q: string, page: number) => {
  const params = new URLSearchParams({ q, page: String(page), perPage: String(CATALOG_PAGE_SIZE) });
  return apiFetch<CatalogPage>(`/api/catalog?${params}`);
}, 'catalog');
