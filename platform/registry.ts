import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './db.ts';
import { contentDigest } from './digest.ts';
import { parseSource } from '../domain/spec-source.ts';
import { schemaIssues, validateManifestSchema, compileTenantSchema } from '../domain/schema-validator.ts';
import { registryView, taskRef, type AdapterStatus, type RegistryEntry, type RegistryView, type TaskManifest } from '../domain/manifest.ts';
import { collectTaskRefs } from '../domain/validate-spec.ts';
import { conflict, inputError, notAllowed, notFound } from '../domain/errors.ts';
import { hasRole, type Actor } from '../domain/actor.ts';

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
      compileTenantSchema(schema);
    } catch (e) {
      throw inputError('MANIFEST_INVALID', 'the adapter manifest is not valid', [{ path: `/manifest/spec/${key}`, message: (e as Error).message }]);
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
  owner_tenant: string | null;
  created_at: Date;
}

const toEntry = (r: AdapterRow): RegistryEntry => ({ manifest: r.manifest, status: r.status, ...(r.replacement ? { replacement: r.replacement } : {}) });

const ownerLabel = (owner: string | null) => (owner === null ? 'the platform (built-in)' : `tenant "${owner}"`);
const isPlatformAdmin = (actor: Actor) => hasRole(actor, 'platform-admin');

/** The owning tenant of an adapter name (null = platform), or undefined when the name is not registered. */
export async function adapterOwner(sql: Sql, name: string): Promise<string | null | undefined> {
  const [row] = await sql<{ owner_tenant: string | null }[]>`select owner_tenant from task_adapter where name = ${name} order by created_at limit 1`;
  return row ? row.owner_tenant : undefined;
}

/**
 * May `actor` add versions under `name`? A new name is free for any publisher; an existing one
 * only for its owning tenant, and a platform-owned (built-in) one only for a platform admin.
 */
export function assertMayRegister(name: string, owner: string | null | undefined, actor: Actor): void {
  if (owner === undefined || isPlatformAdmin(actor)) return;
  if (owner === null || owner !== actor.tenant) {
    throw notAllowed('ADAPTER_NOT_OWNED', `adapter "${name}" is owned by ${ownerLabel(owner)}; only its owner's publishers or a platform admin may register versions under it`);
  }
}

/** May `actor` change the status of an adapter version owned by `owner`? */
export function assertMayChangeStatus(ref: string, owner: string | null, actor: Actor): void {
  if (isPlatformAdmin(actor)) return;
  if (owner === null || owner !== actor.tenant || !hasRole(actor, 'publisher')) {
    throw notAllowed('ADAPTER_NOT_OWNED', `adapter ${ref} is owned by ${ownerLabel(owner)}; only its owner's publishers or a platform admin may change its status`);
  }
}

/** Fast pre-check for the API: throws ADAPTER_NOT_OWNED (or ADAPTER_NOT_FOUND) before a lifecycle starts. */
export async function checkStatusChangeAllowed(sql: Sql, name: string, version: string, actor: Actor): Promise<void> {
  const [row] = await sql<{ owner_tenant: string | null }[]>`select owner_tenant from task_adapter where name = ${name} and version = ${version}`;
  if (!row) throw notFound('ADAPTER_NOT_FOUND', `no adapter ${name}@${version}`);
  assertMayChangeStatus(`${name}@${version}`, row.owner_tenant, actor);
}

/**
 * Registers a manifest version owned by `ownerTenant` (null = platform/built-in). A version is
 * immutable: the same content again is a no-op, different content under an existing version is
 * refused. With an `actor`, a name already owned by someone else is refused (ADAPTER_NOT_OWNED)
 * unless the actor is a platform admin, whose new versions keep the name's existing owner.
 * Without an actor (migrations, test setup) the caller is the platform itself.
 */
export async function registerManifest(
  sql: Sql,
  manifest: TaskManifest,
  defaultQueue: string,
  ownerTenant: string | null,
  actor?: Actor,
): Promise<{ created: boolean; digest: string }> {
  const m = checkManifest(manifest);
  const digest = contentDigest(m);
  const name = m.metadata.name;
  return sql.begin(async (tx) => {
    // one registration per name at a time, so two tenants cannot both claim a new name
    await tx`select pg_advisory_xact_lock(hashtext(${`task_adapter:${name}`}))`;
    const existingOwner = await adapterOwner(tx as unknown as Sql, name);
    let owner = ownerTenant;
    if (existingOwner !== undefined) {
      if (actor) assertMayRegister(name, existingOwner, actor);
      owner = existingOwner;
    }
    const rows = await tx`
      insert into task_adapter (name, version, manifest, manifest_digest, task_queue, owner_tenant)
      values (${name}, ${m.metadata.version}, ${tx.json(m as never)}, ${digest}, ${m.spec.taskQueue ?? defaultQueue}, ${owner})
      on conflict (name, version) do nothing
      returning name`;
    if (rows.length) return { created: true, digest };
    const [existing] = await tx<{ manifest_digest: string }[]>`select manifest_digest from task_adapter where name = ${name} and version = ${m.metadata.version}`;
    if (existing?.manifest_digest !== digest) {
      throw conflict('MANIFEST_IMMUTABLE', `${taskRef(m)} is already registered with different content; publish a new version`);
    }
    return { created: false, digest };
  });
}

/** Changes a version's status. With an `actor`, only the owner's publishers or a platform admin may. */
export async function setAdapterStatus(sql: Sql, name: string, version: string, status: AdapterStatus, replacement?: string, actor?: Actor): Promise<void> {
  if (actor) await checkStatusChangeAllowed(sql, name, version, actor);
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
