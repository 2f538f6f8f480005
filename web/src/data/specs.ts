import type { ErrorDetail } from '../../../domain/errors.ts';
import { ApiError, apiFetch } from './api.ts';

/** One finding of the validator; line and column are 1-based and point into the source. */
export type ValidationIssue = ErrorDetail & { severity: 'error' | 'warning' };

export interface ValidationResult {
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  taskRefs: string[];
}

interface WireResult {
  valid: boolean;
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
  taskRefs: string[];
}

/**
 * Validates YAML or JSON source text against the spec schema and the task registry (the
 * same check as creating a draft). Source that does not even parse is refused by the API
 * with SOURCE_UNPARSABLE; that is a validation result too, so it comes back as one.
 */
export async function validateSource(source: string, signal?: AbortSignal): Promise<ValidationResult> {
  try {
    const r = await apiFetch<WireResult>('/api/specs/validate', { method: 'POST', body: { source }, signal });
    return {
      valid: r.valid,
      errors: r.errors.map((e) => ({ ...e, severity: 'error' })),
      warnings: r.warnings.map((w) => ({ ...w, severity: 'warning' })),
      taskRefs: r.taskRefs,
    };
  } catch (e) {
    if (e instanceof ApiError && e.status === 422 && e.code === 'SOURCE_UNPARSABLE') {
      const details = e.details?.length ? e.details : [{ path: '/source', message: e.message }];
      return { valid: false, errors: details.map((d) => ({ ...d, code: d.code ?? e.code, severity: 'error' })), warnings: [], taskRefs: [] };
    }
    throw e;
  }
}
