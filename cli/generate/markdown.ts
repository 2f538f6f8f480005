import { isSchema, resolveRef, type Schema } from './schema-walk.ts';

// Markdown building blocks of the reference pages.

/** Free text from a manifest or spec: `<name>` must stay visible, not become an HTML tag. */
export const text = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cell = (s: string) => s.replace(/\r?\n/g, '<br>').replace(/\|/g, '\\|');
export const code = (s: string) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);
export const list = (xs: string[], empty = '—') => (xs.length ? xs.map(code).join(', ') : empty);
const json = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function table(head: string[], rows: string[][]): string {
  if (!rows.length) return '';
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export const keyValueTable = (rows: [string, string | undefined][]) =>
  table(['', ''], rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '').map(([k, v]) => [`**${k}**`, v]));

export const firstSentence = (s: string) => {
  const m = /^(.+?[.!?])(\s|$)/s.exec(s.trim());
  return (m ? m[1]! : s.trim()).replace(/\s+/g, ' ');
};

function typeLabel(root: Schema, raw: unknown): string {
  if (raw === false) return 'never';
  if (!isSchema(raw)) return 'any';
  if (typeof raw.$ref === 'string') return raw.$ref.split('/').at(-1)!;
  const s = raw;
  if ('const' in s) return json(s.const);
  if (Array.isArray(s.enum)) return [...new Set(s.enum.map((v) => (v === null ? 'null' : typeof v)))].join(' or ');
  for (const k of ['oneOf', 'anyOf'] as const) if (Array.isArray(s[k])) return (s[k] as unknown[]).map((x) => typeLabel(root, x)).join(' or ');
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (!types.length) return isSchema(s.properties) ? 'object' : 'any';
  return types
    .map((t) => {
      if (t === 'array') return isSchema(s.items) ? `array of ${typeLabel(root, s.items)}` : 'array';
      if (t === 'object' && isSchema(s.additionalProperties) && !isSchema(s.properties)) return `map of ${typeLabel(root, s.additionalProperties)}`;
      return t;
    })
    .join(' or ');
}

function constraints(s: Schema): string[] {
  const out: string[] = [];
  if (Array.isArray(s.enum)) out.push(`one of ${s.enum.map((v) => code(json(v))).join(', ')}`);
  if (typeof s.format === 'string') out.push(`format ${code(s.format)}`);
  if (typeof s.pattern === 'string') out.push(`pattern ${code(s.pattern)}`);
  const bounds: [string, string][] = [
    ['minLength', 'min length'],
    ['maxLength', 'max length'],
    ['minimum', '≥'],
    ['exclusiveMinimum', '>'],
    ['maximum', '≤'],
    ['exclusiveMaximum', '<'],
    ['minItems', 'min items'],
    ['maxItems', 'max items'],
  ];
  for (const [k, label] of bounds) if (typeof s[k] === 'number') out.push(`${label} ${String(s[k])}`);
  if (s.uniqueItems === true) out.push('unique items');
  return out;
}

interface FieldRow {
  field: string;
  type: string;
  required: boolean;
  default?: unknown;
  constraints: string[];
  description: string;
}

/** Every property, nested ones as `a.b` (objects) and `a[].b` (arrays of objects), in declared order. */
function fieldRows(root: Schema, schema: Schema, prefix = '', depth = 0): FieldRow[] {
  const s = resolveRef(root, schema);
  if (!isSchema(s.properties) || depth > 5) return [];
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  return Object.entries(s.properties).flatMap(([name, rawProp]) => {
    const prop = isSchema(rawProp) ? resolveRef(root, rawProp) : {};
    const field = `${prefix}${name}`;
    const description = [prop.title, prop.description].filter((x): x is string => typeof x === 'string').join(' — ');
    const row: FieldRow = { field, type: typeLabel(root, rawProp), required: required.has(name), constraints: constraints(prop), description, ...('default' in prop ? { default: prop.default } : {}) };
    const items = isSchema(prop.items) ? resolveRef(root, prop.items) : undefined;
    const nested = isSchema(prop.properties) ? fieldRows(root, prop, `${field}.`, depth + 1) : items ? fieldRows(root, items, `${field}[].`, depth + 1) : [];
    return [row, ...nested];
  });
}

export function fieldTable(root: Schema, schema: Schema): string {
  const rows = fieldRows(root, schema);
  return table(
    ['Field', 'Type', 'Required', 'Default', 'Constraints', 'Description'],
    rows.map((r) => [code(r.field), r.type, r.required ? 'yes' : 'no', 'default' in r ? code(json(r.default)) : '—', r.constraints.join('; ') || '—', r.description ? text(r.description) : '—']),
  );
}
