/** One finding, from the local validator or from the server's `details`. */
export interface Finding {
  code: string;
  severity: 'error' | 'warning';
  /** JSON Pointer into the document */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export interface Report {
  file: string;
  valid: boolean;
  errors: Finding[];
  warnings: Finding[];
  /** the task references the spec uses (specs only) */
  taskRefs?: string[];
}

export type Format = 'text' | 'json';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const byPosition = (a: Finding, b: Finding) =>
  (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path);

/** `file:line:column  CODE  path  message`, one line per finding, then a summary line. */
export function formatText(r: Report): string {
  const lines = [...r.errors, ...r.warnings].sort(byPosition).map((f) => {
    const where = f.line !== undefined ? `${r.file}:${f.line}:${f.column ?? 1}` : r.file;
    return `${where}  ${f.code}  ${f.path || '/'}  ${f.severity === 'warning' ? 'warning: ' : ''}${f.message}`;
  });
  const counts = `${plural(r.errors.length, 'error')}, ${plural(r.warnings.length, 'warning')}`;
  lines.push(r.valid ? `${r.file}: valid (${counts})` : `${r.file}: invalid (${counts})`);
  return lines.join('\n');
}

export const formatReport = (r: Report, format: Format) => (format === 'json' ? JSON.stringify(r, null, 2) : formatText(r));

/** 0 valid (warnings allowed), 1 errors. */
export const exitCodeOf = (r: Report) => (r.valid ? 0 : 1);
