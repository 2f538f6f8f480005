import type { Sql } from './db.ts';
import { registryFor } from './registry.ts';
import { validateSpec, type Issue, type SpecValidation } from '../domain/validate-spec.ts';
import type { SourcePosition } from '../domain/spec-source.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { inputError, type ErrorDetail } from '../domain/errors.ts';

/** The one validation path of API, activities and CLI (with the registry in Postgres). */
export async function validateSpecDocument(sql: Sql, doc: unknown, locate?: (p: string) => SourcePosition | undefined): Promise<SpecValidation> {
  return validateSpec(doc, await registryFor(sql, doc), locate);
}

export const issueDetail = (i: Issue, prefix = ''): ErrorDetail => ({
  path: prefix + i.path,
  message: i.message,
  code: i.code,
  ...(i.line !== undefined ? { line: i.line, column: i.column } : {}),
});

export function assertValid(v: SpecValidation, prefix = '/spec'): SpecV1 {
  if (!v.valid || !v.spec) throw inputError('SPEC_INVALID', 'the workflow spec is not valid', v.errors.map((i) => issueDetail(i, prefix)));
  return v.spec;
}
