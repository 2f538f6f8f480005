import { z } from 'zod';
import { parseSource, type SourcePosition } from '../domain/spec-source.ts';
import { inputError } from '../domain/errors.ts';
import { shapeProblem } from '../domain/input-shape.ts';

/** The OpenAPI components of the documents' JSON Schemas (domain/schemas/). */
export const DOCUMENT_SCHEMA = { spec: 'WorkflowSpec', manifest: 'TaskManifest' } as const;

/**
 * A document arrives as JSON (`spec`/`manifest`) or as YAML/JSON text (`source`, for line
 * numbers): exactly one of two objects, which the OpenAPI document shows as a oneOf.
 */
export const DocumentBody = <F extends 'spec' | 'manifest'>(field: F, { checked = true }: { checked?: boolean } = {}) =>
  z.union(
    [
      z.strictObject({
        [field]: z
          .record(z.string(), z.unknown())
          // a document that must be valid (checked) declares its own JSON Schema (registered by
          // api/app.ts; the API checks that and more); one sent to be validated is any object
          .meta({
            description: `the ${field} document as JSON`,
            ...(checked ? { allOf: [{ $ref: `#/components/schemas/${DOCUMENT_SCHEMA[field]}` }] } : {}),
          }),
      } as Record<F, z.ZodRecord<z.ZodString, z.ZodUnknown>>),
      z.strictObject({ source: z.string().max(512 * 1024).meta({ description: `the ${field} document as YAML or JSON text (errors name its lines)` }) }),
    ],
    { error: `send either "${field}" (an object) or "source" (YAML or JSON text)` },
  ).openapi({}, { unionPreferredType: 'oneOf' }); // the two are exclusive: shown as such

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
