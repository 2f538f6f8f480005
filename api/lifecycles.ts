import type { LifecycleContract } from '../workflows/contracts/lifecycle.ts';
import { temporalWorkflowUrl } from '../platform/temporal.ts';
import { startLifecycleWith } from '../platform/lifecycle-start.ts';
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
    const started = await startLifecycleWith(temporal, config.TEMPORAL_TASK_QUEUE, contract, input, opts);
    return { ...started, temporalUrl: link(started.workflowId, started.runId) };
  }
  return { start, link };
}
