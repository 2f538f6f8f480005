import { Context } from '@temporalio/activity';
import { catalogWriteTarget, type CatalogDocument } from '../platform/typesense.ts';
import { FAILED_RUN_STATUSES, RATED_RUN_STATUSES, failureRate, healthReason } from '../domain/catalog-rules.ts';
import type { HealthRollupResult } from '../workflows/contracts/health-rollup.ts';
import type { Sql } from '../platform/db.ts';
import { loadCatalogDocuments, lockCatalogWrites, recordCatalogUpdate, type CatalogDeps } from './catalog.ts';

const DAY_MS = 86_400_000;
/** Definitions per batch: one figures query, one transaction, one Typesense import, one heartbeat. */
const BATCH = 500;
/**
 * Run rows are written a moment after the time they carry (started_at is the run
 * workflow's clock), so the previous rollup's window end is looked past by this much.
 * Looking at a few definitions twice is cheap: unchanged figures write nothing.
 */
const LOOK_BACK_MS = 15 * 60_000;
/** Health snapshots and health-rollup catalog updates kept per entry (the detail shows as many). */
const KEEP = 10;

export interface RollUpHealthInput {
  windowDays: number;
  /** ISO time, fixed by the workflow: every attempt computes the same window */
  windowEnd: string;
  workflowId: string;
  runId: string;
}

/** Heartbeat details: where a retried attempt resumes. */
interface Progress {
  cursor: string;
  changed: number;
  batches: number;
}

interface Figures {
  definition_id: string;
  run_count: number;
  last_status: string | null;
  last_run_at: Date | null;
  failure_rate: number | null;
  avg_duration_ms: number | null;
}

interface SnapshotRow {
  definition_id: string;
  run_count: number;
  last_status: string | null;
  last_run_at: Date | null;
  failure_rate: string | null;
  avg_duration_ms: number | null;
}

const time = (d: Date | null) => d?.getTime() ?? null;

function unchanged(f: Figures, prev: SnapshotRow | undefined): boolean {
  if (!prev) return f.run_count === 0 && f.last_status === null; // nothing to say about it yet
  return (
    f.run_count === prev.run_count &&
    f.last_status === prev.last_status &&
    time(f.last_run_at) === time(prev.last_run_at) &&
    f.failure_rate === (prev.failure_rate === null ? null : Number(prev.failure_rate)) &&
    f.avg_duration_ms === prev.avg_duration_ms
  );
}

export function createHealthActivities({ sql, typesense, collection }: CatalogDeps) {
  /**
   * Definitions whose figures can differ from their latest snapshot: all with runs when no
   * rollup completed before; otherwise those with runs started or finished since the
   * previous completed rollup's window end, and those with runs that crossed a window edge
   * (left the window, or entered it because the window grew).
   */
  async function candidates(windowStart: Date, windowEnd: Date): Promise<string[]> {
    const [prev] = await sql<{ window_start: Date; window_end: Date }[]>`
      select window_start, window_end from health_rollup where window_end < ${windowEnd} order by window_end desc limit 1`;
    const rows = prev
      ? await sql<{ id: string }[]>`
          select definition_id as id from run where started_at > ${new Date(prev.window_end.getTime() - LOOK_BACK_MS)} and started_at <= ${windowEnd}
          union
          select definition_id from run where finished_at > ${new Date(prev.window_end.getTime() - LOOK_BACK_MS)}
          union
          select definition_id from run
          where started_at >= least(${prev.window_start}::timestamptz, ${windowStart}::timestamptz)
            and started_at < greatest(${prev.window_start}::timestamptz, ${windowStart}::timestamptz)`
      : await sql<{ id: string }[]>`select distinct definition_id as id from run where started_at <= ${windowEnd}`;
    // sorted in JS (code-unit order), so the resume cursor compares the same way
    return rows.map((r) => r.id).sort();
  }

  /**
   * Figures of each definition from runs of every tenant (aggregates only): runs started
   * in the window; the failure rate over those that finished and were not cancelled; the
   * average duration of the completed ones; the newest run's status and time (when it
   * finished, or started while it still runs), also from before the window.
   */
  async function figures(ids: string[], windowStart: Date, windowEnd: Date): Promise<Figures[]> {
    const rows = await sql<{ definition_id: string; run_count: number; failed: number; rated: number; avg_duration_ms: number | null; last_status: string | null; last_run_at: Date | null }[]>`
      select d.id as definition_id, coalesce(w.run_count, 0) as run_count, coalesce(w.failed, 0) as failed,
             coalesce(w.rated, 0) as rated, w.avg_duration_ms, l.status as last_status,
             coalesce(l.finished_at, l.started_at) as last_run_at
      from unnest(${ids}::text[]) as d(id)
      left join lateral (
        select count(*)::int as run_count,
               (count(*) filter (where status = any(${[...FAILED_RUN_STATUSES]}::text[])))::int as failed,
               (count(*) filter (where status = any(${[...RATED_RUN_STATUSES]}::text[])))::int as rated,
               (round(avg(duration_ms) filter (where status = 'completed')))::int as avg_duration_ms
        from run where definition_id = d.id and mode = 'live' and started_at >= ${windowStart} and started_at <= ${windowEnd}) w on true
      left join lateral (
        select status, started_at, finished_at from run
        where definition_id = d.id and mode = 'live' and started_at <= ${windowEnd}
        order by started_at desc, id desc limit 1) l on true`;
    return rows.map((r) => ({
      definition_id: r.definition_id,
      run_count: r.run_count,
      last_status: r.last_status,
      last_run_at: r.last_run_at,
      failure_rate: failureRate(r.failed, r.rated) ?? null,
      avg_duration_ms: r.avg_duration_ms,
    }));
  }

  /**
   * One batch, in one transaction that holds the catalog write lock (rollups and publishes
   * take turns): compare with the previous snapshots, write what changed, load its
   * documents (they see this transaction's rows) and import them, and only then commit.
   * A failed import rolls the rows back, so the retry finds the same change to write;
   * an import cannot land after a newer rollup's, because that one waits for the commit.
   */
  async function rollUpBatch(ids: string[], input: RollUpHealthInput, windowStart: Date, windowEnd: Date): Promise<number> {
    const now = await figures(ids, windowStart, windowEnd);
    return sql.begin(async (tx) => {
      const db = tx as unknown as Sql;
      await lockCatalogWrites(db);
      return writeBatch(db, now, input, windowStart, windowEnd);
    });
  }

  async function writeBatch(tx: Sql, now: Figures[], input: RollUpHealthInput, windowStart: Date, windowEnd: Date): Promise<number> {
    const ids = now.map((f) => f.definition_id);
    const previous = await tx<SnapshotRow[]>`
      select distinct on (definition_id) definition_id, run_count, last_status, last_run_at, failure_rate, avg_duration_ms
      from health_snapshot where definition_id = any(${ids}::text[]) and window_end < ${windowEnd}
      order by definition_id, window_end desc`;
    // a rollup with a later window got here first (rollups can overlap): its figures are newer
    const superseded = new Set(
      (await tx<{ definition_id: string }[]>`
        select distinct definition_id from health_snapshot where definition_id = any(${ids}::text[]) and window_end > ${windowEnd}`).map((r) => r.definition_id),
    );
    const prevById = new Map(previous.map((p) => [p.definition_id, p]));
    const changed = now.filter((f) => !superseded.has(f.definition_id) && !unchanged(f, prevById.get(f.definition_id)));
    if (!changed.length) return 0;

    const byReason = new Map<string, string[]>();
    for (const f of changed) {
      const reason = healthReason({ runCount: f.run_count, windowDays: input.windowDays, ...(f.failure_rate !== null ? { failureRate: f.failure_rate } : {}) });
      byReason.set(reason, [...(byReason.get(reason) ?? []), f.definition_id]);
    }
    const snapshots = changed.map((f) => ({ ...f, last_run_at: f.last_run_at?.toISOString() ?? null }));
    // Each write is keyed — snapshots by (definition, window end), catalog updates by
    // (definition, workflow run) — and the comparison above ignores this window's own
    // snapshots, so a batch retried after its commit finds the same change and writes
    // nothing twice (its documents are imported again).
    await tx`
      insert into health_snapshot (definition_id, tenant_id, window_start, window_end, last_status, run_count, failure_rate,
                                   avg_duration_ms, last_run_at, workflow_id, run_id)
      select d.id, d.tenant_id, ${windowStart}, ${windowEnd}, x.last_status, x.run_count, x.failure_rate, x.avg_duration_ms,
             x.last_run_at, ${input.workflowId}, ${input.runId}
      from jsonb_to_recordset(${tx.json(snapshots as never)}) as x(definition_id text, run_count int, last_status text,
             last_run_at timestamptz, failure_rate numeric, avg_duration_ms int)
      join workflow_definition d on d.id = x.definition_id
      on conflict (definition_id, window_end) do nothing`;
    for (const [reason, definitionIds] of byReason) {
      await recordCatalogUpdate(tx, { definitionIds, lifecycle: 'health-rollup', workflowId: input.workflowId, runId: input.runId, reason });
    }
    const changedIds = changed.map((f) => f.definition_id);
    await keepNewest(tx, changedIds);
    const docs = await loadCatalogDocuments(tx, { ids: changedIds });
    // throws when Typesense refuses any document: the transaction rolls back
    // by the collection's name, not the alias (see catalogWriteTarget)
    if (docs.length) await typesense.collections<CatalogDocument>(await catalogWriteTarget(typesense, collection)).documents().import(docs, { action: 'upsert' });
    return changed.length;
  }

  /**
   * Retention: a rollup every few minutes would add a snapshot and a catalog update per
   * changed entry without end. The newest KEEP of each are enough for the detail, the next
   * comparison and the document's provenance; publish and reindex rows are never trimmed.
   */
  async function keepNewest(tx: Sql, ids: string[]): Promise<void> {
    await tx`
      delete from catalog_update c
      using (
        select id, row_number() over (partition by definition_id order by id desc) as n
        from catalog_update where definition_id = any(${ids}::text[]) and lifecycle = 'health-rollup') old
      where c.id = old.id and old.n > ${KEEP}`;
    await tx`
      delete from health_snapshot h
      using (
        select definition_id, window_end, row_number() over (partition by definition_id order by window_end desc) as n
        from health_snapshot where definition_id = any(${ids}::text[])) old
      where h.definition_id = old.definition_id and h.window_end = old.window_end and old.n > ${KEEP}`;
  }

  return {
    /**
     * The health rollup's one activity: batches of candidate definitions, a heartbeat after
     * each (a retry resumes after the last finished batch), counters as the result. A
     * definition whose figures did not change gets no snapshot, no catalog update and no
     * document write, so its provenance list only shows real changes.
     */
    async rollUpHealth(input: RollUpHealthInput): Promise<HealthRollupResult> {
      const ctx = Context.current();
      const windowEnd = new Date(input.windowEnd);
      const windowStart = new Date(windowEnd.getTime() - input.windowDays * DAY_MS);
      const ids = await candidates(windowStart, windowEnd);
      const resumed = ctx.info.heartbeatDetails as Progress | undefined;
      let { cursor, changed, batches } = resumed ?? { cursor: '', changed: 0, batches: 0 };
      const todo = ids.filter((id) => id > cursor);
      ctx.heartbeat({ cursor, changed, batches } satisfies Progress);
      for (let i = 0; i < todo.length; i += BATCH) {
        const batch = todo.slice(i, i + BATCH);
        changed += await rollUpBatch(batch, input, windowStart, windowEnd);
        batches += 1;
        cursor = batch.at(-1)!;
        ctx.heartbeat({ cursor, changed, batches } satisfies Progress);
      }
      await sql`
        insert into health_rollup (workflow_id, run_id, window_days, window_start, window_end, considered, changed)
        values (${input.workflowId}, ${input.runId}, ${input.windowDays}, ${windowStart}, ${windowEnd}, ${ids.length}, ${changed})
        on conflict (workflow_id, run_id) do nothing`;
      // Only the newest completed rollup is read (where the next one starts looking); a
      // record of the last 90 days is kept for operators, older rows go.
      await sql`delete from health_rollup where window_end < ${windowEnd}::timestamptz - interval '90 days'`;
      return {
        windowDays: input.windowDays,
        windowStart: windowStart.toISOString(),
        windowEnd: windowEnd.toISOString(),
        considered: ids.length,
        changed,
        batches,
      };
    },
  };
}
