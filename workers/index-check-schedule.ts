import type { Client } from '@temporalio/client';
import { CATALOG_INDEX_CHECK_WORKFLOW_TYPE, catalogIndexCheckScheduleId } from '../workflows/contracts/index.ts';
import { ensureIntervalSchedule, type ScheduleOutcome } from './health-rollup-schedule.ts';

/**
 * The catalog index check of one alias: a Temporal Schedule every `interval`, and one check
 * right away ("on start": a drift left by a crash or a restore is found without waiting for
 * the first interval). Overlap SKIP: a trigger while a check runs starts nothing.
 */
export async function ensureCatalogIndexCheck(
  client: Client,
  opts: { taskQueue: string; alias: string; interval: string },
): Promise<{ schedule: ScheduleOutcome; triggered: boolean }> {
  const scheduleId = catalogIndexCheckScheduleId(opts.alias);
  const schedule = await ensureIntervalSchedule(client, {
    scheduleId,
    workflowType: CATALOG_INDEX_CHECK_WORKFLOW_TYPE,
    taskQueue: opts.taskQueue,
    interval: opts.interval,
    args: [],
    lifecycle: 'catalog-index-check',
    note: `catalog index check of ${opts.alias}: started by the core worker (workers/index-check-schedule.ts)`,
  });
  if (opts.interval === 'off') return { schedule, triggered: false };
  await client.schedule.getHandle(scheduleId).trigger();
  return { schedule, triggered: true };
}
