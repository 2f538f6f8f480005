import { createHash } from 'node:crypto';
import { activityInfo, heartbeat } from '@temporalio/activity';
import type { CatalogIndexCheckReport } from '../domain/catalog-index-check.ts';
import { REINDEX_SAMPLE_SIZE } from '../domain/catalog-reindex.ts';
import { aliasTarget, type CatalogDocument } from '../platform/typesense.ts';
import { loadCatalogDocuments, type CatalogDeps } from './catalog.ts';
import { differingFields, lookupIndexedDocuments } from './catalog-reindex.ts';

/** Entries compared per page (one Postgres read and one Typesense multi search each). */
const PAGE_SIZE = 1000;
/** Rows of earlier checks kept per alias. */
const KEEP = 200;
const PROVENANCE_FIELDS = new Set(['provenance_workflow_id', 'provenance_run_id']);

/** JSON with sorted keys, provenance left out: the same document gives the same text. */
const canonical = (doc: Record<string, unknown>) =>
  JSON.stringify(
    Object.keys(doc)
      .filter((k) => !PROVENANCE_FIELDS.has(k) && doc[k] !== undefined)
      .sort()
      .map((k) => [k, doc[k]]),
  );

/** One digest per page: equal digests, equal documents (a page that matches costs no detail). */
export const pageDigest = (docs: readonly (Record<string, unknown> | undefined)[]) => {
  const hash = createHash('sha256');
  for (const d of docs) hash.update(d ? canonical(d) : 'missing').update('\n');
  return hash.digest('hex');
};

interface Progress {
  afterId?: string;
  done: boolean;
  postgres: number;
  pages: number;
  differingPages: number;
  missing: { count: number; sample: string[] };
  altered: { count: number; sample: string[] };
}

export function createCatalogIndexCheckActivities({ sql, typesense, collection: alias }: CatalogDeps) {
  /** The ids among `docs` whose document is missing or differs from Postgres. */
  async function differing(collection: string | undefined, docs: CatalogDocument[]) {
    const indexed = collection ? await lookupIndexedDocuments(typesense, collection, docs.map((d) => d.id)) : new Map<string, Record<string, unknown>>();
    const missing: string[] = [];
    const altered: string[] = [];
    for (const d of docs) {
      const current = indexed.get(d.id);
      if (!current) missing.push(d.id);
      else if (differingFields(d, current).length) altered.push(d.id);
    }
    return { indexed, missing, altered };
  }

  return {
    /**
     * Compares the catalog in Postgres with the collection the alias points to, page by page
     * (id order): a digest per page, and for a page whose digests differ, each document.
     * What differs is looked at a second time, so a lifecycle that wrote Postgres and was
     * about to write Typesense (or the other way round) is not counted. Heartbeats carry
     * the cursor, so a retry resumes.
     */
    async checkCatalogIndex(): Promise<CatalogIndexCheckReport> {
      const collection = await aliasTarget(typesense, alias);
      const p: Progress = (activityInfo().heartbeatDetails as Progress | undefined) ?? {
        done: false,
        postgres: 0,
        pages: 0,
        differingPages: 0,
        missing: { count: 0, sample: [] },
        altered: { count: 0, sample: [] },
      };
      while (!p.done) {
        const docs = await loadCatalogDocuments(sql, { ...(p.afterId ? { afterId: p.afterId } : {}), limit: PAGE_SIZE });
        const first = await differing(collection, docs);
        const digestsDiffer = pageDigest(docs as unknown as Record<string, unknown>[]) !== pageDigest(docs.map((d) => first.indexed.get(d.id)));
        if (digestsDiffer && (first.missing.length || first.altered.length)) {
          p.differingPages += 1;
          const suspects = [...first.missing, ...first.altered];
          const again = await differing(collection, await loadCatalogDocuments(sql, { ids: suspects }));
          p.missing.count += again.missing.length;
          p.missing.sample.push(...again.missing.slice(0, REINDEX_SAMPLE_SIZE - p.missing.sample.length));
          p.altered.count += again.altered.length;
          p.altered.sample.push(...again.altered.slice(0, REINDEX_SAMPLE_SIZE - p.altered.sample.length));
        }
        p.pages += 1;
        p.postgres += docs.length;
        if (docs.length) p.afterId = docs[docs.length - 1]!.id;
        if (docs.length < PAGE_SIZE) p.done = true;
        heartbeat(p);
      }
      const typesenseCount = collection ? (await typesense.collections(collection).retrieve()).num_documents : 0;
      // counted again right after Typesense's count: an entry published during the pages
      // above is in both counts, not taken for an extra document
      const [now] = await sql<{ n: number }[]>`select count(*)::int as n from workflow_definition where latest_version is not null`;
      const postgres = now!.n;
      return {
        alias,
        postgres,
        typesense: typesenseCount,
        pages: p.pages,
        differingPages: p.differingPages,
        missing: p.missing,
        altered: p.altered,
        extra: Math.max(0, typesenseCount - (postgres - p.missing.count)),
        checkedAt: new Date().toISOString(),
      };
    },

    /** Records a check (idempotent per run and kind) for GET /api/health; keeps the newest KEEP per alias. */
    async recordCatalogIndexCheck(input: {
      workflowId: string;
      runId: string;
      kind: 'check' | 'after-repair';
      report: CatalogIndexCheckReport;
      repair?: { workflowId: string; runId?: string };
    }): Promise<void> {
      const r = input.report;
      await sql`
        insert into catalog_index_check (alias, workflow_id, run_id, kind, checked_at, postgres_count, typesense_count, missing, altered, extra,
                                         sample, repair_workflow_id, repair_run_id)
        values (${r.alias}, ${input.workflowId}, ${input.runId}, ${input.kind}, ${r.checkedAt}, ${r.postgres}, ${r.typesense},
                ${r.missing.count}, ${r.altered.count}, ${r.extra}, ${sql.json({ missing: r.missing.sample, altered: r.altered.sample })},
                ${input.repair?.workflowId ?? null}, ${input.repair?.runId ?? null})
        on conflict (workflow_id, run_id, kind) do nothing`;
      await sql`
        delete from catalog_index_check c
        using (select id, row_number() over (order by id desc) as n from catalog_index_check where alias = ${r.alias}) old
        where c.id = old.id and old.n > ${KEEP}`;
    },
  };
}
