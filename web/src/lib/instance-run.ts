import { isSchema, type Schema } from './schema-rows.ts';

/**
 * The run form of an instance: the version's parameters schema without the locked
 * (endpoint) parameters — a run cannot change them — and with the instance's bound values
 * as the defaults the form starts from.
 */
export function runSchemaOf(parameters: unknown, bound: Record<string, unknown>, locked: readonly string[]): Schema {
  if (!isSchema(parameters)) return { type: 'object', properties: {} };
  const out = new Set(locked);
  const props = isSchema(parameters.properties) ? (parameters.properties as Record<string, unknown>) : {};
  const properties = Object.fromEntries(
    Object.entries(props)
      .filter(([name]) => !out.has(name))
      .map(([name, s]) => [name, isSchema(s) && Object.hasOwn(bound, name) ? { ...s, default: bound[name] } : s]),
  );
  const required = Array.isArray(parameters.required) ? (parameters.required as unknown[]).filter((r) => typeof r === 'string' && !out.has(r)) : [];
  return { ...parameters, properties, required };
}
