import { CancellationScope, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { REINDEX_SAMPLE_SIZE, type CatalogReindexInput, type CatalogReindexProgress, type CatalogReindexReport } from '../domain/catalog-reindex.ts';
import { reindexProgressQuery } from './contracts/catalog-reindex.ts';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const quick = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry });
// Each call works through many pages and heartbeats its cursor: a retry resumes, and a
// worker that died is noticed within the heartbeat timeout, not after the whole call.
const paged = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry });

/**
 * Catalog reindex: builds a new collection from Postgres (the source of truth) while the
 * old one keeps answering, catches up on changes made during the copy, switches the alias,
 * catches up once more on changes that reached only the old collection meanwhile, and
 * drops the old collection. The activities read and write the data themselves; only
 * cursors, counts and samples pass through this history, so it stays small at 100k entries.
 */
export async function catalogReindexWorkflow(input: CatalogReindexInput): Promise<CatalogReindexReport> {
  // Runs recorded before the catch-up ahead of the switch replay without it.
  return reindexCatalog(input, { catchUpBeforeSwitch: () => patched('reindex-catch-up-before-switch') });
}

/**
 * The workflow's body; `catchUpBeforeSwitch` is asked right before the switch (exported so
 * that the replay test can prove the patch is needed).
 */
export async function reindexCatalog(input: CatalogReindexInput, opts: { catchUpBeforeSwitch: () => boolean }): Promise<CatalogReindexReport> {
  const startedAt = new Date(Date.now()).toISOString();
  const run = { workflowId: workflowInfo().workflowId, runId: workflowInfo().runId };
  const progress: CatalogReindexProgress = { phase: 'preparing', copied: 0, missing: 0, altered: 0 };
  setHandler(reindexProgressQuery, () => progress);

  const plan = await quick.beginCatalogReindex(run);
  progress.collection = plan.collection;
  progress.previousCollection = plan.previous;
  const report: CatalogReindexReport = {
    requestedBy: input.requestedBy,
    ...(input.reason ? { reason: input.reason } : {}),
    previousCollection: plan.previous,
    collection: plan.collection,
    total: 0,
    unchanged: 0,
    missing: { count: 0, sample: [] },
    altered: { count: 0, sample: [] },
    extra: { count: 0, sample: [] },
    caughtUp: 0,
    startedAt,
    finishedAt: startedAt,
  };

  try {
    progress.phase = 'copying';
    let afterId: string | undefined;
    for (let done = false; !done; ) {
      const part = await paged.copyCatalogPages({
        ...run,
        collection: plan.collection,
        previous: plan.previous,
        watermark: plan.watermark,
        ...(afterId ? { afterId } : {}),
      });
      report.total += part.total;
      report.unchanged += part.unchanged;
      report.missing.count += part.missing.count;
      report.missing.sample = [...report.missing.sample, ...part.missing.sample].slice(0, REINDEX_SAMPLE_SIZE);
      report.altered.count += part.altered.count;
      report.altered.sample = [...report.altered.sample, ...part.altered.sample].slice(0, REINDEX_SAMPLE_SIZE);
      Object.assign(progress, { copied: report.total, missing: report.missing.count, altered: report.altered.count });
      afterId = part.afterId;
      done = part.done;
    }
    if (plan.previous) {
      progress.phase = 'checking-extra';
      report.extra = await paged.findExtraCatalogDocuments({ previous: plan.previous });
    }
    if (opts.catchUpBeforeSwitch()) {
      // Entries changed after the copy passed them are stale in the new collection: without
      // this pass, searches would see them stale from the switch until the pass after it
      // (longer, if the worker died in between).
      progress.phase = 'catching-up';
      report.caughtUp = (await paged.catchUpCatalog({ ...run, collection: plan.collection, watermark: plan.watermark })).caughtUp;
    }
    progress.phase = 'switching';
    await quick.switchCatalogAlias({ collection: plan.collection });
  } catch (err) {
    // Before the switch nothing reads the new collection: remove it (never the one in use)
    // and the repairs this run recorded, even when the run is being cancelled.
    await CancellationScope.nonCancellable(() => quick.dropCatalogCollection({ collection: plan.collection, unswitched: run }));
    throw err;
  }

  // Changes written to the old collection until the switch. From the same watermark: a pass
  // that starts where the first ended could miss a row that committed late with a lower id.
  progress.phase = 'catching-up';
  const after = await paged.catchUpCatalog({ ...run, collection: plan.collection, watermark: plan.watermark });
  report.caughtUp = Math.max(report.caughtUp, after.caughtUp);
  if (plan.previous) {
    progress.phase = 'dropping';
    await quick.dropCatalogCollection({ collection: plan.previous });
  }
  progress.phase = 'done';
  report.finishedAt = new Date(Date.now()).toISOString();
  return report;
}
