import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isGrpcServiceError } from '@temporalio/client';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { DomainError, type ErrorDetail, type ErrorKind } from '../domain/errors.ts';
import { issuesToDetails } from '../domain/spec.ts';
import { inputFailureOf } from '../platform/input-failures.ts';
import type { AppEnv } from './env.ts';

/** The one error shape of the API. */
export const ErrorBody = z
  .object({
    code: z.string().meta({ example: 'VALIDATION_FAILED' }),
    message: z.string(),
    requestId: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().optional().meta({ description: 'the stable code of this detail (e.g. a change rule)' }) })).optional(),
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

/** Node's and postgres.js's codes of a connection that failed or broke; SQLSTATEs of a server going away or full. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  '57P01', '57P02', '57P03', '53300',
]);
/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: the Temporal frontend cannot be reached or did not answer */
const GRPC_OUTAGE = new Set([14, 4]);

/** Whether an error (or one it was caused by) says a dependency — Postgres, Temporal — is out of reach. */
export function isDependencyOutage(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && GRPC_OUTAGE.has(e.code)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  }
  return false;
}

/** The one place where errors become HTTP responses. Internals never leave the process. */
export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof DomainError) return errorResponse(c, statusOf(err.kind), err.code, err.message, err.details);
  // what the edge check missed and Postgres refused is still the input's fault (422), never a 500
  const input = inputFailureOf(err);
  if (input) {
    c.get('log')?.warn({ err, requestId: c.get('requestId') }, 'input refused behind the edge check');
    return errorResponse(c, 422, input.code, 'the input cannot be stored or processed');
  }
  if (isDependencyOutage(err)) {
    c.get('log')?.warn({ err, requestId: c.get('requestId') }, 'a dependency is unavailable');
    c.header('Retry-After', '5');
    return errorResponse(c, 503, 'SERVICE_UNAVAILABLE', 'a service the API depends on is unavailable; try again shortly');
  }
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
