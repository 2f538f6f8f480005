import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { LifecycleContract } from '../workflows/contracts/lifecycle.ts';
import { SA, temporalWorkflowUrl } from '../platform/temporal.ts';
import type { ApiDeps } from './env.ts';

/**
 * The one way the API starts a lifecycle: the contract (workflows/contracts/) says the
 * workflow type, id, id policies, search attributes and memo; this adds the task queue and
 * the namespace's Web UI link. Temporal errors are left to the caller (e.g. a `fail`
 * contract's WorkflowExecutionAlreadyStartedError).
 */
export function lifecycleStarter({ temporal, config }: Pick<ApiDeps, 'temporal' | 'config'>) {
  const link = (workflowId: string, runId: string | undefined) => temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, workflowId, runId);
  async function start<I, R>(contract: LifecycleContract<I, R>, input: I, opts: { key?: string } = {}) {
    const workflowId = contract.workflowId(input, opts.key);
    const sa = contract.searchAttributes(input);
    const handle: WorkflowHandleWithFirstExecutionRunId<(i: I) => Promise<R>> = await temporal.workflow.start<(i: I) => Promise<R>>(contract.workflowType, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
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
    return { handle, workflowId, runId: handle.firstExecutionRunId, temporalUrl: link(workflowId, handle.firstExecutionRunId) };
  }
  return { start, link };
}
