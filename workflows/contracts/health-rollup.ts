import { defineLifecycle } from './lifecycle.ts';

/** The contract of the health rollup lifecycle, shared by the workflow, the worker's schedule and the API. */
export const HEALTH_ROLLUP_WORKFLOW_TYPE = 'healthRollupWorkflow';

/** The Temporal Schedule that starts a rollup every HEALTH_ROLLUP_INTERVAL (its runs are `<id>-<time>`). */
export const HEALTH_ROLLUP_SCHEDULE_ID = 'catalog-health-rollup';

/**
 * The workflow id of a rollup an operator asked for. Each request starts its own: rollups
 * may overlap safely (every write is keyed by entry and window end), and a fixed id would
 * make a new request wait on a stuck one.
 */
export const healthRollupManualWorkflowId = (requestId: string) => `${HEALTH_ROLLUP_SCHEDULE_ID}/manual-${requestId}`;

export interface HealthRollupInput {
  /** default: HEALTH_WINDOW_DAYS */
  windowDays?: number;
}

/** Counters only: the per-definition figures are in Postgres, not in the history. */
export interface HealthRollupResult {
  windowDays: number;
  windowStart: string;
  windowEnd: string;
  /** definitions whose figures could have changed since the previous completed rollup */
  considered: number;
  /** of those, the ones whose figures did change (a snapshot, a catalog update, a new search document) */
  changed: number;
  batches: number;
}

/** A rollup an operator asked for (the schedule starts the others); `key` is the request id. */
export const healthRollupLifecycle = defineLifecycle<HealthRollupInput, HealthRollupResult>({
  lifecycle: 'health-rollup',
  workflowType: HEALTH_ROLLUP_WORKFLOW_TYPE,
  workflowId: (_i, key) => healthRollupManualWorkflowId(key ?? 'unnamed'),
  searchAttributes: () => ({}),
  onRunning: 'fail',
  afterClosed: 'reject',
});
