import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApproveStepArgs, CancelRunArgs, RunCancellation, RunState, StepDecision } from '../../domain/run.ts';

/** The message contract of the run engine, shared by the workflow and the API. */
export const RUN_WORKFLOW_TYPE = 'runWorkflow';

export const runStateQuery = defineQuery<RunState>('runState');
export const approveStepUpdate = defineUpdate<StepDecision, [ApproveStepArgs]>('approveStep');
export const cancelRunUpdate = defineUpdate<RunCancellation, [CancelRunArgs]>('cancel');

export { RUN_CODES } from '../../domain/run.ts';
