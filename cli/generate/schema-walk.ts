/** JSON Schema as plain data, walked without a validator (for docs and type generation). */
export type Schema = Record<string, unknown>;

export const isSchema = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SCHEMA_ONE = ['additionalProperties', 'additionalItems', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];

/** Rebuilds a schema bottom-up; `visit` sees each subschema with the key it was found under. */
export function mapSchema(schema: unknown, visit: (s: Schema, key: string | undefined) => Schema, key?: string): unknown {
  if (!isSchema(schema)) return schema;
  const out: Schema = { ...schema };
  for (const k of SCHEMA_MAPS) {
    if (isSchema(out[k])) out[k] = Object.fromEntries(Object.entries(out[k]).map(([name, s]) => [name, mapSchema(s, visit, name)]));
  }
  for (const k of SCHEMA_ONE) if (isSchema(out[k])) out[k] = mapSchema(out[k], visit);
  for (const k of SCHEMA_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((s) => mapSchema(s, visit));
  return visit(out, key);
}

/** A local `$ref` (`#/…`) resolved against the root schema; anything else is returned as is. */
export function resolveRef(root: Schema, s: Schema): Schema {
  if (typeof s.$ref !== 'string' || !s.$ref.startsWith('#/')) return s;
  let node: unknown = root;
  for (const part of s.$ref.slice(2).split('/')) node = isSchema(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isSchema(node) ? node : s;
}
