import { expect } from 'vitest';
import { ApiError } from '../../platform/api-client.ts';

/** Asserts that an API client call failed with this HTTP status and error code. */
export async function expectApiError(p: Promise<unknown>, status: number, code: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect({ status: (err as ApiError).status, code: (err as ApiError).code }).toEqual({ status, code });
}
