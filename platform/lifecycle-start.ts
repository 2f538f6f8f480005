import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { LifecycleContract } from '../workflows/contracts/lifecycle.ts';
import { SA } from './temporal.ts';

/**
 * Starts a lifecycle from its contract (workflows/contracts/): the workflow type, id, id
 * policies, search attributes and memo are the contract's, the task queue the caller's.
 * The API (api/lifecycles.ts) and activities that start another lifecycle (the publish
 * starting an upgrade campaign) share it. Temporal errors are left to the caller.
 */
export async function startLifecycleWith<I, R>(
  client: Client,
  taskQueue: string,
  contract: LifecycleContract<I, R>,
  input: I,
  opts: { key?: string } = {},
): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId<(i: I) => Promise<R>>; workflowId: string; runId: string }> {
  const workflowId = contract.workflowId(input, opts.key);
  const sa = contract.searchAttributes(input);
  const handle = await client.workflow.start<(i: I) => Promise<R>>(contract.workflowType, {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: contract.onRunning === 'join' ? 'USE_EXISTING' : 'FAIL',
    workflowIdReusePolicy: contract.afterClosed === 'allow' ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
    ...(contract.memo ? { memo: contract.memo(input) } : {}),
    typedSearchAttributes: [
      ...(sa.tenantId ? [{ key: SA.tenantId, value: sa.tenantId }] : []),
      ...(sa.templateId ? [{ key: SA.templateId, value: sa.templateId }] : []),
      { key: SA.lifecycle, value: contract.lifecycle },
    ],
  });
  return { handle, workflowId, runId: handle.firstExecutionRunId };
}
