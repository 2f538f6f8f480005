import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { splitDefinitionId } from '../../domain/ids.ts';
import { reviewWorkflowIds, type DecideArgs, type ReviewInput, type ReviewKindState, type ReviewResult } from '../../domain/review.ts';
import type { ReviewDecisionRecord } from '../../domain/trust.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the marketplace review, shared by the workflows, the activities and the API. */
export const REVIEW_WORKFLOW_TYPE = 'reviewWorkflow';
export const REVIEW_KIND_WORKFLOW_TYPE = 'reviewKindWorkflow';

/** A reviewer's decision on one kind (child workflow `…/<kind>`); validator codes: domain/trust.ts REVIEW_CODES. */
export const decideReviewUpdate = defineUpdate<ReviewDecisionRecord, [DecideArgs]>('decide');
export const reviewKindStateQuery = defineQuery<ReviewKindState>('state');
export const reviewStateQuery = defineQuery<{ status: string; reviews: ReviewKindState[] }>('state');

/**
 * One review per version and attempt (`review/<def>@<version>/<n>`): a second start of the
 * same attempt joins it, a closed attempt never runs again (a re-request is attempt n+1).
 * Findable by the publishing tenant and the template.
 */
export const reviewLifecycle = defineLifecycle<ReviewInput, ReviewResult>({
  lifecycle: 'review',
  workflowType: REVIEW_WORKFLOW_TYPE,
  workflowId: (i) => reviewWorkflowIds.request(i.definitionId, i.version, i.attempt),
  searchAttributes: (i) => ({ ...(splitDefinitionId(i.definitionId) ? { tenantId: splitDefinitionId(i.definitionId)!.tenant } : {}), templateId: i.definitionId }),
  onRunning: 'join',
  afterClosed: 'reject',
  memo: (i) => ({ definitionId: i.definitionId, version: i.version, requestedVisibility: i.requestedVisibility, attempt: i.attempt }),
  queries: { state: reviewStateQuery } as never,
});
