// npm run seed:catalog -- --count 10000 [--seed 42] [--tenants 40] [--api URL] [--no-index]
//
// Seeds realistic catalog entries (definitions, a published version with a valid spec and
// its digest, tags, marketplace templates, health snapshots) across acme, globex and up to
// 48 more tenants, then rebuilds the Typesense projection with the catalog reindex.
// Deterministic: entry i depends only on the seed, so --count 10000 is a prefix of --count
// 100000 and a second run with the same count adds nothing. Talks to the stores of a
// running `npm start` (the same configuration: platform/config.ts) and to its API (the
// reindex lifecycle), or to any stack when used as a module (the catalog benchmark).
import { pathToFileURL } from 'node:url';
import type { Sql } from '../platform/db.ts';
import { contentDigest } from '../platform/digest.ts';
import { registryFor } from '../platform/registry.ts';
import { seedTenants } from '../platform/seed.ts';
import { validateSpec } from '../domain/validate-spec.ts';
import { schemaIssues, validateSpecSchema } from '../domain/schema-validator.ts';
import type { RegistryView } from '../domain/manifest.ts';
import { catalogGenerator, SEED_AUTHOR, type SeedEntry } from './catalog-seed-data.ts';

export interface SeedCatalogOptions {
  /** entries 0…count-1 exist afterwards */
  count: number;
  seed?: number;
  /** tenants besides acme and globex */
  extraTenants?: number;
  log?: (line: string) => void;
}

export interface SeedCatalogResult {
  /** entries this run added */
  inserted: number;
  /** ids of the added entries that are in the catalog (they have a published version) */
  insertedCatalogIds: string[];
  ms: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_EXTRA_TENANTS = 40;
const BATCH = 2000;
/** batches being written at once (each on its own connection) */
const IN_FLIGHT = 2;

/** One text[] parameter per column. */
const col = <T>(rows: readonly T[], f: (r: T) => unknown) => rows.map(f) as never;

async function registryOfSeedTasks(sql: Sql): Promise<RegistryView> {
  // the tasks the generated specs use (see buildSpec in catalog-seed-data.ts)
  return registryFor(sql, { steps: ['approval@1.0.0', 'transform@1.0.0'].map((task) => ({ task })) });
}

/**
 * Every spec is checked like a draft would be (platform/spec-validation.ts): the full check
 * against the registry once per distinct parameters+steps shape (a few hundred), and the
 * JSON Schema, which covers the per-entry metadata, for every document.
 */
function assertValidSpec(e: SeedEntry, registry: RegistryView, validShapes: Set<string>) {
  const shape = JSON.stringify([e.spec.parameters, e.spec.steps]);
  const issues = validShapes.has(shape)
    ? validateSpecSchema(e.spec)
      ? []
      : schemaIssues(validateSpecSchema.errors)
    : validateSpec(e.spec, registry).errors;
  if (issues.length) throw new Error(`generated spec of ${e.id} is not valid: ${issues.map((x) => `${x.path} ${x.message}`).join('; ')}`);
  validShapes.add(shape);
}

export async function seedCatalog(sql: Sql, opts: SeedCatalogOptions): Promise<SeedCatalogResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const gen = catalogGenerator({ seed: opts.seed ?? DEFAULT_SEED, extraTenants: opts.extraTenants ?? DEFAULT_EXTRA_TENANTS });
  await seedTenants(sql);
  await sql`
    insert into tenant (id, name) select * from unnest(${col(gen.tenants, (t) => t.id)}::text[], ${col(gen.tenants, (t) => t.name)}::text[])
    on conflict (id) do nothing`;
  await sql`insert into tenant_setting (tenant_id) select unnest(${col(gen.tenants, (t) => t.id)}::text[]) on conflict (tenant_id) do nothing`;
  const registry = await registryOfSeedTasks(sql);

  const validShapes = new Set<string>();
  const existing = new Set((await sql<{ id: string }[]>`select id from workflow_definition where created_by = ${SEED_AUTHOR}`).map((r) => r.id));
  let inserted = 0;
  const insertedCatalogIds: string[] = [];
  // the next batches are generated while Postgres writes the previous ones
  const writing: Promise<void>[] = [];
  for (let from = 0; from < opts.count; from += BATCH) {
    const to = Math.min(opts.count, from + BATCH);
    const batch: (SeedEntry & { digest: string })[] = [];
    for (let i = from; i < to; i++) {
      // let the batch being written make progress (its statements need the event loop)
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      const e = gen.entry(i);
      if (existing.has(e.id)) continue;
      assertValidSpec(e, registry, validShapes);
      batch.push({ ...e, digest: contentDigest(e.spec) });
    }
    if (writing.length >= IN_FLIGHT) await writing.shift();
    if (!batch.length) continue;
    const write = insertBatch(sql, batch).then((added) => {
      inserted += added.size;
      for (const e of batch) if (added.has(e.id) && e.status !== 'draft') insertedCatalogIds.push(e.id);
      log(`seed-catalog: ${to}/${opts.count} (${inserted} new)`);
    });
    write.catch(() => {}); // awaited below; a failure surfaces there, not as an unhandled rejection
    writing.push(write);
  }
  await Promise.all(writing);
  return { inserted, insertedCatalogIds, ms: performance.now() - t0 };
}

/**
 * Inserts a batch in one statement: the batch travels as one JSON document (Postgres parses
 * it faster than postgres.js escapes arrays of JSON text), and data-modifying CTEs write
 * every table from it. Returns the ids actually added (an id taken by someone else, or
 * by a concurrent run, is left alone and gets no rows).
 */
async function insertBatch(sql: Sql, rows: (SeedEntry & { digest: string })[]): Promise<Set<string>> {
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      tenant_id: r.tenantId,
      name: r.name,
      title: r.title,
      description: r.description,
      category: r.category,
      risk: r.risk,
      scope: r.scope,
      owner: r.owner,
      owner_team: r.ownerTeam,
      status: r.status,
      version: r.version,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      tags: r.tags,
      spec: r.spec,
      digest: r.digest,
      visibility: r.visibility,
      certification_state: r.certificationState,
      health: r.health ?? null,
    })),
  );
  const added = await sql<{ id: string }[]>`
    with x as materialized (
      select * from json_to_recordset(${json}::text::json) as x(
        id text, tenant_id text, name text, title text, description text, category text, risk text, scope text, owner text,
        owner_team text, status text, version text, created_at timestamptz, updated_at timestamptz, tags text[], spec jsonb,
        digest text, visibility text, certification_state text, health json)),
    d as (
      -- a draft has no published version yet, so it is not in the catalog (latest_version null)
      insert into workflow_definition (id, tenant_id, name, title, description, category, risk, scope, owner, owner_team, status,
                                       latest_version, created_by, created_at, updated_at)
      select id, tenant_id, name, title, description, category, risk, scope, owner, owner_team, status,
             case when status = 'draft' then null else version end, ${SEED_AUTHOR}, created_at, updated_at
      from x
      on conflict (id) do nothing
      returning id),
    mine as (select x.* from x join d using (id)),
    t as (
      insert into workflow_tag (definition_id, tenant_id, tag)
      select id, tenant_id, unnest(tags) from mine),
    v as (
      insert into workflow_version (definition_id, tenant_id, version, status, spec, parameter_schema, changelog, change_kind, digest,
                                    created_by, created_at, published_at, visibility, review_state, reviewed_at)
      select id, tenant_id, version, case when status = 'draft' then 'draft' else 'published' end, spec, spec -> 'parameters',
             spec -> 'metadata' ->> 'changelog', 'initial', digest, owner, created_at,
             case when status = 'draft' then null else updated_at end,
             case when status = 'draft' or scope <> 'global' then 'internal-only' else visibility end,
             -- synthetic marketplace versions passed their review (workflow_version_marketplace_reviewed)
             case when status = 'draft' or scope <> 'global' or visibility = 'internal-only' then 'none' else 'passed' end,
             case when status = 'draft' or scope <> 'global' or visibility = 'internal-only' then null else updated_at end
      from mine),
    tp as (
      -- marketplace templates of the global entries
      insert into workflow_template (id, definition_id, tenant_id, visibility, publisher, review_state, certification_state,
                                     certified_at, last_reviewed_at, created_at, updated_at, latest_version, summary)
      select id, id, tenant_id, visibility, owner_team, 'approved', certification_state,
             case when certification_state = 'none' then null else updated_at end, updated_at, updated_at, updated_at, version, description
      from mine where status <> 'draft' and scope = 'global'),
    h as (
      insert into health_snapshot (definition_id, tenant_id, window_end, window_start, last_status, run_count, failure_rate,
                                   avg_duration_ms, last_run_at)
      select id, tenant_id, (health ->> 'windowEnd')::timestamptz, (health ->> 'windowStart')::timestamptz, health ->> 'lastStatus',
             (health ->> 'runCount')::int, (health ->> 'failureRate')::numeric, (health ->> 'avgDurationMs')::int,
             (health ->> 'lastRunAt')::timestamptz
      from mine where health is not null)
    select id from d`;
  return new Set(added.map((r) => r.id));
}

export interface ReindexOutcome {
  workflowId: string;
  runId: string;
  ms: number;
  report: { total: number; unchanged: number; missing: { count: number }; altered: { count: number }; extra: { count: number }; collection: string };
}

/**
 * Brings the search projection up to date the way an operator would: the catalog reindex
 * lifecycle (`POST /api/catalog/reindex` as a platform admin), which rebuilds the collection
 * from Postgres, switches the alias and reports what differed — the new entries are
 * "missing". A reindex that was already running may have copied before these rows were
 * written: it is waited for, and a new one started.
 */
export async function reindexCatalog(apiUrl: string, adminToken: string, reason: string, log: (line: string) => void = () => {}): Promise<ReindexOutcome> {
  const t0 = performance.now();
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  for (;;) {
    const res = await fetch(`${apiUrl}/api/catalog/reindex`, { method: 'POST', headers, body: JSON.stringify({ reason }) });
    if (res.status !== 202) throw new Error(`POST /api/catalog/reindex answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const started = (await res.json()) as { workflowId: string; runId: string; joined: boolean };
    log(`seed-catalog: reindex ${started.joined ? 'already running, waiting for' : 'started:'} ${started.workflowId} (run ${started.runId})`);
    for (let last = '';;) {
      await new Promise((r) => setTimeout(r, 1000));
      const st = await fetch(`${apiUrl}/api/catalog/reindex`, { headers });
      if (st.status !== 200) throw new Error(`GET /api/catalog/reindex answered ${st.status}: ${(await st.text()).slice(0, 300)}`);
      const body = (await st.json()) as { runId: string; status: string; progress?: { phase: string; copied: number }; report?: ReindexOutcome['report']; error?: string };
      if (body.runId !== started.runId) throw new Error(`another reindex (run ${body.runId}) started meanwhile`);
      if (body.status === 'running') {
        const now = body.progress ? `${body.progress.phase}, ${body.progress.copied} copied` : 'running';
        if (now !== last) log(`seed-catalog: reindex ${(last = now)}`);
        continue;
      }
      if (body.status !== 'completed' || !body.report) throw new Error(`the reindex ${body.status}${body.error ? `: ${body.error}` : ''}`);
      if (started.joined) break; // it may have missed our rows: start our own
      return { workflowId: started.workflowId, runId: started.runId, ms: performance.now() - t0, report: body.report };
    }
  }
}

function parseArgs(argv: string[]) {
  const out: { count: number; seed: number; extraTenants: number; index: boolean; api?: string } = { count: 0, seed: DEFAULT_SEED, extraTenants: DEFAULT_EXTRA_TENANTS, index: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) usage(`${a} needs a whole number`);
      return v;
    };
    if (a === '--count') out.count = value();
    else if (a === '--seed') out.seed = value();
    else if (a === '--tenants') out.extraTenants = value();
    else if (a === '--no-index') out.index = false;
    else if (a === '--api') out.api = argv[++i] ?? usage('--api needs the URL of the running API');
    else usage(`unknown argument ${a}`);
  }
  if (!out.count) usage('--count is required');
  return out;
}

function usage(problem: string): never {
  console.error(`seed-catalog: ${problem}\nusage: npm run seed:catalog -- --count 10000 [--seed ${DEFAULT_SEED}] [--tenants ${DEFAULT_EXTRA_TENANTS}] [--api http://127.0.0.1:3000] [--no-index]`);
  process.exit(2);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { loadConfig } = await import('../platform/config.ts');
  const { requireRuntimeSecrets } = await import('../platform/runtime-secrets.ts');
  const { createSql } = await import('../platform/db.ts');
  const { demoUserToken } = await import('../platform/oidc/demo-tokens.ts');
  const { DEMO_USERS } = await import('../domain/demo-users.ts');
  const config = loadConfig();
  const secrets = requireRuntimeSecrets(config);
  const sql = createSql(secrets.databaseUrl, { max: 2 });
  try {
    await sql`select 1`.catch((e: unknown) => {
      throw new Error(`cannot reach Postgres at ${secrets.databaseUrl.replace(/:[^:@/]+@/, ':***@')} (${(e as Error).message}); is "npm start" running?`);
    });
    const seeded = await seedCatalog(sql, { ...args, log: console.log });
    console.log(`seed-catalog: ${seeded.inserted} entries added in ${(seeded.ms / 1000).toFixed(1)} s`);
    if (args.index && seeded.insertedCatalogIds.length) {
      const api = (args.api ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
      const root = DEMO_USERS.find((u) => u.roles.includes('platform-admin'))!;
      const token = await demoUserToken(config, root.sub);
      await fetch(`${api}/api/health`).catch((e: unknown) => {
        throw new Error(`cannot reach the API at ${api} (${(e as Error).message}); is "npm start" running? (or pass --api, or --no-index)`);
      });
      const r = await reindexCatalog(api, token, `seed-catalog: ${seeded.inserted} entries added (--count ${args.count})`, console.log);
      const { total, unchanged, missing, altered, extra } = r.report;
      console.log(
        `seed-catalog: reindex completed in ${(r.ms / 1000).toFixed(1)} s — ${total} entries, ${unchanged} unchanged, ${missing.count} missing, ${altered.count} altered, ${extra.count} extra (${r.workflowId}, run ${r.runId})`,
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(`seed-catalog: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
