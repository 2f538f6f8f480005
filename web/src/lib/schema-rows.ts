/** A JSON Schema as it arrives over the wire: an object of unknown keywords. */
export type Schema = Record<string, unknown>;

/** One row of a readable schema table; nested object fields follow their parent with depth + 1. */
export interface SchemaRow {
  /** key within its parent (`items[]` marks the element of an array) */
  name: string;
  /** JSON Pointer-ish dotted path, unique within the table */
  path: string;
  depth: number;
  type: string;
  required: boolean;
  default?: unknown;
  enum?: unknown[];
  description?: string;
  /** minLength, pattern, minimum… in words */
  constraints: string[];
}

export const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A short type name: `string (uri)`, `array of string`, `map of string`, `string | number`. */
export function typeLabel(s: Schema): string {
  if (s.const !== undefined) return `const ${JSON.stringify(s.const)}`;
  const variants = asArray(s.oneOf ?? s.anyOf).filter(isSchema);
  if (variants.length) return variants.map(typeLabel).join(' | ');
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (!types.length) {
    if (Array.isArray(s.enum)) return enumType(s.enum);
    if (isSchema(s.properties)) return 'object';
    return 'any';
  }
  return types
    .map((t) => {
      if (t === 'array') return isSchema(s.items) ? `array of ${typeLabel(s.items)}` : 'array';
      if (t === 'object' && !isSchema(s.properties) && isSchema(s.additionalProperties)) return `map of ${typeLabel(s.additionalProperties)}`;
      if (t === 'string' && typeof s.format === 'string') return `string (${s.format})`;
      return t;
    })
    .join(' | ');
}

function enumType(values: unknown[]): string {
  const kinds = [...new Set(values.map((v) => (v === null ? 'null' : typeof v)))];
  return kinds.length === 1 ? kinds[0]! : kinds.join(' | ');
}

export function constraintsOf(s: Schema): string[] {
  const out: string[] = [];
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  const range = (lo: number | undefined, hi: number | undefined, unit: string) => {
    if (lo !== undefined && hi !== undefined) out.push(`${lo}–${hi}${unit}`);
    else if (lo !== undefined) out.push(`≥ ${lo}${unit}`);
    else if (hi !== undefined) out.push(`≤ ${hi}${unit}`);
  };
  range(num('minimum'), num('maximum'), '');
  if (num('exclusiveMinimum') !== undefined) out.push(`> ${num('exclusiveMinimum')}`);
  if (num('exclusiveMaximum') !== undefined) out.push(`< ${num('exclusiveMaximum')}`);
  range(num('minLength'), num('maxLength'), ' chars');
  range(num('minItems'), num('maxItems'), ' items');
  if (typeof s.pattern === 'string') out.push(`pattern ${s.pattern}`);
  if (s.additionalProperties === false && isSchema(s.properties)) out.push('no other fields');
  return out;
}

/**
 * The fields of an object schema, required ones first (a `required` list keeps its author's
 * order, whereas stored JSON objects may not), nested objects and object array items
 * expanded below their parent.
 */
export function orderedProperties(s: Schema): [string, Schema][] {
  const props = isSchema(s.properties) ? Object.entries(s.properties).filter((e): e is [string, Schema] => isSchema(e[1])) : [];
  const required = asArray(s.required).filter((r): r is string => typeof r === 'string');
  const rank = (name: string) => {
    const i = required.indexOf(name);
    return i === -1 ? required.length : i;
  };
  return props.map((p, i) => [p, i] as const).sort((a, b) => rank(a[0][0]) - rank(b[0][0]) || a[1] - b[1]).map(([p]) => p);
}

export function schemaRows(schema: unknown, depth = 0, base = ''): SchemaRow[] {
  if (!isSchema(schema)) return [];
  const required = new Set(asArray(schema.required));
  const rows: SchemaRow[] = [];
  for (const [name, s] of orderedProperties(schema)) {
    const path = base ? `${base}.${name}` : name;
    rows.push(rowOf(name, path, depth, s, required.has(name)));
    rows.push(...childRows(s, depth + 1, path));
  }
  return rows;
}

function rowOf(name: string, path: string, depth: number, s: Schema, required: boolean): SchemaRow {
  return {
    name,
    path,
    depth,
    type: typeLabel(s),
    required,
    ...(s.default !== undefined ? { default: s.default } : {}),
    ...(Array.isArray(s.enum) ? { enum: s.enum } : {}),
    ...(typeof s.description === 'string' ? { description: s.description } : typeof s.title === 'string' ? { description: s.title } : {}),
    constraints: constraintsOf(s),
  };
}

function childRows(s: Schema, depth: number, path: string): SchemaRow[] {
  if (isSchema(s.properties)) return schemaRows(s, depth, path);
  if (isSchema(s.items) && isSchema(s.items.properties)) {
    const itemPath = `${path}[]`;
    return [rowOf('items[]', itemPath, depth, s.items, false), ...schemaRows(s.items, depth + 1, itemPath)];
  }
  return [];
}

/** How a default or enum value reads in a table: strings bare, everything else as JSON. */
export const literal = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
