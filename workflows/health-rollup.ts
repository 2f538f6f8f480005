import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { HEALTH_WINDOW_DAYS } from '../domain/catalog.ts';
import type { HealthRollupInput, HealthRollupResult } from './contracts/health-rollup.ts';

// One long activity that works through the candidates in batches and heartbeats its
// progress: a retry resumes after the last finished batch, and the history holds only the
// counters, however many definitions changed.
const { rollUpHealth } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Health rollup: aggregates run outcomes of the last `windowDays` into health snapshots
 * and the catalog's search documents, each change recorded with this workflow's id and
 * run id (provenance). Started every few minutes by a Temporal Schedule, or on demand.
 */
export async function healthRollupWorkflow(input: HealthRollupInput = {}): Promise<HealthRollupResult> {
  const windowDays = input.windowDays ?? HEALTH_WINDOW_DAYS;
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 365) {
    throw ApplicationFailure.create({ type: 'input:WINDOW_DAYS_INVALID', message: 'windowDays must be a whole number of days from 1 to 365', nonRetryable: true });
  }
  // The window ends at the workflow's own clock, fixed in history: every attempt of the
  // activity computes the same window, so its writes are idempotent.
  const windowEnd = new Date(Date.now()).toISOString();
  const { workflowId, runId } = workflowInfo();
  return rollUpHealth({ windowDays, windowEnd, workflowId, runId });
}
