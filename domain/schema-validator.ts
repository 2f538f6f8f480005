import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';
import { inputError } from './errors.ts';
import specSchema from './schemas/workflow-spec.v1.schema.json' with { type: 'json' };
import manifestSchema from './schemas/task-manifest.v1.schema.json' with { type: 'json' };

/** JSON Schema 2020-12 validation with messages a person understands. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/**
 * Parameter and input schemas are tenant input, and a `pattern` such as `^(a+)+$` backtracks
 * for minutes on a short string. Patterns run on RE2 semantics (re2js, linear time in the
 * input): no backreferences or lookarounds; a pattern RE2 cannot run makes the schema invalid.
 */
export class UnsafePatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`pattern ${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern)} is not supported (${reason}): patterns run in linear time, without backreferences or lookarounds`);
    this.name = 'UnsafePatternError';
  }
}

function linearRegExp(pattern: string): { test(s: string): boolean; toString(): string } {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (e) {
    throw new UnsafePatternError(pattern, (e as Error).message.replace(/^error parsing regexp: /, ''));
  }
  // Ajv shares compiled patterns by their toString()
  return { test: (s: string) => compiled.matcher(s).find(), toString: () => `re2:${pattern}` };
}
linearRegExp.code = 'linearRegExp';

const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true, code: { regExp: linearRegExp } });
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
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(own);
    } catch (e) {
      ajv.removeSchema(own);
      // a schema stored before a rule existed fails its request or run, never retried
      throw inputError('SCHEMA_INVALID', `not a valid JSON Schema: ${(e as Error).message}`);
    }
    hit = { schema: own, validate };
    compiled.set(key, hit);
  }
  return hit.validate;
}

/** `uniqueItems` compares non-scalar items pairwise: a tenant schema must bound the array. */
export const MAX_UNIQUE_ITEMS = 1000;

/**
 * References make a schema a graph: two `$ref`s to the same definition per level double the
 * work at each level (exponential validation time from a 2 KB schema), and an `$id` would
 * register the schema in the validator every tenant shares, where another tenant's `$ref`
 * could read it (its `enum` values come back in error messages). Tenant schemas are trees.
 */
const REFERENCE_KEYWORDS = ['$ref', '$dynamicRef', '$recursiveRef', '$id', '$anchor', '$dynamicAnchor', '$recursiveAnchor'];

/** Constructs of a tenant schema that would make validating one value slow, or cross tenants. */
export function schemaHazards(schema: unknown, path = ''): SchemaIssue[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => schemaHazards(s, `${path}/${i}`));
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const own: SchemaIssue[] = [
    ...(s.uniqueItems === true && !(typeof s.maxItems === 'number' && s.maxItems <= MAX_UNIQUE_ITEMS)
      ? [{ path: `${path}/uniqueItems`, message: `uniqueItems needs maxItems of at most ${MAX_UNIQUE_ITEMS}` }]
      : []),
    ...REFERENCE_KEYWORDS.filter((k) => k in s).map((k) => ({ path: `${path}/${k}`, message: `${k} is not supported: write the schema out in place` })),
  ];
  return [...own, ...Object.entries(s).flatMap(([k, v]) => (typeof v === 'object' && k !== 'enum' && k !== 'const' && k !== 'examples' && k !== 'default' ? schemaHazards(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`) : []))];
}

/** A schema written by a tenant or partner: refused (SCHEMA_INVALID) when it has a hazard, else compiled. */
export function compileTenantSchema(schema: object): ValidateFunction {
  const hazards = schemaHazards(schema);
  if (hazards.length) throw inputError('SCHEMA_INVALID', `not a supported JSON Schema: ${hazards.map((h) => `${h.path} ${h.message}`).join('; ')}`, hazards);
  return compileSchema(schema);
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
