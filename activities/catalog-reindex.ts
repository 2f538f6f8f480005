import { ApplicationFailure, activityInfo, heartbeat, log } from '@temporalio/activity';
import { REINDEX_SAMPLE_SIZE } from '../domain/catalog-reindex.ts';
import { aliasTarget, createCatalogCollection, dropCollection, switchAlias, type CatalogDocument } from '../platform/typesense.ts';
import type { Sql } from '../platform/db.ts';
import type { Client as Typesense } from 'typesense';
import { loadCatalogDocuments, lockCatalogWrites, recordCatalogUpdate, type CatalogDeps } from './catalog.ts';

/** Entries read from Postgres per page (one catalog_update insert and one import each). */
const PAGE_SIZE = 1000;
/** Pages per activity call: the workflow's history grows by one event pair per call. */
const PAGES_PER_CALL = 20;
/** Typesense's per_page maximum: a page's documents are looked up in slices this big. */
const LOOKUP_SLICE = 250;
/** Ids checked against Postgres at once when looking for documents without an entry. */
const EXTRA_CHECK_SLICE = 5000;
/** The reindex never compares who wrote a document, only what it says. */
const PROVENANCE_FIELDS = new Set(['provenance_workflow_id', 'provenance_run_id']);

export interface ReindexRun {
  workflowId: string;
  runId: string;
}

export interface ReindexPlan {
  /** the collection this run fills */
  collection: string;
  /** the collection the alias pointed to when the run began */
  previous: string | null;
  /** the newest catalog_update id when the copy began: later rows are caught up before and after the switch */
  watermark: string;
  /** collections of earlier runs that nothing pointed to (left by a terminated run), dropped */
  dropped?: string[];
}

/** One activity call's share of the copy; the workflow adds them up. */
export interface CopyProgress {
  /** the last entry id copied (the cursor of the next page) */
  afterId?: string;
  done: boolean;
  total: number;
  unchanged: number;
  missing: { count: number; sample: string[] };
  altered: { count: number; sample: { id: string; fields: string[] }[] };
}

/** The fields (provenance aside) in which an indexed document differs from Postgres. */
export function differingFields(truth: CatalogDocument, indexed: Record<string, unknown>): string[] {
  const t = truth as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(t), ...Object.keys(indexed)]);
  return [...keys].filter((k) => !PROVENANCE_FIELDS.has(k) && JSON.stringify(t[k]) !== JSON.stringify(indexed[k])).sort();
}

const slices = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Ids are `<tenant>.<name>` (no backticks), quoted so dots and dashes are taken literally. */
const idFilter = (ids: readonly string[]) => `id:[${ids.map((id) => `\`${id}\``).join(',')}]`;

/** The documents a collection holds for these ids (POSTed as a multi search: no URL length limit). */
export async function lookupIndexedDocuments(typesense: Typesense, collection: string, ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  if (!ids.length) return found;
  const searches = slices(ids, LOOKUP_SLICE).map((part) => ({ collection, q: '*', query_by: 'name', filter_by: idFilter(part), per_page: LOOKUP_SLICE }));
  const { results } = await typesense.multiSearch.perform<Record<string, unknown>[]>({ searches }, {});
  for (const r of results as unknown as { hits?: { document: Record<string, unknown> }[]; error?: string }[]) {
    if (r.error) throw new Error(`looking up documents in ${collection}: ${r.error}`);
    for (const h of r.hits ?? []) found.set(String(h.document.id), h.document);
  }
  return found;
}

export function createCatalogReindexActivities({ sql, typesense, collection: alias }: CatalogDeps) {
  const indexedDocuments = (collection: string, ids: readonly string[]) => lookupIndexedDocuments(typesense, collection, ids);

  /** Upserts documents and checks every per-document result. */
  async function importDocuments(collection: string, docs: CatalogDocument[]): Promise<void> {
    if (!docs.length) return;
    const results = await typesense.collections<CatalogDocument>(collection).documents().import(docs, { action: 'upsert', throwOnFail: false });
    const failed = results.flatMap((r, i) => (r.success ? [] : [{ id: docs[i]?.id, error: r.error, code: r.code }]));
    if (!failed.length) return;
    const message = `${failed.length} of ${docs.length} documents were refused by ${collection}: ${failed
      .slice(0, 5)
      .map((f) => `${f.id}: ${f.error}`)
      .join('; ')}`;
    // a refused document (wrong type, bad schema) is refused again on a retry
    if (failed.every((f) => f.code !== undefined && f.code >= 400 && f.code < 500)) {
      throw ApplicationFailure.nonRetryable(message, 'CATALOG_DOCUMENT_REFUSED');
    }
    throw new Error(message);
  }

  /**
   * The entries among `ids` that another lifecycle changed since the watermark (a publish or
   * rollup that committed to Postgres and may not have written the old collection yet): a
   * difference there is not tampering, and the catch-up writes them again anyway.
   */
  async function changedSince(run: ReindexRun, watermark: string | undefined, ids: readonly string[]): Promise<Set<string>> {
    if (watermark === undefined || !ids.length) return new Set();
    const rows = await sql<{ definition_id: string }[]>`
      select distinct definition_id from catalog_update
      where id > ${watermark}::bigint and definition_id = any(${ids as string[]}::text[])
        and not (workflow_id = ${run.workflowId} and run_id = ${run.runId})`;
    return new Set(rows.map((r) => r.definition_id));
  }

  /** Writes a reindex provenance row per repaired entry, one insert per distinct reason. */
  async function recordRepairs(run: ReindexRun, missing: string[], altered: Map<string, string[]>): Promise<void> {
    await recordCatalogUpdate(sql, { definitionIds: missing, lifecycle: 'reindex', ...run, reason: 'reindex: missing' });
    const byReason = new Map<string, string[]>();
    for (const [id, fields] of altered) {
      const reason = `reindex: altered (${fields.join(', ')})`;
      byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
    }
    for (const [reason, ids] of byReason) await recordCatalogUpdate(sql, { definitionIds: ids, lifecycle: 'reindex', ...run, reason });
  }

  /** This alias's reindex collections that no alias points to, except `keep`; dropped. */
  async function dropStrayCollections(keep: string): Promise<string[]> {
    // aliases are `[a-z][a-z0-9_]*` (platform/config.ts): nothing to escape
    const own = new RegExp(`^${alias}_(r[0-9a-f]{32}|v[0-9]+)$`);
    const inUse = new Set((await typesense.aliases().retrieve()).aliases.map((a) => a.collection_name));
    const strays = (await typesense.collections().retrieve())
      .map((c) => c.name)
      .filter((name) => own.test(name) && name !== keep && !inUse.has(name))
      .sort();
    for (const name of strays) await dropCollection(typesense, name);
    return strays;
  }

  return {
    /**
     * Creates this run's collection (named after the run, so a retry finds it again) and
     * notes which collection the alias points to and the newest catalog_update id.
     *
     * First it drops what earlier runs left behind: a terminated run skips its cleanup and
     * leaves a full copy of the catalog in Typesense's memory. No other run can be filling
     * one: the reindex of an alias has one workflow id, started with the conflict policy
     * FAIL, so this run is the only one open. Only this alias's own names
     * (`<alias>_r<32 hex>`, `<alias>_v<n>`) are candidates, and never one an alias points to.
     */
    async beginCatalogReindex(run: ReindexRun): Promise<ReindexPlan> {
      const collection = `${alias}_r${run.runId.replace(/-/g, '')}`;
      const previous = (await aliasTarget(typesense, alias)) ?? null;
      if (previous === collection) {
        throw ApplicationFailure.nonRetryable(`the alias ${alias} already points to ${collection}: this run switched it before`, 'REINDEX_ALREADY_SWITCHED');
      }
      const dropped = await dropStrayCollections(collection);
      if (dropped.length) log.info('dropped collections of earlier catalog reindex runs', { alias, dropped });
      const [w] = await sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from catalog_update`;
      await createCatalogCollection(typesense, collection);
      return { collection, previous, watermark: w!.id, dropped };
    },

    /**
     * Copies up to PAGES_PER_CALL pages of the catalog, in id order after `afterId`, from
     * Postgres into the new collection, comparing each entry with the previous collection.
     * Heartbeats carry the progress, so a retry resumes after the last finished page.
     */
    async copyCatalogPages(
      input: ReindexRun & { collection: string; previous: string | null; watermark?: string; afterId?: string; pageSize?: number },
    ): Promise<CopyProgress> {
      const run = { workflowId: input.workflowId, runId: input.runId };
      const pageSize = input.pageSize ?? PAGE_SIZE;
      const p: CopyProgress = (activityInfo().heartbeatDetails as CopyProgress | undefined) ?? {
        ...(input.afterId ? { afterId: input.afterId } : {}),
        done: false,
        total: 0,
        unchanged: 0,
        missing: { count: 0, sample: [] },
        altered: { count: 0, sample: [] },
      };
      for (let page = 0; page < PAGES_PER_CALL && !p.done; page++) {
        const docs = await loadCatalogDocuments(sql, { ...(p.afterId ? { afterId: p.afterId } : {}), limit: pageSize });
        const indexed = input.previous ? await indexedDocuments(input.previous, docs.map((d) => d.id)) : new Map<string, Record<string, unknown>>();
        const differing = new Map<string, string[] | 'missing'>();
        for (const d of docs) {
          const current = indexed.get(d.id);
          const fields = current ? differingFields(d, current) : 'missing';
          if (fields.length) differing.set(d.id, fields);
        }
        // asked after both reads: a lifecycle writes its catalog_update row before its document
        const changing = await changedSince(run, input.watermark, [...differing.keys()]);
        const missing: string[] = [];
        const altered = new Map<string, string[]>();
        for (const [id, fields] of differing) {
          if (changing.has(id)) continue;
          if (fields === 'missing') missing.push(id);
          else altered.set(id, fields);
        }
        const repaired = new Set([...missing, ...altered.keys()]);
        // a repaired document names this run as its provenance (as the rows written below
        // say); any other keeps the lifecycle that last changed it
        await importDocuments(
          input.collection,
          docs.map((d) => (repaired.has(d.id) ? { ...d, provenance_workflow_id: run.workflowId, provenance_run_id: run.runId } : d)),
        );
        // only once the page is in the new collection (a retry of the page writes them again:
        // the rows are keyed by entry and run)
        await recordRepairs(run, missing, altered);
        p.total += docs.length;
        p.unchanged += docs.length - differing.size;
        p.missing.count += missing.length;
        p.missing.sample.push(...missing.slice(0, REINDEX_SAMPLE_SIZE - p.missing.sample.length));
        p.altered.count += altered.size;
        const alteredSample = [...altered].slice(0, REINDEX_SAMPLE_SIZE - p.altered.sample.length).map(([id, fields]) => ({ id, fields }));
        p.altered.sample.push(...alteredSample);
        if (docs.length) p.afterId = docs[docs.length - 1]!.id;
        if (docs.length < pageSize) p.done = true;
        heartbeat(p);
      }
      return p;
    },

    /** Documents of the previous collection that no catalog entry produces (stale or planted). */
    async findExtraCatalogDocuments(input: { previous: string }): Promise<{ count: number; sample: string[] }> {
      const exported = await typesense.collections(input.previous).documents().export({ include_fields: 'id' });
      const ids = exported
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => String((JSON.parse(line) as { id: string }).id));
      const extra: string[] = [];
      for (const part of slices(ids, EXTRA_CHECK_SLICE)) {
        const rows = await sql<{ id: string }[]>`
          select id from workflow_definition where latest_version is not null and id = any(${part}::text[])`;
        const known = new Set(rows.map((r) => r.id));
        extra.push(...part.filter((id) => !known.has(id)));
        heartbeat(extra.length);
      }
      extra.sort();
      return { count: extra.length, sample: extra.slice(0, REINDEX_SAMPLE_SIZE) };
    },

    /** Points the catalog alias at the new collection; searches and lifecycle writes follow at once. */
    /**
     * Switches under the catalog write lock: a publish or rollup that imported into the
     * previous collection has committed its catalog_update row before the switch, so the
     * catch-up after it sees the row.
     */
    async switchCatalogAlias(input: { collection: string }): Promise<void> {
      await sql.begin(async (tx) => {
        await lockCatalogWrites(tx as unknown as Sql);
        await switchAlias(typesense, alias, input.collection);
      });
    },

    /**
     * Entries that other lifecycles changed while the copy ran (catalog_update rows after
     * the watermark) may have been written to the previous collection only: they are read
     * from Postgres again and written to the new one. Repeated until no newer row appears,
     * so a write that raced with a pass is taken up by the next.
     */
    async catchUpCatalog(input: ReindexRun & { collection: string; watermark: string }): Promise<{ caughtUp: number }> {
      const caughtUp = new Set<string>();
      let watermark = input.watermark;
      for (let pass = 0; pass < 5; pass++) {
        const rows = await sql<{ definition_id: string; last: string }[]>`
          select definition_id, max(id)::text as last from catalog_update
          where id > ${watermark}::bigint and not (workflow_id = ${input.workflowId} and run_id = ${input.runId})
          group by definition_id order by definition_id`;
        if (!rows.length) break;
        for (const part of slices(rows.map((r) => r.definition_id), PAGE_SIZE)) {
          const docs = await loadCatalogDocuments(sql, { ids: part });
          await importDocuments(input.collection, docs);
          const loaded = new Set(docs.map((d) => d.id));
          for (const id of part.filter((x) => !loaded.has(x))) {
            await typesense
              .collections(input.collection)
              .documents(id)
              .delete()
              .catch((e: unknown) => {
                if ((e as { httpStatus?: number }).httpStatus !== 404) throw e;
              });
          }
          heartbeat(caughtUp.size);
        }
        for (const r of rows) caughtUp.add(r.definition_id);
        watermark = rows.reduce((max, r) => (BigInt(r.last) > BigInt(max) ? r.last : max), watermark);
      }
      return { caughtUp: caughtUp.size };
    },

    /**
     * Drops a collection, unless the alias points to it (then it is in use and stays). With
     * `unswitched`, the collection is that run's own, given up before the switch: the
     * repairs the run recorded never reached live search, so its provenance rows go too.
     */
    async dropCatalogCollection(input: { collection: string; unswitched?: ReindexRun }): Promise<{ dropped: boolean }> {
      if ((await aliasTarget(typesense, alias)) === input.collection) return { dropped: false };
      await dropCollection(typesense, input.collection);
      if (input.unswitched) {
        await sql`
          delete from catalog_update
          where lifecycle = 'reindex' and workflow_id = ${input.unswitched.workflowId} and run_id = ${input.unswitched.runId}`;
      }
      return { dropped: true };
    },
  };
}
