import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSource, type ParsedSource } from '../domain/spec-source.ts';
import type { Finding } from './report.ts';

/** The check could not run at all (unreadable file, unreachable server): exit code 2. */
export class CannotCheck extends Error {
  override name = 'CannotCheck';
}

/**
 * Reads a file named on the command line. `npm run` starts us in the package root, so a
 * relative name is resolved against the directory npm was called from (INIT_CWD).
 */
export function readSourceFile(file: string, cwd = process.env.INIT_CWD ?? process.cwd()): string {
  try {
    return readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CannotCheck(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

/** YAML or JSON with positions, or the syntax error as a finding. */
export function parseSourceText(text: string): ParsedSource | { finding: Finding } {
  const parsed = parseSource(text);
  if (!('error' in parsed)) return parsed;
  const { message, line, column } = parsed.error;
  return {
    finding: { code: 'SOURCE_UNPARSABLE', severity: 'error', path: '', message: `not valid YAML or JSON: ${message.replace(/ at line \d+, column \d+:?$/, '')}`, ...(line !== undefined ? { line, column } : {}) },
  };
}
