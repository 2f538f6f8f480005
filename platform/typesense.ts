import { Client } from 'typesense';
import type { CollectionCreateSchema } from 'typesense/lib/Typesense/Collections.js';

export function createTypesense(url: string, apiKey: string, timeoutSeconds = 5): Client {
  const u = new URL(url);
  return new Client({
    nodes: [{ host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), protocol: u.protocol.replace(':', '') }],
    apiKey,
    connectionTimeoutSeconds: timeoutSeconds,
    numRetries: 1,
    retryIntervalSeconds: 0.1,
    logLevel: 'silent',
  });
}

/** The search projection of a catalog entry. Rebuildable from Postgres at any time. */
export interface CatalogDocument {
  id: string;
  name: string;
  title?: string;
  description: string;
  category: string;
  risk: string;
  risk_rank: number;
  scope: 'global' | 'tenant-local';
  tenant_id: string;
  owner?: string;
  owner_team?: string;
  status: string;
  tags: string[];
  latest_version: string;
  updated_at: number;
  /** the lifecycle that wrote this document (provenance of catalog updates) */
  provenance_workflow_id: string;
  provenance_run_id: string;
}

export const catalogSchema = (name: string): CollectionCreateSchema => ({
  name,
  fields: [
    { name: 'name', type: 'string' },
    { name: 'title', type: 'string', optional: true },
    { name: 'description', type: 'string' },
    { name: 'category', type: 'string', facet: true },
    { name: 'risk', type: 'string', facet: true },
    { name: 'risk_rank', type: 'int32' },
    { name: 'scope', type: 'string', facet: true },
    { name: 'tenant_id', type: 'string', facet: true },
    { name: 'owner', type: 'string', facet: true, optional: true },
    { name: 'owner_team', type: 'string', facet: true, optional: true },
    { name: 'status', type: 'string', facet: true },
    { name: 'tags', type: 'string[]', facet: true },
    { name: 'latest_version', type: 'string', index: false, optional: true },
    { name: 'updated_at', type: 'int64', sort: true },
    { name: 'provenance_workflow_id', type: 'string', index: false, optional: true },
    { name: 'provenance_run_id', type: 'string', index: false, optional: true },
  ],
  default_sorting_field: 'updated_at',
});

export const RISK_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/**
 * The catalog is read and written through an alias (`catalog` → `catalog_v1`), so a
 * rebuild can fill a new collection and switch the alias without downtime.
 */
export async function ensureCatalogCollection(ts: Client, alias: string): Promise<string> {
  try {
    const a = await ts.aliases(alias).retrieve();
    return a.collection_name;
  } catch (e) {
    if ((e as { httpStatus?: number }).httpStatus !== 404) throw e;
  }
  const name = `${alias}_v1`;
  try {
    await ts.collections().create(catalogSchema(name));
  } catch (e) {
    if ((e as { httpStatus?: number }).httpStatus !== 409) throw e;
  }
  await ts.aliases().upsert(alias, { collection_name: name });
  return name;
}

/** A tenant sees global entries and its own tenant-local ones. */
export const tenantScopeFilter = (tenant: string) => `(scope:=global || tenant_id:=\`${tenant}\`)`;
