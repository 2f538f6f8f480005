import { ServiceError, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { conflict, DomainError, parseFailureType, type ErrorDetail, type ErrorKind } from '../domain/errors.ts';
import { APPROVAL_CODES, RUN_CODES } from '../workflows/contracts/index.ts';
import { REVIEW_CODES } from '../domain/trust.ts';

const VALIDATOR_KINDS: Record<string, ErrorKind> = {
  [APPROVAL_CODES.selfApproval]: 'not_allowed',
  [APPROVAL_CODES.notReviewer]: 'not_allowed',
  [APPROVAL_CODES.wrongTenant]: 'not_allowed',
  [APPROVAL_CODES.rationaleRequired]: 'input',
  [APPROVAL_CODES.notAwaiting]: 'conflict',
  [APPROVAL_CODES.alreadyDecided]: 'conflict',
  // run engine: approveStep and cancel validators
  [RUN_CODES.notAllowedApprover]: 'not_allowed',
  [RUN_CODES.cancelNotAllowed]: 'not_allowed',
  [RUN_CODES.decisionInvalid]: 'input',
  [RUN_CODES.stepNotAwaiting]: 'conflict',
  [RUN_CODES.runNotRunning]: 'conflict',
  // marketplace review: the decide validator and review.rego's refusals
  [REVIEW_CODES.selfReview]: 'not_allowed',
  [REVIEW_CODES.notEligible]: 'not_allowed',
  [REVIEW_CODES.notOpen]: 'conflict',
  // guardrails: the overridePolicy validator (domain/policy-profiles.ts overrideRefusal) and handler
  SELF_OVERRIDE: 'not_allowed',
  OVERRIDE_NOT_ALLOWED: 'not_allowed',
  HARD_MANDATORY: 'conflict',
  NOT_DENIED: 'conflict',
  NOT_HELD: 'conflict',
  UNKNOWN_RULE: 'input',
  RATIONALE_TOO_LONG: 'input',
};

function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}

/**
 * Turns what a workflow or an Update validator refused into the domain error it stands
 * for; returns undefined for anything that is not a business refusal.
 */
export function domainErrorFromTemporal(err: unknown): DomainError | undefined {
  if (!(err instanceof WorkflowFailedError) && !(err instanceof WorkflowUpdateFailedError)) return undefined;
  const failure = applicationFailureIn(err);
  if (!failure?.type) return undefined;
  const validatorKind = VALIDATOR_KINDS[failure.type];
  if (validatorKind) return new DomainError(validatorKind, failure.type, failure.message);
  const parsed = parseFailureType(failure.type);
  if (!parsed) return undefined;
  const details = (failure.details?.[0] as ErrorDetail[] | undefined) ?? undefined;
  return new DomainError(parsed.kind, parsed.code, failure.message, details);
}

export async function mapTemporalErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw domainErrorFromTemporal(e) ?? e;
  }
}

/**
 * The server drops an Update that arrived in a workflow task that did not complete normally
 * (the workflow closed in that same task, or the task failed): FAILED_PRECONDITION. Sent
 * again, it is either applied or refused because the workflow has closed.
 */
const GRPC_FAILED_PRECONDITION = 9;
const isDroppedUpdate = (e: unknown) => {
  const cause = e instanceof ServiceError ? (e.cause as { code?: number; message?: string } | undefined) : undefined;
  return cause?.code === GRPC_FAILED_PRECONDITION && /workflow task failure/i.test(cause.message ?? '');
};
const DROPPED_UPDATE_RETRIES = 5;

/** An Update on a workflow that has closed (or is gone): a conflict in our terms, with `code`. */
export async function updateOpenWorkflow<T>(fn: () => Promise<T>, code: string, message: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await mapTemporalErrors(fn);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError || /already completed|not found/i.test((e as Error)?.message ?? '')) throw conflict(code, message);
      if (isDroppedUpdate(e) && attempt < DROPPED_UPDATE_RETRIES) {
        await new Promise((r) => setTimeout(r, 50 * attempt));
        continue;
      }
      throw e;
    }
  }
}
