import { ApplicationFailure } from '@temporalio/activity';
import { DomainError, failureTypeFor } from '../domain/errors.ts';

/**
 * Domain errors cross the workflow boundary as non-retryable ApplicationFailures whose
 * type is `<kind>:<code>`; anything else stays retryable (a database blip, a restart).
 */
export async function asFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError) {
      throw ApplicationFailure.create({
        type: failureTypeFor(e),
        message: e.message,
        nonRetryable: true,
        details: e.details ? [e.details] : [],
      });
    }
    throw e;
  }
}
