import { stringify } from 'yaml';
import { taskRef, type TaskManifest } from '../../domain/manifest.ts';
import { compileSchema } from '../../domain/schema-validator.ts';
import { camelCase } from './names.ts';
import { isSchema, resolveRef, type Schema } from './schema-walk.ts';

// The example `with:` block of an adapter's reference page.

const EXAMPLE_STRINGS: Record<string, string> = {
  uri: 'https://example.com',
  'uri-reference': '/example',
  url: 'https://example.com',
  email: 'person@example.com',
  date: '2025-01-31',
  'date-time': '2025-01-31T09:00:00Z',
  time: '09:00:00Z',
  uuid: '00000000-0000-4000-8000-000000000000',
  hostname: 'example.com',
};

/** A value the schema accepts: its own example or default when it has one, else a plausible one. */
function exampleValue(root: Schema, raw: unknown, key: string): unknown {
  if (!isSchema(raw)) return `example ${key}`;
  const s = resolveRef(root, raw);
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ('default' in s) return s.default;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const type = Array.isArray(s.type) ? (s.type as string[])[0] : s.type;
  switch (type) {
    case 'string': {
      const candidates = [EXAMPLE_STRINGS[s.format as string], `example ${key}`, '30s', '1.0.0', 'example', 'a'].filter((c): c is string => !!c);
      const check = compileSchema(s);
      return candidates.find((c) => check(c)) ?? `example ${key}`;
    }
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [exampleValue(root, s.items, key)];
    case 'object':
      return exampleObject(root, s);
    default:
      return isSchema(s.properties) ? exampleObject(root, s) : `example ${key}`;
  }
}

function exampleObject(root: Schema, s: Schema): Record<string, unknown> {
  const props = isSchema(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? (s.required as string[]) : [];
  return Object.fromEntries(required.map((k) => [k, exampleValue(root, props[k], k)]));
}

/**
 * The spec fragment shown on an adapter's page: required inputs with example values,
 * secret inputs bound to a declared secret, optional inputs named in a comment. It is a
 * complete, valid spec body (tests validate it).
 */
export function exampleUsage(m: TaskManifest): { secrets: string[]; step: { id: string; task: string; with?: Record<string, unknown> }; optional: string[] } {
  const input = m.spec.input as Schema;
  const props = isSchema(input.properties) ? input.properties : {};
  const required = new Set(Array.isArray(input.required) ? (input.required as string[]) : []);
  const secretInputs = new Map((m.spec.secrets ?? []).filter((s) => s.input).map((s) => [s.input!, s.name]));
  const withBlock: Record<string, unknown> = {};
  const optional: string[] = [];
  for (const key of Object.keys(props)) {
    const secret = secretInputs.get(key);
    if (secret) withBlock[key] = `\${{ secrets.${secret} }}`;
    else if (required.has(key)) withBlock[key] = exampleValue(input, props[key], key);
    else optional.push(key);
  }
  return {
    secrets: [...new Set(secretInputs.values())],
    step: { id: camelCase(m.metadata.name), task: taskRef(m), ...(Object.keys(withBlock).length ? { with: withBlock } : {}) },
    optional,
  };
}

export function exampleYaml(m: TaskManifest): string {
  const { secrets, step, optional } = exampleUsage(m);
  const doc = stringify({ ...(secrets.length ? { secrets: secrets.map((name) => ({ name })) } : {}), steps: [step] }, { lineWidth: 0 }).trimEnd();
  const indent = step.with ? '      ' : '    ';
  return optional.length ? `${doc}\n${indent}# optional: ${optional.join(', ')}` : doc;
}
