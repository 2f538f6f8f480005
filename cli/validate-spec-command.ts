import { apiClient, ApiError } from '../platform/api-client.ts';
import type { ErrorDetail } from '../domain/errors.ts';
import { validateSpec } from '../domain/validate-spec.ts';
import { localRegistry } from './local-registry.ts';
import type { Finding, Report } from './report.ts';
import { CannotCheck, parseSourceText, readSourceFile } from './source-file.ts';

interface ServerValidation {
  valid: boolean;
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
  taskRefs: string[];
}

const fromDetail = (d: ErrorDetail, severity: Finding['severity'], fallbackCode: string): Finding => ({
  code: d.code ?? fallbackCode,
  severity,
  path: d.path,
  message: d.message,
  ...(d.line !== undefined ? { line: d.line, column: d.column ?? 1 } : {}),
});

/** Validates a spec file with the one validator, against the local manifests or a server's registry. */
export async function validateSpecFile(file: string, api?: { url: string; token: string }): Promise<Report> {
  const text = readSourceFile(file);
  if (api) return validateRemotely(file, text, api);
  const parsed = parseSourceText(text);
  if ('finding' in parsed) return { file, valid: false, errors: [parsed.finding], warnings: [], taskRefs: [] };
  const v = validateSpec(parsed.doc, localRegistry(), parsed.locate);
  return { file, valid: v.valid, errors: v.errors, warnings: v.warnings, taskRefs: v.taskRefs };
}

async function validateRemotely(file: string, text: string, api: { url: string; token: string }): Promise<Report> {
  try {
    // `source` rather than `spec`: the server parses the text itself and answers with positions
    const { body } = await apiClient(api.url, api.token).call<ServerValidation>('POST', '/specs/validate', { source: text });
    return {
      file,
      valid: body.valid,
      errors: body.errors.map((d) => fromDetail(d, 'error', 'INVALID')),
      warnings: body.warnings.map((d) => fromDetail(d, 'warning', 'WARNING')),
      taskRefs: body.taskRefs,
    };
  } catch (e) {
    if (e instanceof ApiError) {
      const details = (e.body as { details?: ErrorDetail[] }).details;
      // a 422 about the document itself (e.g. SOURCE_UNPARSABLE) is a finding, not a failure to check
      if (e.status === 422 && details?.length) {
        return { file, valid: false, errors: details.map((d) => fromDetail({ ...d, path: d.path === '/source' ? '' : d.path }, 'error', e.code)), warnings: [], taskRefs: [] };
      }
      throw new CannotCheck(`${api.url} refused the validation: ${e.message}`);
    }
    throw new CannotCheck(`cannot reach ${api.url}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
  }
}
