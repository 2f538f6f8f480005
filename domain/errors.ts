/**
 * One error taxonomy for the whole system. Every business error carries a stable `code`
 * (part of the public API) and a `kind` that only api/ translates into an HTTP status.
 */
export type ErrorKind =
  | 'input' // the request is well-formed but its content is invalid
  | 'not_found'
  | 'not_allowed' // authenticated, but policy forbids it
  | 'unauthenticated'
  | 'conflict'
  | 'unavailable'; // a dependency is down; retrying later can help

export interface ErrorDetail {
  path: string;
  message: string;
  /** stable code of this detail, e.g. UNKNOWN_TASK */
  code?: string;
  line?: number;
  column?: number;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const inputError = (code: string, message: string, details?: ErrorDetail[]) =>
  new DomainError('input', code, message, details);
export const notFound = (code: string, message: string) => new DomainError('not_found', code, message);
export const notAllowed = (code: string, message: string, details?: ErrorDetail[]) =>
  new DomainError('not_allowed', code, message, details);
export const conflict = (code: string, message: string) => new DomainError('conflict', code, message);

/** ApplicationFailure `type` used when a DomainError crosses the workflow boundary. */
export const failureTypeFor = (e: Pick<DomainError, 'kind' | 'code'>) => `${e.kind}:${e.code}`;

export function parseFailureType(type: string | undefined | null): { kind: ErrorKind; code: string } | undefined {
  if (!type) return undefined;
  const i = type.indexOf(':');
  if (i <= 0) return undefined;
  const kind = type.slice(0, i) as ErrorKind;
  const known: ErrorKind[] = ['input', 'not_found', 'not_allowed', 'unauthenticated', 'conflict', 'unavailable'];
  return known.includes(kind) ? { kind, code: type.slice(i + 1) } : undefined;
}
