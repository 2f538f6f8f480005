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

/** A catalog entry's row in Postgres (workflow_definition with its tags), as the search documents and the full-text fallback read it. */
export interface CatalogEntryRow {
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
  // Fields below were added after the first edition: optional in the schema, so an older
  // collection gets them in place (addMissingFields) and a reindex fills them.
  /** internal-only | partner-curated | public-ecosystem */
  visibility?: string;
  /** partner-curated: the tenants on the template's curated list (platform/access.ts filters on it) */
  audience?: string[];
  /**
   * trust: who wrote the latest version, when it was approved, certification. Never who
   * approved it: every tenant reads a global document with its scoped key, and publish
   * approvals are the owning tenant's (a collection created with a `reviewer` field keeps
   * it, empty: documents no longer carry it).
   */
  author?: string;
  last_reviewed_at?: number;
  certified?: boolean;
  /** the latest version passed its marketplace review (security, performance, docs) */
  reviewed?: boolean;
  /** the latest version's certification expired and awaits recertification ("review overdue") */
  review_overdue?: boolean;
  /** the latest version's signature verifies with its publisher's key over its digest (not merely present) */
  signed?: boolean;
  /** health (from the latest health rollup, HEALTH_WINDOW_DAYS of runs) */
  health_last_status?: string;
  health_failure_rate?: number;
  health_avg_duration_ms?: number;
  last_run_at?: number;
  /** runs in the health window; the "usage" sort */
  usage?: number;
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
    { name: 'certified', type: 'bool', facet: true, optional: true },
    { name: 'reviewed', type: 'bool', facet: true, optional: true },
    { name: 'review_overdue', type: 'bool', facet: true, optional: true },
    { name: 'signed', type: 'bool', facet: true, optional: true },
    { name: 'usage', type: 'int32', optional: true },
    { name: 'visibility', type: 'string', facet: true, optional: true },
    { name: 'audience', type: 'string[]', optional: true },
    { name: 'author', type: 'string', facet: true, optional: true },
    { name: 'last_reviewed_at', type: 'int64', optional: true },
    { name: 'health_last_status', type: 'string', facet: true, optional: true },
    { name: 'health_failure_rate', type: 'float', optional: true },
    { name: 'health_avg_duration_ms', type: 'int32', optional: true },
    { name: 'last_run_at', type: 'int64', optional: true },
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
    await addMissingFields(ts, a.collection_name);
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

/**
 * Collections created by an older edition lack the fields added since (all optional), so
 * they are added in place; existing documents simply have no value for them.
 */
async function addMissingFields(ts: Client, name: string): Promise<void> {
  const existing = new Set((await ts.collections(name).retrieve()).fields.map((f) => f.name));
  const missing = (catalogSchema(name).fields ?? []).filter((f) => !existing.has(f.name));
  if (missing.length) await ts.collections(name).update({ fields: missing });
}


const httpStatus = (e: unknown) => (e as { httpStatus?: number }).httpStatus;

/** The collection an alias points to, or undefined when the alias or its collection is gone. */
export async function aliasTarget(ts: Client, alias: string): Promise<string | undefined> {
  let name: string;
  try {
    name = (await ts.aliases(alias).retrieve()).collection_name;
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw e;
  }
  try {
    await ts.collections(name).retrieve();
    return name;
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw e;
  }
}

/**
 * The collection a catalog write goes to: the one the alias points to, by its own name.
 *
 * Never write documents through the alias. A single Typesense 0.24.1 node rebuilds its
 * database on every start by replaying its Raft log (until a snapshot exists), and that
 * replay loses document writes that were addressed through an alias: measured here, 180 of
 * 200 upserts made through the alias right after it was created were gone after a restart,
 * none of 200 made by the collection's name (test/catalog/index-durability.test.ts).
 * Callers hold the catalog write lock, which the reindex's alias switch takes too, so the
 * alias cannot move between this lookup and their write.
 */
export async function catalogWriteTarget(ts: Client, alias: string): Promise<string> {
  const name = await aliasTarget(ts, alias);
  // retryable: a Typesense that is still starting, or a migration that has not run yet
  if (!name) throw new Error(`the search alias ${alias} points to no collection (has the migration run?)`);
  return name;
}

/** Creates an empty catalog collection; one that exists already is kept (idempotent). */
export async function createCatalogCollection(ts: Client, name: string): Promise<void> {
  try {
    await ts.collections().create(catalogSchema(name));
  } catch (e) {
    if (httpStatus(e) !== 409) throw e;
  }
}

/** Points the alias at a collection: readers and writers use it from their next request. */
export async function switchAlias(ts: Client, alias: string, name: string): Promise<void> {
  await ts.aliases().upsert(alias, { collection_name: name });
}

/**
 * Drops a collection by its real name (a name that is an alias would drop the alias's
 * collection, so callers check `aliasTarget` first); one that is gone already is fine.
 */
export async function dropCollection(ts: Client, name: string): Promise<void> {
  try {
    await ts.collections(name).delete();
  } catch (e) {
    if (httpStatus(e) !== 404) throw e;
  }
}
