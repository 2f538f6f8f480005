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

/**
 * A union that no option matched: when one option came closest (fewest issues), its issues
 * say more than "matches none" (`{ spec, surprise }` → /surprise is unknown); when none did,
 * the union's own message.
 */
function explainUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((i) => {
    if (i.code !== 'invalid_union' || !i.errors.length) return [i];
    const sizes = i.errors.map((e) => e.length);
    const fewest = Math.min(...sizes);
    if (fewest === 0 || sizes.filter((n) => n === fewest).length > 1) return [i];
    return explainUnions(i.errors[sizes.indexOf(fewest)]!.map((e) => ({ ...e, path: [...i.path, ...e.path] })));
  });
}

/** Turns zod issues into `{ path, message }` with JSON Pointer paths. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix = '') {
  const pointer = (path: readonly PropertyKey[]) =>
    prefix + path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  return explainUnions(issues).flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: pointer([...i.path, k]), message: `unknown field "${k}"` }))
      : [{ path: pointer(i.path), message: i.message }],
  );
}
