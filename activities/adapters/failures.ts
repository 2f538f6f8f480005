import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { DomainError } from '../../domain/errors.ts';

/**
 * Failure types of the adapter activities (the ApplicationFailure `type`, matched by the
 * manifests' `retry.nonRetryableErrorTypes`). Unlike the core lifecycles' `<kind>:<code>`,
 * adapter failures carry the bare code, because manifests written by partners name them.
 */
export const ADAPTER_FAILURES = {
  /** the host is not allowed by the manifest or the tenant (before any connection) */
  egressDenied: 'EGRESS_DENIED',
  /** 4xx other than 408 and 429: the request itself is wrong, a retry cannot help */
  httpClientError: 'HTTP_CLIENT_ERROR',
  /** 5xx: retryable */
  httpServerError: 'HTTP_SERVER_ERROR',
  /** 408, or no response within timeoutMs: retryable */
  httpTimeout: 'HTTP_TIMEOUT',
  /** 429: retryable, after Retry-After when the endpoint sends one */
  httpThrottled: 'HTTP_THROTTLED',
  /** connection refused, reset, DNS failure…: retryable */
  httpNetworkError: 'HTTP_NETWORK_ERROR',
  /** a status outside expectStatus that is not an error class above (1xx/2xx/3xx): not retried */
  httpUnexpectedStatus: 'HTTP_UNEXPECTED_STATUS',
  httpResponseTooLarge: 'HTTP_RESPONSE_TOO_LARGE',
  secretNotFound: 'SECRET_NOT_FOUND',
  /** a reference to another tenant's secret */
  secretForbidden: 'SECRET_FORBIDDEN',
  transformInvalid: 'TRANSFORM_EXPRESSION_INVALID',
  transformFailed: 'TRANSFORM_FAILED',
} as const;

const RETRYABLE_NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

/**
 * Turns anything an adapter throws into the ApplicationFailure recorded in history, with
 * every resolved secret value scrubbed from its message. Domain errors (invalid input,
 * egress denied, secret not found or forbidden) are not retryable; network trouble is.
 */
export function toAdapterFailure(e: unknown, redact: (text: string) => string): Error {
  if (e instanceof CancelledFailure) return e;
  if (e instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: redact(e.message),
      type: e.type ?? undefined,
      nonRetryable: e.nonRetryable ?? false,
      details: (e.details ?? []) as unknown[],
      ...(e.nextRetryDelay ? { nextRetryDelay: e.nextRetryDelay } : {}),
    });
  }
  if (e instanceof DomainError) {
    return ApplicationFailure.create({
      message: redact(e.message),
      type: e.code,
      nonRetryable: true,
      details: e.details?.length ? [e.details.map((d) => ({ ...d, message: redact(d.message) }))] : [],
    });
  }
  if (e instanceof DOMException && e.name === 'TimeoutError') {
    return ApplicationFailure.retryable(`no response within the timeout: ${redact(e.message)}`, ADAPTER_FAILURES.httpTimeout);
  }
  if (e instanceof TypeError && e.message === 'fetch failed') {
    const cause = e.cause as { code?: string; message?: string } | undefined;
    const code = cause?.code ?? 'unknown';
    return ApplicationFailure.create({
      message: redact(`network error: ${cause?.message ?? e.message}`),
      type: ADAPTER_FAILURES.httpNetworkError,
      // anything but a transient transport error (e.g. an invalid header value) will not heal
      nonRetryable: !RETRYABLE_NETWORK_CODES.test(code) && cause?.message !== 'other side closed',
      details: [{ code }],
    });
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return ApplicationFailure.retryable(redact(err.message), err.name || 'Error');
}
