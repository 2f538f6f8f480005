import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './db.ts';
import { contentDigest } from './digest.ts';
import { parseSource } from '../domain/spec-source.ts';
import { schemaIssues, validateManifestSchema, compileSchema } from '../domain/schema-validator.ts';
import { registryView, taskRef, type AdapterStatus, type RegistryEntry, type RegistryView, type TaskManifest } from '../domain/manifest.ts';
import { collectTaskRefs } from '../domain/validate-spec.ts';
import { conflict, inputError, notFound } from '../domain/errors.ts';

export const BUILTIN_DIR = fileURLToPath(new URL('../adapters/builtin/', import.meta.url));

/** Checks a manifest document; returns it typed, or throws MANIFEST_INVALID naming each path. */
export function checkManifest(doc: unknown): TaskManifest {
  if (!validateManifestSchema(doc)) {
    throw inputError('MANIFEST_INVALID', 'the adapter manifest is not valid', schemaIssues(validateManifestSchema.errors).map((i) => ({ path: `/manifest${i.path}`, message: i.message })));
  }
  const m = doc as TaskManifest;
  for (const key of ['input', 'output', 'config'] as const) {
    const schema = m.spec[key];
    if (!schema) continue;
    try {
      compileSchema(schema);
    } catch (e) {
      throw inputError('MANIFEST_INVALID', 'the adapter manifest is not valid', [{ path: `/manifest/spec/${key}`, message: `not a valid JSON Schema: ${(e as Error).message}` }]);
    }
  }
  return m;
}

export function readManifestFile(file: string): TaskManifest {
  const parsed = parseSource(readFileSync(file, 'utf8'));
  if ('error' in parsed) throw new Error(`${file}: ${parsed.error.message}`);
  return checkManifest(parsed.doc);
}

export function loadBuiltinManifests(dir = BUILTIN_DIR): TaskManifest[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$|\.json$/.test(f))
    .sort()
    .map((f) => readManifestFile(path.join(dir, f)));
}

interface AdapterRow {
  name: string;
  version: string;
  manifest: TaskManifest;
  manifest_digest: string;
  status: AdapterStatus;
  replacement: string | null;
  task_queue: string;
  created_at: Date;
}

const toEntry = (r: AdapterRow): RegistryEntry => ({ manifest: r.manifest, status: r.status, ...(r.replacement ? { replacement: r.replacement } : {}) });

/**
 * Registers a manifest version. A version is immutable: the same content again is a no-op,
 * different content under an existing version is refused.
 */
export async function registerManifest(sql: Sql, manifest: TaskManifest, defaultQueue: string): Promise<{ created: boolean; digest: string }> {
  const m = checkManifest(manifest);
  const digest = contentDigest(m);
  const rows = await sql`
    insert into task_adapter (name, version, manifest, manifest_digest, task_queue)
    values (${m.metadata.name}, ${m.metadata.version}, ${sql.json(m as never)}, ${digest}, ${m.spec.taskQueue ?? defaultQueue})
    on conflict (name, version) do nothing
    returning name`;
  if (rows.length) return { created: true, digest };
  const [existing] = await sql<{ manifest_digest: string }[]>`select manifest_digest from task_adapter where name = ${m.metadata.name} and version = ${m.metadata.version}`;
  if (existing?.manifest_digest !== digest) {
    throw conflict('MANIFEST_IMMUTABLE', `${taskRef(m)} is already registered with different content; publish a new version`);
  }
  return { created: false, digest };
}

export async function setAdapterStatus(sql: Sql, name: string, version: string, status: AdapterStatus, replacement?: string): Promise<void> {
  const rows = await sql`
    update task_adapter set status = ${status}, replacement = ${replacement ?? null}
    where name = ${name} and version = ${version} returning name`;
  if (!rows.length) throw notFound('ADAPTER_NOT_FOUND', `no adapter ${name}@${version}`);
}

/** The registry entries of the task names a spec uses (every version, for helpful errors). */
export async function registryFor(sql: Sql, doc: unknown): Promise<RegistryView> {
  const names = [...new Set(collectTaskRefs(doc).map((r) => r.slice(0, r.lastIndexOf('@'))).filter(Boolean))];
  if (!names.length) return registryView([]);
  const rows = await sql<AdapterRow[]>`select * from task_adapter where name in ${sql(names)}`;
  return registryView(rows.map(toEntry));
}

export async function listAdapters(sql: Sql, q?: string) {
  const pattern = q ? `%${q.toLowerCase()}%` : null;
  return sql<AdapterRow[]>`
    select * from task_adapter
    where ${pattern} :: text is null or lower(name) like ${pattern} or lower(manifest->'metadata'->>'description') like ${pattern}
    order by name, created_at desc`;
}

export async function adapterVersions(sql: Sql, name: string) {
  return sql<AdapterRow[]>`select * from task_adapter where name = ${name} order by created_at desc`;
}

/** Task queues and manifests of the tasks a (validated) spec uses, for the run engine. */
export async function manifestsFor(sql: Sql, refs: string[]): Promise<Map<string, { manifest: TaskManifest; taskQueue: string; status: AdapterStatus }>> {
  const out = new Map<string, { manifest: TaskManifest; taskQueue: string; status: AdapterStatus }>();
  if (!refs.length) return out;
  const rows = await sql<AdapterRow[]>`select * from task_adapter where (name || '@' || version) in ${sql(refs)}`;
  for (const r of rows) out.set(`${r.name}@${r.version}`, { manifest: r.manifest, taskQueue: r.task_queue, status: r.status });
  return out;
}
