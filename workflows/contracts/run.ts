import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { runActor, type ApproveStepArgs, type CancelRunArgs, type RunCancellation, type RunInput, type RunState, type StepDecision } from '../../domain/run.ts';
import { workflowIds } from '../../domain/ids.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the run engine, shared by the workflow and the API. */
export const RUN_WORKFLOW_TYPE = 'runWorkflow';

export const runStateQuery = defineQuery<RunState>('runState');
export const approveStepUpdate = defineUpdate<StepDecision, [ApproveStepArgs]>('approveStep');
export const cancelRunUpdate = defineUpdate<RunCancellation, [CancelRunArgs]>('cancel');

export { RUN_CODES } from '../../domain/run.ts';

/**
 * A run: one per run id. A repeated Idempotency-Key joins the running run and never starts a
 * finished one again.
 */
export const runLifecycle = defineLifecycle<RunInput, RunState>({
  lifecycle: 'run',
  workflowType: RUN_WORKFLOW_TYPE,
  workflowId: (i) => workflowIds.run(i.definitionId, i.runId),
  searchAttributes: (i) => ({ tenantId: i.tenantId, templateId: i.definitionId }),
  onRunning: 'join',
  afterClosed: 'reject',
  memo: (i) => ({ definitionId: i.definitionId, version: i.version, startedBy: runActor(i.startedBy) }),
  updates: { approveStep: approveStepUpdate, cancel: cancelRunUpdate } as never,
  queries: { runState: runStateQuery } as never,
});
