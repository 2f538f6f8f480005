import type { ErrorDetail } from '../../../domain/errors.ts';
import { currentToken } from './session.ts';

/** The API's one error shape (`{ code, message, requestId, details? }`), thrown by `apiFetch`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  details?: unknown;
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** send the bearer token (default true) */
  auth?: boolean;
  signal?: AbortSignal;
}

/** JSON over HTTP with the session's bearer token; any non-2xx answer becomes an ApiError. */
export async function apiFetch<T>(path: string, req: ApiRequest = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = req.auth === false ? null : currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;

  let res: Response;
  try {
    res = await fetch(path, {
      method: req.method ?? 'GET',
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: req.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', 'The Maestro API cannot be reached. Check that the server is running.');
  }

  return readApiResponse<T>(res);
}

/** The body of a 2xx answer, or the API's error as an ApiError (also for responses fetched elsewhere). */
export async function readApiResponse<T>(res: Response): Promise<T> {
  if (res.ok) {
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }
  throw await toApiError(res);
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // not JSON (a proxy's error page, say): fall back to the status line
  }
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return new ApiError(
    res.status,
    text(body.code) ?? `HTTP_${res.status}`,
    text(body.message) ?? (res.statusText || `Request failed with status ${res.status}`),
    text(body.requestId) ?? res.headers.get('x-request-id') ?? undefined,
    Array.isArray(body.details) ? (body.details as ErrorDetail[]) : undefined,
  );
}
