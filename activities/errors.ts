import { ApplicationFailure } from '@temporalio/activity';
import { DomainError, failureTypeFor } from '../domain/errors.ts';
import { inputFailureOf } from '../platform/input-failures.ts';

const asApplicationFailure = (e: DomainError) =>
  ApplicationFailure.create({ type: failureTypeFor(e), message: e.message, nonRetryable: true, details: e.details ? [e.details] : [] });

/**
 * Domain errors cross the workflow boundary as non-retryable ApplicationFailures whose
 * type is `<kind>:<code>`; anything else stays retryable (a database blip, a restart).
 */
export async function asFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError) throw asApplicationFailure(e);
    throw e;
  }
}

/** An activity's error as it should leave the activity: input failures non-retryable. */
export function classifiedFailure(e: unknown): unknown {
  if (e instanceof ApplicationFailure) return e;
  const failure = inputFailureOf(e);
  return failure ? asApplicationFailure(failure) : e;
}
