import { DomainError } from '../domain/errors.ts';
import { checkManifest } from '../platform/registry.ts';
import type { Finding, Report } from './report.ts';
import { parseSourceText, readSourceFile } from './source-file.ts';

/** Checks an adapter manifest file the way the registry does on registration (checkManifest). */
export function validateManifestFile(file: string): Report {
  const parsed = parseSourceText(readSourceFile(file));
  if ('finding' in parsed) return { file, valid: false, errors: [parsed.finding], warnings: [] };
  try {
    checkManifest(parsed.doc);
    return { file, valid: true, errors: [], warnings: [] };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const errors = (e.details ?? [{ path: '', message: e.message }]).map((d): Finding => {
      // the registry names paths inside its request body ({ manifest }); the file is the manifest itself
      const path = d.path.replace(/^\/manifest/, '');
      const pos = parsed.locate(path);
      return { code: d.code ?? e.code, severity: 'error', path, message: d.message, ...(pos ? { line: pos.line, column: pos.column } : {}) };
    });
    return { file, valid: false, errors, warnings: [] };
  }
}
