import { splitDefinitionId } from '../../domain/ids.ts';
import { curateWorkflowId, type CurateTemplateInput, type CurateTemplateResult } from '../../domain/templates.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the curate lifecycle, shared by the workflow and the API. */
export const CURATE_TEMPLATE_WORKFLOW_TYPE = 'curateTemplateWorkflow';

/**
 * Curate: a platform curator sets a partner-curated template's audience. One lifecycle per
 * request (`key`: a request id); the list it sets is the whole list, so a request repeated
 * after a failure simply sets it again. Findable by the publishing tenant and template.
 */
export const curateTemplateLifecycle = defineLifecycle<CurateTemplateInput, CurateTemplateResult>({
  lifecycle: 'curate',
  workflowType: CURATE_TEMPLATE_WORKFLOW_TYPE,
  workflowId: (i, key) => curateWorkflowId(i.templateId, key ?? 'unnamed'),
  searchAttributes: (i) => ({ ...(splitDefinitionId(i.templateId) ? { tenantId: splitDefinitionId(i.templateId)!.tenant } : {}), templateId: i.templateId }),
  onRunning: 'join',
  afterClosed: 'reject',
  memo: (i) => ({ templateId: i.templateId, curator: i.actor.sub, tenants: i.tenants.length }),
});
