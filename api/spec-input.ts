import { z } from 'zod';
import { parseSource, type SourcePosition } from '../domain/spec-source.ts';
import { inputError } from '../domain/errors.ts';

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
  return { doc: parsed.doc, locate: parsed.locate };
}
