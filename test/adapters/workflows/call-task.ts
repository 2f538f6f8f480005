import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AdapterActivity } from '../../../domain/adapter-io.ts';

/**
 * A one-step stand-in for the run engine: calls the activity named by a task ref on the
 * adapter's task queue with an AdapterInput whose idempotency key is `<workflow id>/<step>`.
 */
export async function callTaskWorkflow(args: { taskRef: string; taskQueue: string; tenantId: string; stepId: string; inputs: Record<string, unknown> }): Promise<unknown> {
  const acts = proxyActivities<Record<string, AdapterActivity>>({
    taskQueue: args.taskQueue,
    startToCloseTimeout: '20 seconds',
    retry: { initialInterval: '100 ms', backoffCoefficient: 1, maximumAttempts: 4 },
  });
  const { workflowId, runId } = workflowInfo();
  return acts[args.taskRef]!({
    inputs: args.inputs,
    context: { tenantId: args.tenantId, workflowId, runId, stepId: args.stepId, idempotencyKey: `${workflowId}/${args.stepId}` },
  });
}
