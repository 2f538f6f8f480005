import { ApplicationFailure, asyncLocalStorage } from '@temporalio/activity';
import type { EgressGuard } from '../../platform/egress.ts';
import { ADAPTER_FAILURES } from './failures.ts';

export const USER_AGENT = 'maestro-conductor-adapter/1';
/** responses are recorded in workflow history: keep them well below Temporal's payload limits */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_RETRY_AFTER_MS = 5 * 60_000;

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  url: URL;
}

/** The activity's cancellation (when running as one) combined with a timeout. */
export function requestSignal(timeoutMs: number): AbortSignal {
  const cancellation = asyncLocalStorage.getStore()?.cancellationSignal;
  const timeout = AbortSignal.timeout(timeoutMs);
  return cancellation ? AbortSignal.any([timeout, cancellation]) : timeout;
}

/**
 * One call through the egress guard: the response read (at most MAX_RESPONSE_BYTES),
 * JSON parsed when it says it is JSON (text otherwise, null when empty), and the status
 * checked against `expectStatus` (default: any 2xx).
 */
export async function callHttp(
  guard: EgressGuard,
  req: { url: URL; method: string; headers: Headers; body?: string; timeoutMs: number; tenantId: string; manifestAllow: string[]; expectStatus?: number[] },
): Promise<HttpResult> {
  if (!req.headers.has('user-agent')) req.headers.set('user-agent', USER_AGENT);
  const { response, url } = await guard.fetch(
    req.url,
    { method: req.method, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}), signal: requestSignal(req.timeoutMs) },
    { tenantId: req.tenantId, manifestAllow: req.manifestAllow },
  );
  const text = await readLimited(response, MAX_RESPONSE_BYTES);
  const headers = Object.fromEntries(response.headers.entries());
  const failure = statusFailure(req.method, url, response, text, req.expectStatus);
  if (failure) throw failure;
  return { status: response.status, headers, body: parseBody(text, response.headers.get('content-type')), url };
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  if (contentType && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw tooLarge(limit);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const tooLarge = (limit: number) =>
  ApplicationFailure.nonRetryable(`the response is larger than ${limit} bytes (responses are recorded in workflow history)`, ADAPTER_FAILURES.httpResponseTooLarge);

/** Status classes: 5xx, 408 and 429 are worth retrying; other 4xx never are. */
export function statusFailure(method: string, url: URL, response: Response, text: string, expectStatus?: number[]): ApplicationFailure | undefined {
  const status = response.status;
  const ok = expectStatus?.length ? expectStatus.includes(status) : status >= 200 && status < 300;
  if (ok) return undefined;
  const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  const message = `${method} ${url.host}${url.pathname} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
  const details = [{ status }];
  if (status >= 500 || status === 408 || status === 429) {
    const type = status === 408 ? ADAPTER_FAILURES.httpTimeout : status === 429 ? ADAPTER_FAILURES.httpThrottled : ADAPTER_FAILURES.httpServerError;
    const delay = retryAfterMs(response.headers.get('retry-after'));
    return ApplicationFailure.create({ message, type, nonRetryable: false, details, ...(delay !== undefined ? { nextRetryDelay: delay } : {}) });
  }
  if (status >= 400) return ApplicationFailure.create({ message, type: ADAPTER_FAILURES.httpClientError, nonRetryable: true, details });
  return ApplicationFailure.create({
    message: `${message} (expected ${expectStatus?.length ? expectStatus.join(', ') : '2xx'})`,
    type: ADAPTER_FAILURES.httpUnexpectedStatus,
    nonRetryable: true,
    details,
  });
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}
