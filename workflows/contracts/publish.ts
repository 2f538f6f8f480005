import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApproveArgs, PublishState, ApprovalRecord } from '../../domain/publish.ts';

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
