import type { AdapterInput } from '../../domain/adapter-io.ts';
import type { TaskManifest } from '../../domain/manifest.ts';
import { inputError } from '../../domain/errors.ts';
import type { SecretStore } from '../../platform/secrets.ts';

export const REDACTED = '[redacted]';

/**
 * Resolves the secret references of the inputs the manifest declares as secret
 * (`spec.secrets[].input`) — those only: a `secret://` string in any other input stays
 * the literal string. Returns the inputs with values in place and the values themselves,
 * so the caller can scrub them from whatever it returns or throws.
 */
export async function resolveSecretInputs(manifest: TaskManifest, input: AdapterInput, store: SecretStore): Promise<{ inputs: Record<string, unknown>; values: string[] }> {
  const inputs = { ...input.inputs };
  const values: string[] = [];
  for (const s of manifest.spec.secrets ?? []) {
    if (!s.input) continue;
    const ref = inputs[s.input];
    if (ref === undefined || ref === null) {
      if (s.required) throw inputError('SECRET_REQUIRED', `input "${s.input}" (secret "${s.name}") is required`);
      continue;
    }
    if (typeof ref !== 'string') throw inputError('SECRET_REFERENCE_INVALID', `input "${s.input}" must hold a secret reference (secret://<tenant>/<name>)`);
    const value = await store.resolve(ref, input.context.tenantId);
    inputs[s.input] = value;
    values.push(value);
  }
  return { inputs, values };
}

/**
 * Replaces every occurrence of the given secret values — as written, JSON-escaped and
 * URL-encoded — with "[redacted]", in text and (deeply) in JSON values, keys included.
 */
export function redactor(values: string[]) {
  const needles = [...new Set(values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)]))]
    .filter((n) => n.length > 0)
    // longest first, so a value containing another is replaced whole
    .sort((a, b) => b.length - a.length);
  const text = (s: string) => (needles.length ? needles.reduce((acc, n) => acc.split(n).join(REDACTED), s) : s);
  const deep = (v: unknown): unknown => {
    if (!needles.length) return v;
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(deep);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), deep(x)]));
    return v;
  };
  return { text, deep };
}
