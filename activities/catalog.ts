import type { Client as Typesense } from 'typesense';
import type { Sql } from '../platform/db.ts';
import { RISK_RANK, type CatalogDocument } from '../platform/typesense.ts';

export interface CatalogDeps {
  sql: Sql;
  typesense: Typesense;
  collection: string;
}

interface DefinitionRow {
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
  latest_version: string | null;
  updated_at: Date;
  tags: string[];
}

/** Builds the search document of a definition from Postgres, the source of truth. */
export async function loadCatalogDocument(
  sql: Sql,
  definitionId: string,
  provenance: { workflowId: string; runId: string },
): Promise<CatalogDocument | undefined> {
  const [row] = await sql<DefinitionRow[]>`
    select d.*, coalesce(array_agg(t.tag order by t.tag) filter (where t.tag is not null), '{}') as tags
    from workflow_definition d left join workflow_tag t on t.definition_id = d.id
    where d.id = ${definitionId}
    group by d.id`;
  if (!row || !row.latest_version) return undefined;
  return {
    id: row.id,
    name: row.name,
    ...(row.title ? { title: row.title } : {}),
    description: row.description,
    category: row.category,
    risk: row.risk,
    risk_rank: RISK_RANK[row.risk] ?? 0,
    scope: row.scope,
    tenant_id: row.tenant_id,
    ...(row.owner ? { owner: row.owner } : {}),
    ...(row.owner_team ? { owner_team: row.owner_team } : {}),
    status: row.status,
    tags: row.tags,
    latest_version: row.latest_version,
    updated_at: Math.floor(row.updated_at.getTime() / 1000),
    provenance_workflow_id: provenance.workflowId,
    provenance_run_id: provenance.runId,
    // not tracked yet: certification and usage counting come with later slices
    certified: false,
    usage: 0,
  };
}

export function createCatalogActivities({ sql, typesense, collection }: CatalogDeps) {
  return {
    /** Upserts the definition's search document; idempotent (keyed by definition id). */
    async indexCatalogEntry(input: { definitionId: string; workflowId: string; runId: string }): Promise<{ indexed: boolean }> {
      const doc = await loadCatalogDocument(sql, input.definitionId, input);
      if (!doc) return { indexed: false };
      await typesense.collections<CatalogDocument>(collection).documents().upsert(doc);
      return { indexed: true };
    },
  };
}
