import { isSchema, orderedProperties, type Schema } from './schema-rows.ts';

/**
 * The run form, generated from a workflow's `parameters` (a JSON Schema object). Each
 * property becomes one field; what the browser holds is text (or a checkbox), turned into
 * typed params on submit. The server validates again and its answer is shown per field.
 */
export type FieldKind = 'text' | 'email' | 'date' | 'datetime' | 'url' | 'number' | 'integer' | 'boolean' | 'enum' | 'list' | 'json';

export interface ParamField {
  name: string;
  kind: FieldKind;
  label: string;
  help?: string;
  required: boolean;
  options?: unknown[];
  min?: number;
  max?: number;
  schema: Schema;
}

/** What an input holds: text for most kinds, a flag for checkboxes. */
export type RawValue = string | boolean;

function kindOf(s: Schema): FieldKind {
  if (Array.isArray(s.enum) && s.enum.length) return 'enum';
  const type = Array.isArray(s.type) ? (s.type as unknown[]).find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'array':
      return isSchema(s.items) && (s.items.type === 'string' || s.items.type === 'number' || s.items.type === 'integer') && !s.items.enum ? 'list' : 'json';
    case 'object':
      return 'json';
    default:
      if (s.format === 'email') return 'email';
      if (s.format === 'date') return 'date';
      if (s.format === 'date-time') return 'datetime';
      if (s.format === 'uri' || s.format === 'url' || s.format === 'iri') return 'url';
      return 'text';
  }
}

export function paramFields(parameters: unknown): ParamField[] {
  if (!isSchema(parameters)) return [];
  const required = new Set(Array.isArray(parameters.required) ? parameters.required : []);
  return orderedProperties(parameters).map(([name, s]) => {
    const kind = kindOf(s);
    const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
    return {
      name,
      kind,
      label: typeof s.title === 'string' && s.title ? s.title : name,
      ...(typeof s.description === 'string' ? { help: s.description } : {}),
      required: required.has(name),
      ...(kind === 'enum' ? { options: s.enum as unknown[] } : {}),
      ...(num('minimum') !== undefined ? { min: num('minimum') } : {}),
      ...(num('maximum') !== undefined ? { max: num('maximum') } : {}),
      schema: s,
    };
  });
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDateTime = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** The input's starting value: the schema default, shown the way the input expects it. */
export function initialValue(f: ParamField): RawValue {
  const d = f.schema.default;
  if (f.kind === 'boolean') return d === true;
  if (d === undefined || d === null) return '';
  switch (f.kind) {
    case 'list':
      return Array.isArray(d) ? d.map(String).join(', ') : String(d);
    case 'json':
      return JSON.stringify(d, null, 2);
    case 'enum': {
      const i = f.options?.findIndex((o) => o === d) ?? -1;
      return i === -1 ? '' : String(i);
    }
    case 'datetime': {
      const date = new Date(String(d));
      return Number.isNaN(date.getTime()) ? String(d) : localDateTime(date);
    }
    default:
      return String(d);
  }
}

/** Items of a comma-separated list (blank items dropped). */
export const listItems = (raw: string) =>
  raw
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isUrl = (s: string) => {
  try {
    return Boolean(new URL(s).protocol);
  } catch {
    return false;
  }
};

export type Parsed = { ok: true; value: unknown } | { ok: true; omit: true } | { ok: false; error: string };

/** Turns one input's value into the param, or says in words what is wrong with it. */
export function parseField(f: ParamField, raw: RawValue): Parsed {
  if (f.kind === 'boolean') return { ok: true, value: raw === true };
  const text = String(raw);
  const empty = f.kind === 'list' ? listItems(text).length === 0 : text.trim() === '';
  if (empty) return f.required ? { ok: false, error: f.kind === 'list' ? 'Enter at least one value.' : 'This field is required.' } : { ok: true, omit: true };

  switch (f.kind) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (!Number.isFinite(n)) return { ok: false, error: 'Enter a number.' };
      if (f.kind === 'integer' && !Number.isInteger(n)) return { ok: false, error: 'Enter a whole number.' };
      if (f.min !== undefined && n < f.min) return { ok: false, error: `Must be at least ${f.min}.` };
      if (f.max !== undefined && n > f.max) return { ok: false, error: `Must be at most ${f.max}.` };
      return { ok: true, value: n };
    }
    case 'enum': {
      const option = f.options?.[Number(text)];
      return option === undefined ? { ok: false, error: 'Choose one of the options.' } : { ok: true, value: option };
    }
    case 'list': {
      const items = listItems(text);
      const itemType = isSchema(f.schema.items) ? f.schema.items.type : 'string';
      if (itemType === 'number' || itemType === 'integer') {
        const nums = items.map(Number);
        if (nums.some((n) => !Number.isFinite(n) || (itemType === 'integer' && !Number.isInteger(n)))) {
          return { ok: false, error: `Separate ${itemType === 'integer' ? 'whole numbers' : 'numbers'} with commas.` };
        }
        return { ok: true, value: nums };
      }
      return { ok: true, value: items };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch {
        return { ok: false, error: 'Enter valid JSON.' };
      }
    case 'email':
      return EMAIL.test(text.trim()) ? { ok: true, value: text.trim() } : { ok: false, error: 'Enter an email address such as name@example.com.' };
    case 'url':
      return isUrl(text.trim()) ? { ok: true, value: text.trim() } : { ok: false, error: 'Enter a full URL such as https://example.com.' };
    case 'datetime': {
      const d = new Date(text);
      return Number.isNaN(d.getTime()) ? { ok: false, error: 'Enter a date and time.' } : { ok: true, value: d.toISOString() };
    }
    default:
      return { ok: true, value: text };
  }
}

/** All params, or the field errors that keep the form from being sent. */
export function collectParams(fields: ParamField[], values: Record<string, RawValue>): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = parseField(f, values[f.name] ?? initialValue(f));
    if (!r.ok) errors[f.name] = r.error;
    else if ('value' in r) params[f.name] = r.value;
  }
  return { params, errors };
}

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Which field a server-side detail is about: `/params/<field>/…`, or the property named by
 * a "must have required property 'x'" message at `/params`. Undefined: about the form.
 */
export function fieldOfDetail(detail: { path: string; message: string }, names: readonly string[]): string | undefined {
  const m = /^\/params\/([^/]+)/.exec(detail.path);
  if (m) {
    const name = unescapePointer(m[1]!);
    return names.includes(name) ? name : undefined;
  }
  const req = /required property '([^']+)'/.exec(detail.message);
  return req && names.includes(req[1]!) ? req[1] : undefined;
}
