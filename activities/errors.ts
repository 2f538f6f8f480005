import { ApplicationFailure } from '@temporalio/activity';
import { DomainError, failureTypeFor } from '../domain/errors.ts';

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

/**
 * Failures that no retry can cure because they come from the input itself: Postgres data
 * exceptions (class 22: text it cannot store, a value out of range…) and program limits
 * (class 54: too deep, too complex), and a stack overflow in our own code. Without this a
 * workflow would retry such an activity forever.
 */
export function inputFailureOf(e: unknown): DomainError | undefined {
  if (e instanceof DomainError) return e;
  if (e instanceof RangeError && /call stack|invalid string length|array length/i.test(e.message)) {
    return new DomainError('input', 'INPUT_TOO_COMPLEX', `the input is too large or too deeply nested to process: ${e.message}`);
  }
  const pg = e as { name?: string; code?: unknown; message?: string };
  if (pg?.name === 'PostgresError' && typeof pg.code === 'string' && /^(22|54)/.test(pg.code)) {
    return new DomainError('input', 'INPUT_UNSTORABLE', `the input cannot be stored (${pg.code}): ${pg.message}`);
  }
  return undefined;
}

/** An activity's error as it should leave the activity: input failures non-retryable. */
export function classifiedFailure(e: unknown): unknown {
  if (e instanceof ApplicationFailure) return e;
  const failure = inputFailureOf(e);
  return failure ? asApplicationFailure(failure) : e;
}
