import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { DomainError, type ErrorDetail, type ErrorKind } from '../domain/errors.ts';
import { issuesToDetails } from '../domain/spec.ts';
import type { AppEnv } from './env.ts';

/** The one error shape of the API. */
export const ErrorBody = z
  .object({
    code: z.string().meta({ example: 'VALIDATION_FAILED' }),
    message: z.string(),
    requestId: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

const STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  input: 422,
  not_found: 404,
  not_allowed: 403,
  unauthenticated: 401,
  conflict: 409,
  unavailable: 503,
};

export const statusOf = (kind: ErrorKind) => STATUS[kind];

export function errorResponse(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, message: string, details?: ErrorDetail[]) {
  return c.json({ code, message, requestId: c.get('requestId') ?? '', ...(details?.length ? { details } : {}) }, status);
}

/** zod-openapi's hook: a request that fails its schema is a 422 naming each failing path. */
export function validationHook(result: { success: boolean; target: string; error?: z.ZodError }, c: Context<AppEnv>) {
  if (!result.success && result.error) {
    const prefix = result.target === 'json' ? '' : `/${result.target}`;
    return errorResponse(c, 422, 'VALIDATION_FAILED', 'the request does not match its schema', issuesToDetails(result.error.issues, prefix));
  }
  return undefined;
}

/** The one place where errors become HTTP responses. Internals never leave the process. */
export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof DomainError) return errorResponse(c, statusOf(err.kind), err.code, err.message, err.details);
  if (err instanceof HTTPException) {
    if (err.status === 400 && /JSON/i.test(err.message)) {
      return errorResponse(c, 400, 'MALFORMED_JSON', 'the request body is not valid JSON');
    }
    if (err.status === 413) return errorResponse(c, 413, 'PAYLOAD_TOO_LARGE', 'the request body is too large');
    return errorResponse(c, err.status as ContentfulStatusCode, `HTTP_${err.status}`, err.message || 'request failed');
  }
  c.get('log')?.error({ err, requestId: c.get('requestId') }, 'unhandled error');
  return errorResponse(c, 500, 'INTERNAL', 'an unexpected error occurred; quote the requestId when reporting it');
}
