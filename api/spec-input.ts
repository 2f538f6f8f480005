import { z } from 'zod';
import { parseSource, type SourcePosition } from '../domain/spec-source.ts';
import { inputError } from '../domain/errors.ts';
import { shapeProblem } from '../domain/input-shape.ts';

/** A document arrives as JSON (`spec`/`manifest`) or as YAML/JSON text (`source`, for line numbers). */
export const DocumentBody = (field: 'spec' | 'manifest') =>
  z
    .strictObject({
      [field]: z.record(z.string(), z.unknown()).optional(),
      source: z.string().max(512 * 1024).optional(),
    })
    .refine((b) => (b[field] === undefined) !== (b.source === undefined), { message: `send either "${field}" (an object) or "source" (YAML or JSON text)` });

export function readDocument(body: Record<string, unknown>, field: 'spec' | 'manifest'): { doc: unknown; locate?: (p: string) => SourcePosition | undefined } {
  if (typeof body.source !== 'string') return { doc: body[field] };
  const parsed = parseSource(body.source);
  if ('error' in parsed) {
    const { message, line, column } = parsed.error;
    throw inputError('SOURCE_UNPARSABLE', `the source is not valid YAML or JSON: ${message}`, [
      { path: '/source', message, ...(line !== undefined ? { line, column } : {}) },
    ]);
  }
  // YAML escapes can spell what the JSON body check refused ("\0"), and aliases can nest
  const problem = shapeProblem(parsed.doc);
  if (problem) {
    const at = parsed.locate(problem.path);
    throw inputError(problem.code, `the source ${problem.path ? `at ${problem.path} ` : ''}${problem.message}`, [
      { path: `/source${problem.path}`, message: problem.message, ...(at ? { line: at.line, column: at.column } : {}) },
    ]);
  }
  return { doc: parsed.doc, locate: parsed.locate };
}
