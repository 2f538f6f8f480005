import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Sql } from './db.ts';
import type { Actor } from '../domain/actor.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { isMarketplace, parseReviewRequestId, reviewWorkflowIds, type MarketplaceVisibility, type ReviewSettings } from '../domain/review.ts';
import { reviewLifecycle } from '../workflows/contracts/review.ts';
import { startLifecycleWith } from './lifecycle-start.ts';

export interface ReviewStart {
  workflowId: string;
  runId?: string;
  started: boolean;
  reason?: string;
}

/**
 * Starts the marketplace review of a published version (the publish lifecycle's activity
 * and the API's re-request share it). The version row is the lock: its `review_workflow_id`
 * names the attempt, claimed by a compare-and-set before the start, so a retried call joins
 * the same attempt and two callers never start two. A pending review is joined; a passed
 * one is not reviewed again; a failed or expired one is re-requested as attempt n+1.
 */
export async function startReview(
  sql: Sql,
  client: Client,
  taskQueue: string,
  settings: ReviewSettings,
  input: { definitionId: string; version: string; requestedBy: Actor; visibility?: MarketplaceVisibility; rerequest?: boolean },
): Promise<ReviewStart> {
  const [v] = await sql<{ status: string; review_state: string; review_workflow_id: string | null; requested_visibility: string | null; visibility: string }[]>`
    select status, review_state, review_workflow_id, requested_visibility, visibility from workflow_version
    where definition_id = ${input.definitionId} and version = ${input.version}`;
  if (!v) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.version} does not exist`);
  if (v.status !== 'published') throw conflict('NOT_PUBLISHED', `${input.definitionId}@${input.version} is not published`);
  const visibility = input.visibility ?? v.requested_visibility;
  if (!isMarketplace(visibility)) {
    return { workflowId: v.review_workflow_id ?? '', started: false, reason: 'the version asks for no marketplace profile' };
  }
  if (v.review_state === 'passed') {
    // a reviewed version keeps its profile: another profile is a new version's review
    return { workflowId: v.review_workflow_id ?? '', started: false, reason: `the version is reviewed (${v.visibility})` };
  }
  let workflowId = v.review_workflow_id ?? '';
  const previous = v.review_workflow_id ? parseReviewRequestId(v.review_workflow_id) : undefined;
  // the attempt that is (or is to be) running; a closed one (failed, expired, passed for another profile) is followed by n+1
  const claimed = v.review_state === 'pending' && previous;
  if (!claimed) {
    // the publish starts the review its completion left pending; only a re-request starts another after a failed or expired one
    if (input.rerequest === false && v.review_state !== 'pending') return { workflowId, started: false, reason: `the review is ${v.review_state}` };
    const attempt = (previous?.attempt ?? 0) + 1;
    workflowId = reviewWorkflowIds.request(input.definitionId, input.version, attempt);
    const updated = await sql`
      update workflow_version set review_state = 'pending', review_workflow_id = ${workflowId}, requested_visibility = ${visibility},
        visibility = 'internal-only'
      where definition_id = ${input.definitionId} and version = ${input.version}
        and review_workflow_id is not distinct from ${v.review_workflow_id} and review_state = ${v.review_state}
      returning 1`;
    // somebody else claimed the next attempt meanwhile: join theirs
    if (!updated.length) return startReview(sql, client, taskQueue, settings, { ...input, rerequest: false });
  }
  const attempt = parseReviewRequestId(workflowId)!.attempt;
  try {
    const { runId } = await startLifecycleWith(client, taskQueue, reviewLifecycle, {
      definitionId: input.definitionId,
      version: input.version,
      requestedVisibility: visibility,
      requestedBy: input.requestedBy,
      attempt,
      ...settings,
    });
    // a claimed attempt was started before (this start joined it, or started it after a crash)
    return { workflowId, runId, started: !claimed, ...(claimed ? { reason: 'the review is in progress' } : {}) };
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    return { workflowId, started: false, reason: 'this review attempt already ran' };
  }
}
