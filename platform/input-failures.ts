import { DomainError } from '../domain/errors.ts';

/**
 * Failures that no retry can cure because they come from the input itself: Postgres data
 * exceptions (class 22: text it cannot store, a value out of range…) and program limits
 * (class 54: too deep, too complex), and a stack overflow in our own code. Without this a
 * workflow would retry such an activity forever, and the API would answer 500.
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

