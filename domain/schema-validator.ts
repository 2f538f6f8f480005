import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import specSchema from './schemas/workflow-spec.v1.schema.json' with { type: 'json' };
import manifestSchema from './schemas/task-manifest.v1.schema.json' with { type: 'json' };

/** JSON Schema 2020-12 validation with messages a person understands. */
export interface SchemaIssue {
  path: string;
  message: string;
}

const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
addFormats.default(ajv);

const compiled = new Map<string, { schema: object; validate: ValidateFunction }>();
const MAX_COMPILED = 2000;

/**
 * Compiles a schema given as data (a task's input schema, a spec's parameters) once per
 * distinct content: schemas read from the database are new objects every time, so the
 * cache is keyed by their JSON text, and bounded (Ajv's own cache is released with it).
 */
export function compileSchema(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let hit = compiled.get(key);
  if (!hit) {
    if (compiled.size >= MAX_COMPILED) {
      for (const { schema: old } of compiled.values()) ajv.removeSchema(old);
      compiled.clear();
    }
    const own = JSON.parse(key) as object;
    hit = { schema: own, validate: ajv.compile(own) };
    compiled.set(key, hit);
  }
  return hit.validate;
}

export const validateSpecSchema = compileSchema(specSchema);
export const validateManifestSchema = compileSchema(manifestSchema);
export { specSchema, manifestSchema };

function describe(e: ErrorObject): SchemaIssue {
  const at = e.instancePath;
  const described = (e.parentSchema as { description?: string } | undefined)?.description;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: `${at}/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `unknown field "${field}"` };
    }
    case 'required':
      return { path: `${at}/${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
    case 'enum':
      return { path: at, message: `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` };
    case 'pattern':
      return { path: at, message: described ? `must be ${described}` : (e.message ?? 'has the wrong format') };
    case 'oneOf':
      return { path: at, message: 'a step has either "task" (with optional with, retry, timeout) or "parallel", not both and not neither' };
    default:
      return { path: at, message: e.message ?? 'is invalid' };
  }
}

/** Ajv errors → issues; a oneOf error replaces the noise of its own branches. */
export function schemaIssues(errors: readonly ErrorObject[] | null | undefined): SchemaIssue[] {
  if (!errors?.length) return [];
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => e.keyword === 'oneOf' || !(oneOfAt.has(e.instancePath) && e.schemaPath.includes('/oneOf/')));
  const seen = new Set<string>();
  return kept.map(describe).filter((i) => {
    const key = `${i.path}\n${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
