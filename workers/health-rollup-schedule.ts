import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';
import { SA } from '../platform/temporal.ts';
import { HEALTH_ROLLUP_SCHEDULE_ID, HEALTH_ROLLUP_WORKFLOW_TYPE } from '../workflows/contracts/index.ts';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;
/** `30s`, `5m`, `1h` (HEALTH_ROLLUP_INTERVAL, validated by platform/config.ts) in milliseconds. */
export const intervalMs = (interval: string) => Number(interval.slice(0, -1)) * UNIT_MS[interval.slice(-1) as keyof typeof UNIT_MS];

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'paused' | 'absent';

const NOTE = 'catalog health rollup: started by the core worker (workers/health-rollup-schedule.ts)';

/** A Temporal Schedule that starts one workflow type every `interval` on `taskQueue`. */
export interface IntervalSchedule {
  scheduleId: string;
  workflowType: string;
  taskQueue: string;
  /** `30s`, `5m`, `1h`, or `off` (pauses an existing schedule) */
  interval: string;
  args: unknown[];
  lifecycle: string;
  note: string;
}

/**
 * Makes sure the schedule exists as described; idempotent, so every worker process may call
 * it at start (the first creates it, the others find it and only change it when the
 * interval or task queue differ). Overlap policy SKIP: a run still going when the next is
 * due is not joined by a second. `off` pauses an existing schedule.
 */
export async function ensureIntervalSchedule(client: Client, opts: IntervalSchedule): Promise<ScheduleOutcome> {
  const { scheduleId } = opts;
  const handle = client.schedule.getHandle(scheduleId);
  if (opts.interval === 'off') {
    try {
      const d = await handle.describe();
      if (!d.state.paused) await handle.pause(`${opts.lifecycle}: interval off`);
      return 'paused';
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) return 'absent';
      throw e;
    }
  }

  const every = intervalMs(opts.interval);
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: opts.workflowType,
    taskQueue: opts.taskQueue,
    workflowId: scheduleId, // each run is `<scheduleId>-<time>`
    args: opts.args,
    typedSearchAttributes: [{ key: SA.lifecycle, value: opts.lifecycle }],
  };
  const NOTE = opts.note;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      state: { note: NOTE },
    });
    return 'created';
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }

  const current = await handle.describe();
  const same =
    current.spec.intervals?.length === 1 &&
    current.spec.intervals[0]!.every === every &&
    current.action.taskQueue === opts.taskQueue &&
    current.policies.overlap === ScheduleOverlapPolicy.SKIP &&
    !current.state.paused;
  if (same) return 'unchanged';
  await handle.update((prev) => ({
    spec: { intervals: [{ every }] },
    action,
    policies: { ...prev.policies, overlap: ScheduleOverlapPolicy.SKIP },
    state: { paused: false, note: NOTE },
  }));
  return 'updated';
}

/**
 * Makes sure the Temporal Schedule that starts a health rollup every `interval` exists on
 * `taskQueue` (see ensureIntervalSchedule). Test stacks never call this: tests start
 * rollups directly.
 */
export async function ensureHealthRollupSchedule(
  client: Client,
  opts: { taskQueue: string; interval: string; scheduleId?: string },
): Promise<ScheduleOutcome> {
  return ensureIntervalSchedule(client, {
    scheduleId: opts.scheduleId ?? HEALTH_ROLLUP_SCHEDULE_ID,
    workflowType: HEALTH_ROLLUP_WORKFLOW_TYPE,
    taskQueue: opts.taskQueue,
    interval: opts.interval,
    args: [{}],
    lifecycle: 'health-rollup',
    note: NOTE,
  });
}
