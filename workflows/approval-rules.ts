import { ApplicationFailure } from '@temporalio/workflow';
import type { ApproveArgs, PublishState } from '../domain/publish.ts';
import { hasRole } from '../domain/actor.ts';
import { APPROVAL_CODES } from './contracts/publish.ts';

const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * Update validator for approve/reject: runs before the decision is written to history,
 * so a refused decision leaves no trace and the caller learns at once.
 */
export function validateDecision(state: PublishState, args: ApproveArgs, ownerTenant: string): void {
  if (state.status !== 'awaiting_approval') {
    throw refuse(APPROVAL_CODES.notAwaiting, `this publish request is ${state.status}, not awaiting approval`);
  }
  if (typeof args?.rationale !== 'string' || !args.rationale.trim()) {
    throw refuse(APPROVAL_CODES.rationaleRequired, 'a rationale is required for every approval decision');
  }
  if (args.approver.sub === state.requestedBy.sub) {
    throw refuse(APPROVAL_CODES.selfApproval, 'you cannot approve or reject your own publish request');
  }
  if (!hasRole(args.approver, 'reviewer', 'publisher', 'platform-admin')) {
    throw refuse(APPROVAL_CODES.notReviewer, 'only a reviewer, publisher or platform admin may decide a publish request');
  }
  if (args.approver.tenant !== ownerTenant && !hasRole(args.approver, 'platform-admin')) {
    throw refuse(APPROVAL_CODES.wrongTenant, `only reviewers of tenant "${ownerTenant}" may decide this publish request`);
  }
  if (state.approvals.some((a) => a.approver.sub === args.approver.sub)) {
    throw refuse(APPROVAL_CODES.alreadyDecided, 'you have already decided this publish request');
  }
}
