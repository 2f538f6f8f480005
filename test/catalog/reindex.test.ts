import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCatalogActivities, loadCatalogDocuments } from '../../activities/catalog.ts';
import { createCatalogReindexActivities, type CopyProgress, type ReindexPlan } from '../../activities/catalog-reindex.ts';
import type { CatalogReindexInput, CatalogReindexReport } from '../../domain/catalog-reindex.ts';
import { createDataConverter } from '../../platform/temporal.ts';
import { createCatalogCollection, dropCollection, type CatalogDocument } from '../../platform/typesense.ts';
import { WORKFLOWS_PATH } from '../../workers/core-worker.ts';
import { CATALOG_REINDEX_WORKFLOW_TYPE, catalogReindexWorkflowId } from '../../workflows/contracts/index.ts';
import { expectApiError } from '../support/expect-api-error.ts';
import { openStack, type Stack } from '../support/stack.ts';

let s: Stack;
let k: string; // a tag unique to this file: the Postgres read model is shared by all test files
let alias: string;

/** r1 is deleted from the index, r2 and r3 altered, r4 and r5 left alone. */
const SEEDS = [
  { key: 'r1', tenant: 'acme', scope: 'tenant-local', risk: 'low' },
  { key: 'r2', tenant: 'acme', scope: 'global', risk: 'low' },
  { key: 'r3', tenant: 'acme', scope: 'tenant-local', risk: 'medium' },
  { key: 'r4', tenant: 'acme', scope: 'tenant-local', risk: 'high' },
  { key: 'r5', tenant: 'globex', scope: 'global', risk: 'low' },
] as const;
const ids: Record<string, string> = {};
const mine = () => Object.values(ids).sort();

interface Started {
  workflowId: string;
  runId: string;
  joined: boolean;
}
interface Status {
  workflowId: string;
  runId: string;
  status: string;
  startedAt: string;
  closedAt?: string;
  report?: CatalogReindexReport;
  progress?: unknown;
  error?: string;
}

beforeAll(async () => {
  s = await openStack();
  k = `k-${s.suffix}`;
  alias = s.config.TYPESENSE_COLLECTION;
  const { indexCatalogEntry } = createCatalogActivities({ sql: s.sql, typesense: s.typesense, collection: alias });
  for (const d of SEEDS) {
    const name = `rx-${d.key}-${s.suffix}`;
    const id = `${d.tenant}.${name}`;
    ids[d.key] = id;
    await s.sql`
      insert into workflow_definition (id, tenant_id, name, title, description, category, risk, scope, owner, owner_team, status, latest_version, created_by)
      values (${id}, ${d.tenant}, ${name}, ${`Reindex test ${d.key}`}, ${`Reindexed entry ${d.key}`}, 'Compliance', ${d.risk}, ${d.scope},
              ${'owner-' + d.key}, 'platform', 'published', '1.0.0', 'test')`;
    await s.sql`insert into workflow_tag (definition_id, tenant_id, tag) values (${id}, ${d.tenant}, ${k})`;
    // a global entry is offered to every tenant by its template's profile
    if (d.scope === 'global') {
      await s.sql`insert into workflow_template (id, definition_id, tenant_id, visibility, publisher) values (${id}, ${id}, ${d.tenant}, 'public-ecosystem', 'test')`;
    }
    expect(await indexCatalogEntry({ definitionId: id, workflowId: 'test', runId: 'test' })).toEqual({ indexed: true });
  }
});
afterAll(async () => {
  if (s) {
    await s.sql`delete from workflow_template where id = any(${mine()}::text[])`;
    await s.sql`delete from workflow_tag where definition_id = any(${mine()}::text[])`;
    await s.sql`delete from workflow_definition where id = any(${mine()}::text[])`; // catalog_update rows cascade
    await s.close();
  }
});

const aliasTarget = async () => (await s.typesense.aliases(alias).retrieve()).collection_name;
const collectionExists = (name: string) =>
  s.typesense
    .collections(name)
    .retrieve()
    .then(
      () => true,
      (e: { httpStatus?: number }) => (e.httpStatus === 404 ? false : Promise.reject(e)),
    );
const indexed = (id: string) =>
  s.typesense
    .collections<CatalogDocument>(alias)
    .documents(id)
    .retrieve()
    .catch((e: { httpStatus?: number }) => (e.httpStatus === 404 ? undefined : Promise.reject(e)));

/** The newest catalog_update id: what a reindex beginning now takes as its watermark. */
const newestUpdate = async () => (await s.sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from catalog_update`)[0]!.id;
/** The catalog entry just before this one in id order: a copy after it starts with this one. */
const entryBefore = async (id: string) =>
  (await s.sql<{ id: string | null }[]>`select max(id) as id from workflow_definition where latest_version is not null and id < ${id}`)[0]!.id ?? undefined;
const reindexRows = (runId: string) =>
  s.sql<{ definition_id: string; reason: string }[]>`
    select definition_id, reason from catalog_update where lifecycle = 'reindex' and run_id = ${runId} order by definition_id`.then((rows) => rows.map((r) => ({ ...r })));
/** Puts an entry's document, as Postgres has it, back into the collection in use. */
const restore = async (...entryIds: string[]) => {
  for (const doc of await loadCatalogDocuments(s.sql, { ids: entryIds })) await s.typesense.collections<CatalogDocument>(alias).documents().upsert(doc);
};

async function waitForReindex(stack: Stack, runId: string): Promise<Status> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const { body } = await stack.as('root').call<Status>('GET', '/catalog/reindex');
    if (body.runId === runId && body.status !== 'running') return body;
    if (Date.now() > deadline) throw new Error(`reindex ${runId} did not finish (last: ${JSON.stringify(body)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function reindex(body?: unknown): Promise<{ started: Started; status: Status; report: CatalogReindexReport }> {
  const { status: code, body: started } = await s.as('root').call<Started>('POST', '/catalog/reindex', body);
  expect(code).toBe(202);
  const status = await waitForReindex(s, started.runId);
  expect(status.status, status.error).toBe('completed');
  return { started, status, report: status.report! };
}

const searchIds = async (user: 'alice' | 'carol') => {
  const { body } = await s.as(user).call<{ items: { id: string }[]; source: string }>('GET', `/catalog?tags=${k}&perPage=100`);
  return { ids: body.items.map((i) => i.id).sort(), source: body.source };
};

describe('catalog reindex', () => {
  it('is for platform admins only, and checks its input', async () => {
    await expectApiError(s.as('alice').call('POST', '/catalog/reindex', {}), 403, 'ROLE_REQUIRED');
    await expectApiError(s.as('dave').call('GET', '/catalog/reindex'), 403, 'ROLE_REQUIRED');
    await expectApiError(s.as('root').call('POST', '/catalog/reindex', { reason: 'x', collection: 'other' }), 422, 'VALIDATION_FAILED');
    await expectApiError(s.as('root').call('POST', '/catalog/reindex', { reason: '' }), 422, 'VALIDATION_FAILED');
    await expectApiError(s.as('root').call('GET', '/catalog/reindex'), 404, 'REINDEX_NOT_FOUND');
    const doc = (await (await s.request('GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths['/catalog/reindex'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.components.schemas).toHaveProperty('CatalogReindexReport');
  });

  it('moves a first-edition collection to a new one behind the alias', { timeout: 180_000 }, async () => {
    expect(await aliasTarget()).toBe(`${alias}_v1`);
    const { started, report } = await reindex();
    expect(started).toMatchObject({ workflowId: `catalog-reindex/${alias}`, joined: false });
    expect(report.previousCollection).toBe(`${alias}_v1`);
    expect(report.collection).toMatch(new RegExp(`^${alias}_r[0-9a-f]{32}$`));
    expect(await aliasTarget()).toBe(report.collection);
    expect(await collectionExists(`${alias}_v1`)).toBe(false);
    // this file's collection held its own five documents, all current; the entries other
    // test files left in the shared Postgres had no document here: they are "missing"
    expect(report).toMatchObject({ unchanged: 5, altered: { count: 0, sample: [] }, extra: { count: 0, sample: [] }, caughtUp: 0, requestedBy: 'root' });
    expect(report.missing.count).toBe(report.total - 5);
    expect(report.missing.sample.filter((id) => mine().includes(id))).toEqual([]);
    for (const [id, doc] of (await loadCatalogDocuments(s.sql, { ids: mine() })).map((d) => [d.id, d] as const)) {
      expect(await indexed(id), id).toEqual(doc);
    }
  });

  it('repairs documents deleted, altered or planted behind the application\'s back, without downtime', { timeout: 180_000 }, async () => {
    const collection = s.typesense.collections<CatalogDocument>(alias);
    await collection.documents(ids.r1!).delete();
    await collection.documents(ids.r2!).update({ risk: 'critical' });
    await collection.documents(ids.r3!).update({ tenant_id: 'globex' }); // acme's tenant-local entry now leaks to globex
    const planted = `acme.planted-${s.suffix}`;
    await collection.documents().create({ ...(await indexed(ids.r4!))!, id: planted, name: `planted-${s.suffix}` });
    expect((await searchIds('carol')).ids).toEqual([ids.r2, ids.r3, ids.r5].sort());
    const before = await aliasTarget();

    // searches keep answering from Typesense while the collection is rebuilt and switched
    let finished = false;
    const answers: { status: number; source?: string; ids: string[]; sentAfterTheEnd: boolean }[] = [];
    const loop = (async () => {
      while (!answers.some((a) => a.sentAfterTheEnd)) {
        const sentAfterTheEnd = finished;
        const res = await s.request('GET', `/api/catalog?tags=${k}&perPage=100`, { user: 'alice' });
        const body = (await res.json()) as { source?: string; items?: { id: string }[] };
        answers.push({ status: res.status, ...(body.source ? { source: body.source } : {}), ids: (body.items ?? []).map((i) => i.id), sentAfterTheEnd });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const { started, report } = await reindex({ reason: 'drill: tampered documents' }).finally(() => {
      finished = true;
    });
    await loop;
    // the searches span the switch: the first came from the old collection (r1 deleted),
    // the last from the new one
    expect(answers[0]!.ids).not.toContain(ids.r1);
    expect(answers.at(-1)!.ids).toContain(ids.r1);
    for (const a of answers) {
      expect(a).toMatchObject({ status: 200, source: 'typesense' });
      expect(a.ids).toContain(ids.r4);
    }

    expect(report).toMatchObject({
      reason: 'drill: tampered documents',
      previousCollection: before,
      missing: { count: 1, sample: [ids.r1] },
      altered: { count: 2, sample: [{ id: ids.r2, fields: ['risk'] }, { id: ids.r3, fields: ['tenant_id'] }] },
      extra: { count: 1, sample: [planted] },
      caughtUp: 0,
    });
    expect(report.unchanged).toBe(report.total - 3);
    expect(await aliasTarget()).toBe(report.collection);
    expect(report.collection).not.toBe(before);
    expect(await collectionExists(before)).toBe(false);

    // every document is what Postgres says; the repaired ones name the reindex as provenance
    const truth = await loadCatalogDocuments(s.sql, { ids: mine() });
    expect(truth.map((d) => d.id)).toEqual(mine());
    for (const doc of truth) expect(await indexed(doc.id), doc.id).toEqual(doc);
    const repaired = { provenance_workflow_id: started.workflowId, provenance_run_id: started.runId };
    for (const id of [ids.r1!, ids.r2!, ids.r3!]) expect(await indexed(id), id).toMatchObject(repaired);
    for (const id of [ids.r4!, ids.r5!]) expect(await indexed(id), id).toMatchObject({ provenance_workflow_id: 'test', provenance_run_id: 'test' });
    const rows = await s.sql<{ definition_id: string; reason: string; workflow_id: string; run_id: string }[]>`
      select definition_id, reason, workflow_id, run_id from catalog_update
      where lifecycle = 'reindex' and definition_id = any(${mine()}::text[]) order by definition_id`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { definition_id: ids.r1, reason: 'reindex: missing', workflow_id: started.workflowId, run_id: started.runId },
      { definition_id: ids.r2, reason: 'reindex: altered (risk)', workflow_id: started.workflowId, run_id: started.runId },
      { definition_id: ids.r3, reason: 'reindex: altered (tenant_id)', workflow_id: started.workflowId, run_id: started.runId },
    ]);

    expect(await indexed(planted)).toBeUndefined();
    expect((await searchIds('carol')).ids).toEqual([ids.r2, ids.r5].sort());
    expect(await searchIds('alice')).toEqual({ ids: mine(), source: 'typesense' });
  });

  it('converges: a second reindex finds nothing to repair', { timeout: 180_000 }, async () => {
    const before = await aliasTarget();
    const { report } = await reindex();
    expect(report).toMatchObject({
      previousCollection: before,
      missing: { count: 0, sample: [] },
      altered: { count: 0, sample: [] },
      extra: { count: 0, sample: [] },
      caughtUp: 0,
    });
    expect(report.unchanged).toBe(report.total);
    expect(report.total).toBeGreaterThanOrEqual(5);
    expect(await collectionExists(before)).toBe(false);
    const { body } = await s.as('root').call<Status>('GET', '/catalog/reindex');
    expect(body).toMatchObject({ status: 'completed', report });
    expect(body.closedAt).toBeDefined();
  });
});

describe('catalog reindex activities', () => {
  const activities = () => createCatalogReindexActivities({ sql: s.sql, typesense: s.typesense, collection: alias });
  const run = { workflowId: 'catalog-reindex/activity-test', runId: 'activity-test' };

  it('a retried copy resumes after the page its heartbeat recorded', async () => {
    const target = `${alias}_resume`;
    await createCatalogCollection(s.typesense, target);
    try {
      const resumeAt: CopyProgress = { afterId: ids.r2!, done: false, total: 7, unchanged: 7, missing: { count: 0, sample: [] }, altered: { count: 0, sample: [] } };
      const env = new MockActivityEnvironment({ heartbeatDetails: resumeAt });
      const heartbeats: unknown[] = [];
      env.on('heartbeat', (d: unknown) => heartbeats.push(d));
      const previous = await aliasTarget();
      const p = await env.run(activities().copyCatalogPages, { ...run, collection: target, previous, pageSize: 2 });
      const [after] = await s.sql<{ n: number }[]>`
        select count(*)::int as n from workflow_definition where latest_version is not null and id > ${ids.r2!}`;
      // pages of two, at most 20 per call (other test files' entries may follow ours)
      const n = after!.n;
      const copied = Math.min(n, 40);
      expect(p).toMatchObject({ done: n < 40, total: 7 + copied, unchanged: 7 + copied, missing: { count: 0 }, altered: { count: 0 } });
      // a heartbeat after every page: the cursor a retry would resume from
      expect(heartbeats).toHaveLength(Math.min(20, Math.floor(n / 2) + 1));
      expect(heartbeats.at(-1)).toEqual(p);
      const copiedIds = (await s.typesense.collections(target).documents().export({ include_fields: 'id' }))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: string }).id);
      expect(copiedIds).toHaveLength(copied);
      expect(copiedIds).not.toContain(ids.r1);
      expect(copiedIds).not.toContain(ids.r2);
      expect(copiedIds).toEqual(expect.arrayContaining([ids.r3, ids.r4])); // the two after r2
    } finally {
      await dropCollection(s.typesense, target);
    }
  });

  it('catches up on entries changed after the watermark, and only those', async () => {
    const target = `${alias}_catchup`;
    await createCatalogCollection(s.typesense, target);
    try {
      const [w] = await s.sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from catalog_update`;
      // a publish that wrote to the previous collection while the copy ran
      await s.sql`update workflow_definition set description = 'changed during the copy' where id = ${ids.r4!}`;
      await s.sql`insert into catalog_update (definition_id, tenant_id, lifecycle, workflow_id, run_id, reason)
                  values (${ids.r4!}, 'acme', 'publish', 'publish/during-copy', 'r1', 'published 1.0.1')`;
      // this run's own rows are not caught up again
      await s.sql`insert into catalog_update (definition_id, tenant_id, lifecycle, workflow_id, run_id, reason)
                  values (${ids.r5!}, 'globex', 'reindex', ${run.workflowId}, ${run.runId}, 'reindex: missing')`;
      const out = await new MockActivityEnvironment().run(activities().catchUpCatalog, { ...run, collection: target, watermark: w!.id });
      expect(out).toEqual({ caughtUp: 1 });
      const [truth] = await loadCatalogDocuments(s.sql, { ids: [ids.r4!] });
      expect(truth).toMatchObject({ description: 'changed during the copy', provenance_workflow_id: 'publish/during-copy' });
      expect(await s.typesense.collections<CatalogDocument>(target).documents(ids.r4!).retrieve()).toEqual(truth);
      await expect(s.typesense.collections(target).documents(ids.r5!).retrieve()).rejects.toMatchObject({ httpStatus: 404 });
    } finally {
      await dropCollection(s.typesense, target);
    }
  });

  it('writes a repair to provenance only once its page is in the new collection', async () => {
    const failing = { workflowId: run.workflowId, runId: `unimported-${s.suffix}` };
    await s.typesense.collections(alias).documents(ids.r1!).delete();
    try {
      const afterId = await entryBefore(ids.r1!);
      // the import of r1's page fails (the collection is not there): r1 was not repaired
      const copy = new MockActivityEnvironment().run(activities().copyCatalogPages, {
        ...failing,
        collection: `${alias}_never_created`,
        previous: await aliasTarget(),
        watermark: await newestUpdate(),
        pageSize: 1,
        ...(afterId ? { afterId } : {}),
      });
      await expect(copy).rejects.toThrow();
      expect(await reindexRows(failing.runId)).toEqual([]);
    } finally {
      await restore(ids.r1!);
    }
  });

  it('leaves entries that a lifecycle changed during the copy to the catch-up: not missing, not altered', async () => {
    const inflight = { workflowId: run.workflowId, runId: `inflight-${s.suffix}` };
    const target = `${alias}_inflight`;
    await createCatalogCollection(s.typesense, target);
    const live = s.typesense.collections<CatalogDocument>(alias);
    try {
      const watermark = await newestUpdate();
      // r3 is tampered with in the collection in use: a repair
      await live.documents(ids.r3!).update({ risk: 'critical' });
      // r4: a publish committed to Postgres (its entry and its catalog_update row) and has
      // not upserted the collection in use yet
      await s.sql`update workflow_definition set description = 'published while the reindex copied' where id = ${ids.r4!}`;
      await s.sql`insert into catalog_update (definition_id, tenant_id, lifecycle, workflow_id, run_id, reason)
                  values (${ids.r4!}, 'acme', 'publish', 'publish/in-flight', ${s.suffix}, 'published 1.0.1')`;
      // r5 as if first published during the copy: its row is written, its document not yet
      await live.documents(ids.r5!).delete();
      await s.sql`insert into catalog_update (definition_id, tenant_id, lifecycle, workflow_id, run_id, reason)
                  values (${ids.r5!}, 'globex', 'publish', 'publish/in-flight', ${s.suffix}, 'published 1.0.1')`;
      const afterId = await entryBefore(ids.r3!);
      const p: CopyProgress = await new MockActivityEnvironment().run(activities().copyCatalogPages, {
        ...inflight,
        collection: target,
        previous: await aliasTarget(),
        watermark,
        pageSize: 2,
        ...(afterId ? { afterId } : {}),
      });
      expect(p.altered.sample).toContainEqual({ id: ids.r3, fields: ['risk'] });
      expect(p.altered.sample.map((a) => a.id)).not.toContain(ids.r4);
      expect(p.missing.sample).not.toContain(ids.r5);
      // only the tampered document is a repair of this run
      expect((await reindexRows(inflight.runId)).filter((r) => mine().includes(r.definition_id))).toEqual([
        { definition_id: ids.r3, reason: 'reindex: altered (risk)' },
      ]);
      // all three are in the new collection as Postgres has them
      for (const doc of await loadCatalogDocuments(s.sql, { ids: [ids.r3!, ids.r4!, ids.r5!] })) {
        expect(await s.typesense.collections<CatalogDocument>(target).documents(doc.id).retrieve(), doc.id).toEqual(doc);
      }
      expect(await s.typesense.collections<CatalogDocument>(target).documents(ids.r4!).retrieve()).toMatchObject({
        description: 'published while the reindex copied',
        provenance_workflow_id: 'publish/in-flight',
      });
    } finally {
      await dropCollection(s.typesense, target);
      await restore(ids.r3!, ids.r4!, ids.r5!);
    }
  });

  it('begins by dropping the collections of earlier runs that nothing points to', async () => {
    const hex = () => randomUUID().replace(/-/g, '');
    const strays = [`${alias}_r${hex()}`, `${alias}_v2`];
    const kept = [`${alias}_v3`, `${alias}_r${hex()}x`, `${alias}_scratch`]; // the first behind another alias
    for (const name of [...strays, ...kept]) await createCatalogCollection(s.typesense, name);
    await s.typesense.aliases().upsert(`${alias}_other`, { collection_name: `${alias}_v3` });
    const current = await aliasTarget();
    const begun = { workflowId: run.workflowId, runId: randomUUID() };
    try {
      const plan: ReindexPlan = await new MockActivityEnvironment().run(activities().beginCatalogReindex, begun);
      expect(plan).toMatchObject({ collection: `${alias}_r${begun.runId.replace(/-/g, '')}`, previous: current });
      for (const name of strays) expect(await collectionExists(name), name).toBe(false);
      for (const name of [...kept, current, plan.collection]) expect(await collectionExists(name), name).toBe(true);
      expect(await aliasTarget()).toBe(current);
    } finally {
      await s.typesense.aliases(`${alias}_other`).delete();
      for (const name of [...strays, ...kept, `${alias}_r${begun.runId.replace(/-/g, '')}`]) await dropCollection(s.typesense, name);
    }
  });

  it('never drops the collection the alias points to', async () => {
    const current = await aliasTarget();
    expect(await new MockActivityEnvironment().run(activities().dropCatalogCollection, { collection: current })).toEqual({ dropped: false });
    expect(await collectionExists(current)).toBe(true);
  });
});

describe('catalog reindex, around the switch', () => {
  // The real workflow and activities, on a worker of this file's own task queue, where a
  // test acts at a chosen point of a run — as another lifecycle or an operator would.
  type Acts = ReturnType<typeof createCatalogReindexActivities>;
  type Hooks = { [K in keyof Acts]?: (input: Parameters<Acts[K]>[0], real: Acts[K]) => ReturnType<Acts[K]> };
  let hooks: Hooks = {};
  let connection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let taskQueue: string;
  let published = 0;

  beforeAll(async () => {
    taskQueue = `${s.config.TEMPORAL_TASK_QUEUE}-hooked`;
    const real = createCatalogReindexActivities({ sql: s.sql, typesense: s.typesense, collection: alias });
    const activities = Object.fromEntries(
      Object.entries(real).map(([name, fn]) => [
        name,
        (input: never) => {
          const hook = hooks[name as keyof Acts] as ((i: never, r: typeof fn) => unknown) | undefined;
          return hook ? hook(input, fn) : fn(input);
        },
      ]),
    );
    connection = await NativeConnection.connect({ address: s.config.temporalAddress });
    worker = await Worker.create({
      connection,
      namespace: s.config.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities,
      dataConverter: createDataConverter(s.config.CODEC_KEYS!),
    });
    running = worker.run();
  });
  afterEach(() => {
    hooks = {};
  });
  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => {});
    await connection?.close();
  });

  const start = (reason: string) =>
    s.client.workflow.start(CATALOG_REINDEX_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: catalogReindexWorkflowId(alias),
      args: [{ requestedBy: 'root', reason } satisfies CatalogReindexInput],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  /** What a publish does: commit the entry, then write its document through the alias. */
  const publish = async (id: string, description: string) => {
    await s.sql`update workflow_definition set description = ${description}, updated_at = now() where id = ${id}`;
    const { indexCatalogEntry } = createCatalogActivities({ sql: s.sql, typesense: s.typesense, collection: alias });
    expect(await indexCatalogEntry({ definitionId: id, workflowId: `publish/${id}/during-reindex`, runId: `${s.suffix}-${++published}` })).toEqual({ indexed: true });
  };

  it('an entry changed during the copy is in the new collection before the alias points to it; one changed later after', { timeout: 180_000 }, async () => {
    let atSwitch: Record<string, unknown> | undefined;
    hooks = {
      copyCatalogPages: async (input, real) => {
        const p = await real(input);
        // the copy has passed every entry: this change reaches the collection in use only
        if (p.done) await publish(ids.r4!, `changed during the copy ${published}`);
        return p;
      },
      switchCatalogAlias: async (input, real) => {
        atSwitch = (await s.typesense.collections(input.collection).documents(ids.r4!).retrieve()) as Record<string, unknown>;
        await publish(ids.r5!, `changed just before the switch ${published}`);
        return real(input);
      },
    };
    const handle = await start('drill: changes during the copy');
    const report = (await handle.result()) as CatalogReindexReport;
    const [r4, r5] = await loadCatalogDocuments(s.sql, { ids: [ids.r4!, ids.r5!] });
    expect(r4).toMatchObject({ description: expect.stringMatching(/^changed during the copy/) as string, provenance_workflow_id: `publish/${ids.r4}/during-reindex` });
    // searches never see the stale document: it was caught up before the switch
    expect(atSwitch).toEqual(r4);
    // and the change that reached only the old collection after that, by the pass after the switch
    expect(await aliasTarget()).toBe(report.collection);
    expect(await indexed(ids.r4!)).toEqual(r4);
    expect(await indexed(ids.r5!)).toEqual(r5);
    expect(report.caughtUp).toBe(2);
    expect(report.missing.sample).not.toEqual(expect.arrayContaining([ids.r4]));
    expect(report.altered.sample.map((a) => a.id)).not.toEqual(expect.arrayContaining([ids.r4, ids.r5]));
    expect(await reindexRows(handle.firstExecutionRunId)).toEqual([]);
  });

  it('a run that fails before the switch leaves neither its collection nor its repairs behind', { timeout: 180_000 }, async () => {
    await s.typesense.collections(alias).documents(ids.r1!).delete(); // a repair for the run to make
    const before = await aliasTarget();
    hooks = {
      findExtraCatalogDocuments: async () => {
        throw ApplicationFailure.nonRetryable('drill: the run fails before the switch', 'DRILL');
      },
    };
    const failed = await start('drill: a failing run');
    await expect(failed.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(await aliasTarget()).toBe(before);
    expect(await collectionExists(`${alias}_r${failed.firstExecutionRunId.replace(/-/g, '')}`)).toBe(false);
    // r1 never reached live search through that run: provenance does not claim it did
    expect(await indexed(ids.r1!)).toBeUndefined();
    expect(await reindexRows(failed.firstExecutionRunId)).toEqual([]);

    hooks = {};
    const next = await start('drill: the run after');
    const report = (await next.result()) as CatalogReindexReport;
    expect(report.missing).toEqual({ count: 1, sample: [ids.r1] });
    expect(await reindexRows(next.firstExecutionRunId)).toEqual([{ definition_id: ids.r1, reason: 'reindex: missing' }]);
    expect(await indexed(ids.r1!)).toMatchObject({ provenance_run_id: next.firstExecutionRunId });
  });

  it('a terminated run (no cleanup) leaves a collection that the next run drops', { timeout: 180_000 }, async () => {
    let copying!: () => void;
    const copyStarted = new Promise<void>((r) => (copying = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    hooks = {
      copyCatalogPages: async () => {
        copying();
        await released;
        throw new Error('released after the termination');
      },
    };
    const before = await aliasTarget();
    const terminated = await start('drill: terminated');
    await copyStarted;
    await terminated.terminate('drill: an operator terminated the reindex');
    release();
    const orphan = `${alias}_r${terminated.firstExecutionRunId.replace(/-/g, '')}`;
    expect(await collectionExists(orphan)).toBe(true);
    expect(await aliasTarget()).toBe(before);

    hooks = {};
    const { report } = await reindex({ reason: 'after a terminated run' });
    expect(report.previousCollection).toBe(before);
    expect(await collectionExists(orphan)).toBe(false);
    expect(await collectionExists(before)).toBe(false);
    expect(await aliasTarget()).toBe(report.collection);
  });
});

describe('catalog reindex, single flight', () => {
  // a catalog whose task queue has no worker: the reindex stays running, deterministically
  let idle: Stack;
  beforeAll(async () => {
    idle = await openStack({ worker: false });
  });
  afterAll(async () => idle?.close());

  it('a request while a reindex runs joins it; a status without a worker has no progress', async () => {
    const root = idle.as('root');
    const first = await root.call<Started>('POST', '/catalog/reindex', { reason: 'first' });
    const second = await root.call<Started>('POST', '/catalog/reindex');
    expect(first.body.joined).toBe(false);
    expect(second.body).toEqual({ ...first.body, joined: true });
    const running = await root.call<Status>('GET', '/catalog/reindex');
    expect(running.body).toMatchObject({ workflowId: first.body.workflowId, runId: first.body.runId, status: 'running' });
    expect(running.body.report).toBeUndefined();
    expect(running.body.progress).toBeUndefined();
    await idle.client.workflow.getHandle(first.body.workflowId, first.body.runId).terminate('test cleanup');
    const after = await root.call<Status>('GET', '/catalog/reindex');
    expect(after.body).toMatchObject({ runId: first.body.runId, status: 'terminated' });
    // a new request after the end starts a new run
    const third = await root.call<Started>('POST', '/catalog/reindex');
    expect(third.body.joined).toBe(false);
    expect(third.body.runId).not.toBe(first.body.runId);
    await idle.client.workflow.getHandle(third.body.workflowId, third.body.runId).terminate('test cleanup');
  });
});
