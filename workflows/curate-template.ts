import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { CurateTemplateInput, CurateTemplateResult } from '../domain/templates.ts';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * Curate lifecycle: a platform curator sets a partner-curated template's audience. The list
 * and the change's receipt are written in one transaction (re-checked there: curator,
 * profile, tenants); then the entry's search document is rebuilt from Postgres with this
 * run as its provenance, so the tenants added find it and the tenants removed no longer do.
 */
export async function curateTemplateWorkflow(input: CurateTemplateInput): Promise<CurateTemplateResult> {
  let change;
  try {
    change = await acts.applyTemplateAudience({ templateId: input.templateId, tenants: input.tenants, actor: input.actor });
  } catch (err) {
    // a business refusal (non-retryable, typed `<kind>:<code>`): nothing was written
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure && cause.nonRetryable && cause.type?.includes(':')) {
      return { status: 'refused', templateId: input.templateId, error: { code: cause.type.slice(cause.type.indexOf(':') + 1), message: cause.message } };
    }
    throw err;
  }
  const { workflowId, runId } = workflowInfo();
  // every tenant that sees the entry reads this reason: it names no tenant
  await acts.indexCatalogChange({ definitionId: input.templateId, workflowId, runId, lifecycle: 'curate', reason: 'curated list changed' });
  return { status: 'applied', templateId: input.templateId, ...change };
}
