import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApproveArgs, PublishState, ApprovalRecord, PublishInput, PublishResult, DraftSummary } from '../../domain/publish.ts';
import type { Actor } from '../../domain/actor.ts';
import { workflowIds } from '../../domain/ids.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the publish lifecycle, shared by the workflow and the API. */
export const PUBLISH_WORKFLOW_TYPE = 'publishWorkflow';
export const DRAFT_WORKFLOW_TYPE = 'createDraftWorkflow';
export const REGISTER_ADAPTER_WORKFLOW_TYPE = 'registerAdapterWorkflow';
export const ADAPTER_STATUS_WORKFLOW_TYPE = 'setAdapterStatusWorkflow';

export const approveUpdate = defineUpdate<ApprovalRecord, [ApproveArgs]>('approve');
export const rejectUpdate = defineUpdate<ApprovalRecord, [ApproveArgs]>('reject');
export const publishStateQuery = defineQuery<PublishState>('state');

/** Validator rejection codes, stable across the API (the validator's message starts with one). */
export const APPROVAL_CODES = {
  selfApproval: 'SELF_APPROVAL',
  rationaleRequired: 'RATIONALE_REQUIRED',
  notReviewer: 'NOT_A_REVIEWER',
  wrongTenant: 'WRONG_TENANT',
  notAwaiting: 'NOT_AWAITING_APPROVAL',
  alreadyDecided: 'ALREADY_DECIDED',
} as const;

/** Request Publish: one lifecycle per version; a retried request joins it, a finished one may run again. */
export const publishLifecycle = defineLifecycle<PublishInput, PublishResult>({
  lifecycle: 'publish',
  workflowType: PUBLISH_WORKFLOW_TYPE,
  workflowId: (i) => workflowIds.publish(i.definitionId, i.version),
  searchAttributes: (i) => ({ tenantId: i.requestedBy.tenant, templateId: i.definitionId }),
  onRunning: 'join',
  afterClosed: 'allow',
  updates: { approve: approveUpdate, reject: rejectUpdate } as never,
  queries: { state: publishStateQuery } as never,
});

/** A draft: validated and stored by a short lifecycle (its history is the draft's provenance). */
export const draftLifecycle = defineLifecycle<{ spec: { metadata: { name: string; version: string } }; actor: Actor; definitionId: string }, DraftSummary>({
  lifecycle: 'draft',
  workflowType: DRAFT_WORKFLOW_TYPE,
  workflowId: (i) => workflowIds.draft(i.definitionId, i.spec.metadata.version),
  searchAttributes: (i) => ({ tenantId: i.actor.tenant, templateId: i.definitionId }),
  onRunning: 'join',
  afterClosed: 'allow',
});
