import type { z } from 'zod';

/**
 * Catalog vocabularies shared by specs, the catalog and the UI. The spec format itself is
 * the JSON Schema in domain/schemas/workflow-spec.v1.schema.json (types in spec-types.ts).
 */
export const CATEGORIES = ['HR', 'FinOps', 'Security', 'Compliance', 'IT', 'Engineering', 'Other'] as const;
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export const SCOPES = ['global', 'tenant-local'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Risk = (typeof RISKS)[number];
export type Scope = (typeof SCOPES)[number];

/** Turns zod issues into `{ path, message }` with JSON Pointer paths. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix = '') {
  const pointer = (path: readonly PropertyKey[]) =>
    prefix + path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: pointer([...i.path, k]), message: `unknown field "${k}"` }))
      : [{ path: pointer(i.path), message: i.message }],
  );
}
