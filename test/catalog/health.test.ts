import { passReview } from '../review/support.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHealthActivities } from '../../activities/health.ts';
import { createCatalogActivities, lockCatalogWrites } from '../../activities/catalog.ts';
import type { Sql } from '../../platform/db.ts';
import type { CatalogDetail } from '../../domain/catalog.ts';
import type { CatalogDocument } from '../../platform/typesense.ts';
import { HEALTH_ROLLUP_WORKFLOW_TYPE, type HealthRollupResult } from '../../workflows/contracts/index.ts';
import { ensureHealthRollupSchedule, intervalMs } from '../../workers/health-rollup-schedule.ts';
import { loadConfig } from '../../platform/config.ts';
import { expectApiError } from '../support/expect-api-error.ts';
import { openStack, testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { install } from '../marketplace/support.ts';
import { publishSpec, startRun, waitForRun } from '../engine/support.ts';

let s: Stack;
let k: string; // a tag unique to this file: the read model is shared by every test file
beforeAll(async () => {
  s = await openStack();
  k = `h-${s.suffix}`;
});
afterAll(async () => s?.close());

const DAY_MS = 86_400_000;

/** A spec whose runs complete, fail (params.fail) or wait ten minutes (params.wait, to be cancelled). */
function healthSpec(name: string, scope: 'global' | 'tenant-local') {
  const spec = testSpec({
    name,
    scope,
    description: `Health rollup test workflow (${scope})`,
    extra: {
      parameters: { type: 'object', properties: { fail: { type: 'boolean', default: false }, wait: { type: 'boolean', default: false } } },
      steps: [
        { id: 'hold', task: 'delay@1.0.0', when: 'params.wait', with: { duration: '10m' } },
        { id: 'work', task: 'transform@1.0.0', with: { expression: 'fail ? $error("asked to fail") : "done"', data: { fail: '${{ params.fail }}' } } },
      ],
    },
  });
  spec.metadata.tags = ['test', k];
  return spec;
}

/** Publishes a global spec: it needs a reviewer (bob) even at low risk. */
async function publishGlobal(spec: ReturnType<typeof testSpec>): Promise<string> {
  const pat = s.as('pat');
  const { body } = await pat.createDraft(spec);
  await pat.requestPublish(body.definitionId, spec.metadata.version);
  expect(await pat.waitForPublish(body.definitionId, spec.metadata.version, ['awaiting_approval', 'published', 'denied', 'invalid'])).toBe('awaiting_approval');
  await s.as('bob').decide(body.definitionId, spec.metadata.version, 'approve', 'Health test workflow reviewed.');
  expect(await pat.waitForPublish(body.definitionId, spec.metadata.version, ['published'])).toBe('published');
  // other tenants install it once its platform review passed
  await passReview(s, body.definitionId, spec.metadata.version);
  return body.definitionId;
}

async function run(user: DemoUser, id: string, params: { fail?: boolean; wait?: boolean } = {}) {
  const started = await startRun(s, user, id, { params });
  expect(started.status).toBe(202);
  if (params.wait) {
    await waitForRun(s, user, started.body.runId, (r) => r.steps.some((st) => st.id === 'hold' && st.status === 'running'));
    await s.as(user).call('POST', `/runs/${started.body.runId}/cancel`, { reason: 'Health test: cancelled on purpose.' });
  }
  const end = await waitForRun(s, user, started.body.runId);
  expect(end.status).toBe(params.wait ? 'cancelled' : params.fail ? 'failed' : 'completed');
  return started.body.runId;
}

/** A run of an installed instance (another tenant's way to run a template), to its end. */
async function instanceRun(user: DemoUser, instanceId: string, params: { fail?: boolean } = {}) {
  const started = await s.as(user).call<{ runId: string }>('POST', `/instances/${instanceId}/runs`, { params });
  expect(started.status).toBe(202);
  const end = await waitForRun(s, user, started.body.runId);
  expect(end.status).toBe(params.fail ? 'failed' : 'completed');
  return started.body.runId;
}

async function rollUp(suffix: string) {
  const handle = await s.client.workflow.start(HEALTH_ROLLUP_WORKFLOW_TYPE, {
    taskQueue: s.config.TEMPORAL_TASK_QUEUE,
    workflowId: `health-rollup-test-${s.suffix}-${suffix}`,
    args: [{}],
  });
  const result = (await handle.result()) as HealthRollupResult;
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, result };
}

const documentOf = (id: string) => s.typesense.collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION).documents(id).retrieve();
const detailOf = (user: DemoUser, id: string) => s.as(user).call<CatalogDetail>('GET', `/catalog/${id}`).then((r) => r.body);
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const historyUrl = (workflowId: string, runId: string) =>
  `${s.config.temporalUiUrl}/namespaces/${s.config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;

interface RunRow {
  id: string;
  tenant_id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
}

describe('health rollup', () => {
  let globalId: string;
  let localId: string;
  const runIds: Record<'acme' | 'globex', string[]> = { acme: [], globex: [] };
  let first: Awaited<ReturnType<typeof rollUp>>;

  beforeAll(async () => {
    globalId = await publishGlobal(healthSpec(`health-global-${s.suffix}`, 'global'));
    localId = await publishSpec(s, healthSpec(`health-local-${s.suffix}`, 'tenant-local'), 'alice');
    // the global entry: runs of two tenants — 4 completed, 2 failed, 1 cancelled; the newest completes
    for (const p of [{}, {}, { fail: true }, { wait: true }, {}]) runIds.acme.push(await run('alice', globalId, p));
    // globex's runs: its tenant admin installs the template, carol runs the instance
    const instance = await install(s, 'gus', { templateId: globalId, environment: 'staging' });
    runIds.globex.push(await instanceRun('carol', instance, { fail: true }));
    runIds.globex.push(await instanceRun('carol', instance));
    // the tenant-local entry: one completed run
    runIds.acme.push(await run('alice', localId));
    first = await rollUp('1');
  }, 240_000);

  it('writes a snapshot with the figures of every tenant\'s runs in the window', async () => {
    expect(first.result.windowDays).toBe(30);
    expect(first.result.changed).toBeGreaterThanOrEqual(2);
    expect(Date.parse(first.result.windowEnd) - Date.parse(first.result.windowStart)).toBe(30 * DAY_MS);

    // the marketplace review's performance runs are dry runs: recorded, but not usage
    const dry = await s.sql<{ n: number }[]>`select count(*)::int as n from run where definition_id = ${globalId} and mode = 'dry-run'`;
    expect(dry[0]!.n).toBe(s.config.REVIEW_PERF_RUNS);
    const runs = await s.sql<RunRow[]>`select id, tenant_id, status, started_at, finished_at, duration_ms from run where definition_id = ${globalId} and mode = 'live'`;
    expect(runs.map((r) => r.tenant_id).sort()).toEqual(['acme', 'acme', 'acme', 'acme', 'acme', 'globex', 'globex']);
    const completed = runs.filter((r) => r.status === 'completed');
    const newest = [...runs].sort((a, b) => b.started_at.getTime() - a.started_at.getTime())[0]!;
    const snapshots = await s.sql`
      select tenant_id, window_start, window_end, run_count, failure_rate, avg_duration_ms, last_status, last_run_at, workflow_id, run_id
      from health_snapshot where definition_id = ${globalId}`;
    expect(snapshots).toEqual([
      {
        tenant_id: 'acme', // the entry's owner; the figures are aggregates of everyone's runs
        window_start: new Date(first.result.windowStart),
        window_end: new Date(first.result.windowEnd),
        run_count: 7,
        failure_rate: '0.3333', // 2 failed of 6 finished; the cancelled run is not rated
        avg_duration_ms: Math.round(completed.reduce((sum, r) => sum + r.duration_ms!, 0) / completed.length),
        last_status: 'completed',
        last_run_at: newest.finished_at,
        workflow_id: first.workflowId,
        run_id: first.runId,
      },
    ]);
    const [update] = await s.sql`select lifecycle, workflow_id, run_id, reason from catalog_update where definition_id = ${globalId} order by id desc limit 1`;
    expect(update).toEqual({ lifecycle: 'health-rollup', workflow_id: first.workflowId, run_id: first.runId, reason: 'health: 7 runs in 30 days, 33% failed' });
  });

  it('updates the search documents: usage, health fields and the rollup as provenance', async () => {
    const [snap] = await s.sql<{ avg_duration_ms: number; last_run_at: Date }[]>`select avg_duration_ms, last_run_at from health_snapshot where definition_id = ${globalId}`;
    expect(await documentOf(globalId)).toMatchObject({
      usage: 7,
      health_failure_rate: 0.3333,
      health_last_status: 'completed',
      health_avg_duration_ms: snap!.avg_duration_ms,
      last_run_at: seconds(snap!.last_run_at),
      provenance_workflow_id: first.workflowId,
      provenance_run_id: first.runId,
    });
    expect(await documentOf(localId)).toMatchObject({ usage: 1, health_failure_rate: 0, health_last_status: 'completed', provenance_workflow_id: first.workflowId });

    const list = async (sort: string) =>
      (await s.as('alice').call<{ items: { id: string }[] }>('GET', `/catalog?tags=${k}&sort=${sort}`)).body.items.map((i) => i.id);
    expect(await list('usage')).toEqual([globalId, localId]);
    expect(await list('updated')).toEqual([localId, globalId]); // the local entry was published last
  });

  it('shows health and the rollup in the detail, to every tenant that sees the entry', async () => {
    const [snap] = await s.sql<{ avg_duration_ms: number; last_run_at: Date }[]>`select avg_duration_ms, last_run_at from health_snapshot where definition_id = ${globalId}`;
    for (const user of ['alice', 'carol'] as const) {
      const d = await detailOf(user, globalId);
      expect(d.health).toEqual({
        windowDays: 30,
        runCount: 7,
        lastRunStatus: 'completed',
        lastRunAt: snap!.last_run_at.toISOString(),
        failureRate: 0.3333,
        avgDurationMs: snap!.avg_duration_ms,
        computedAt: first.result.windowEnd,
      });
      expect(d.provenance[0]).toEqual({
        lifecycle: 'health-rollup',
        workflowId: first.workflowId,
        runId: first.runId,
        reason: 'health: 7 runs in 30 days, 33% failed',
        at: expect.any(String),
        temporalUiUrl: historyUrl(first.workflowId, first.runId),
      });
      expect(d.provenance.map((p) => p.lifecycle)).toEqual(['health-rollup', 'publish']);
      expect(d.trust.warnings).toContain('failing: 33% of runs failed in 30 days');
      expect(d.trust.warnings).not.toContain('never run');
    }
  });

  it('names no other tenant and no run id anywhere', async () => {
    const everyRunId = [...runIds.acme, ...runIds.globex];
    const texts = {
      document: JSON.stringify(await documentOf(globalId)),
      acmeDetail: JSON.stringify(await detailOf('alice', globalId)),
      globexDetail: JSON.stringify(await detailOf('carol', globalId)),
      reasons: JSON.stringify(await s.sql`select reason from catalog_update where definition_id = ${globalId}`),
    };
    for (const [what, text] of Object.entries(texts)) {
      for (const runId of everyRunId) expect(text, `${what} names run ${runId}`).not.toContain(runId);
      expect(text, `${what} names carol`).not.toContain('carol');
      expect(text, `${what} names globex's tenant admin`).not.toContain('gus');
    }
    // acme's reader learns nothing about globex beyond the counts
    expect(texts.acmeDetail).not.toContain('globex');
    expect(texts.document).not.toContain('globex');
  });

  it('a platform admin starts one on demand; with no new runs it writes nothing new', async () => {
    await expectApiError(s.as('alice').call('POST', '/catalog/health-rollups', {}), 403, 'ROLE_REQUIRED');
    // the role is checked before the body: a non-admin never learns the body's rules
    await expectApiError(s.as('alice').call('POST', '/catalog/health-rollups', { windowDays: 0 }), 403, 'ROLE_REQUIRED');
    await expectApiError(s.as('alice').call('POST', '/catalog/health-rollups', { bogus: true }), 403, 'ROLE_REQUIRED');
    await expectApiError(s.as('root').call('POST', '/catalog/health-rollups', { windowDays: 0 }), 422, 'VALIDATION_FAILED');
    const count = async () =>
      (await s.sql<{ n: number }[]>`
        select (select count(*) from health_snapshot where definition_id = any(${[globalId, localId]}::text[]))
             + (select count(*) from catalog_update where definition_id = any(${[globalId, localId]}::text[]))::int as n`)[0]!.n;
    const before = await count();

    const started = await s.as('root').call<{ workflowId: string; runId: string; temporalUrl: string }>('POST', '/catalog/health-rollups');
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toMatch(/^catalog-health-rollup\/manual-[0-9a-f-]{36}$/);
    expect(started.body.temporalUrl).toBe(historyUrl(started.body.workflowId, started.body.runId));
    const second = (await s.client.workflow.getHandle(started.body.workflowId, started.body.runId).result()) as HealthRollupResult;
    expect(second.considered).toBeGreaterThanOrEqual(2); // it looked at them again …
    expect(await count()).toBe(before); // … and found nothing to change
    expect(await documentOf(globalId)).toMatchObject({ provenance_workflow_id: first.workflowId, provenance_run_id: first.runId });
  });

  it('the catalog reindex also refuses a non-admin before reading the body (403, not 422)', async () => {
    await expectApiError(s.as('alice').call('POST', '/catalog/reindex', { reason: '' }), 403, 'ROLE_REQUIRED');
    await expectApiError(s.as('carol').call('POST', '/catalog/reindex', { bogus: true }), 403, 'ROLE_REQUIRED');
    // an admin's bad body is still a validation error (nothing is started)
    await expectApiError(s.as('root').call('POST', '/catalog/reindex', { bogus: true }), 422, 'VALIDATION_FAILED');
  });

  it('an entry whose runs left the window goes back to zero', async () => {
    // Time travel for the local entry's only run: it started just inside the previous
    // window, so by the next rollup it has left it (as it would after 30 days).
    const [previous] = await s.sql<{ window_start: Date }[]>`select window_start from health_rollup order by window_end desc limit 1`;
    await s.sql`
      update run set started_at = ${new Date(previous!.window_start.getTime() + 1)},
                     finished_at = ${new Date(previous!.window_start.getTime() + 2)}
      where definition_id = ${localId}`;
    const third = await rollUp('3');
    const [snap] = await s.sql`
      select run_count, failure_rate, avg_duration_ms, last_status, workflow_id from health_snapshot
      where definition_id = ${localId} order by window_end desc limit 1`;
    expect(snap).toEqual({ run_count: 0, failure_rate: null, avg_duration_ms: null, last_status: 'completed', workflow_id: third.workflowId });
    const doc = await documentOf(localId);
    expect(doc).toMatchObject({ usage: 0, provenance_workflow_id: third.workflowId, provenance_run_id: third.runId });
    expect(doc.health_failure_rate).toBeUndefined();
    const d = await detailOf('alice', localId);
    expect(d.health).toMatchObject({ runCount: 0, lastRunStatus: 'completed' });
    expect(d.trust.warnings).toContain('no runs in 30 days');
    expect(d.provenance[0]).toMatchObject({ lifecycle: 'health-rollup', reason: 'health: no runs in 30 days', workflowId: third.workflowId });
    // the global entry did not change: no new snapshot
    expect((await s.sql`select 1 from health_snapshot where definition_id = ${globalId}`).length).toBe(1);
  });
});

describe('health rollup activity', () => {
  it('a retried attempt resumes after the last batch its predecessor finished (heartbeat details)', async () => {
    const a = await publishSpec(s, healthSpec(`resume-a-${s.suffix}`, 'tenant-local'), 'alice');
    const b = await publishSpec(s, healthSpec(`resume-b-${s.suffix}`, 'tenant-local'), 'alice');
    expect(a < b).toBe(true);
    await run('alice', a);
    await run('alice', b);
    // as if an earlier attempt had finished every candidate up to and including `a`
    const env = new MockActivityEnvironment({ heartbeatDetails: { cursor: a, changed: 5, batches: 2 } });
    const beats: { cursor: string }[] = [];
    env.on('heartbeat', (d: { cursor: string }) => beats.push(d));
    const { rollUpHealth } = createHealthActivities({ sql: s.sql, typesense: s.typesense, collection: s.config.TYPESENSE_COLLECTION });
    const workflowId = `health-rollup-resume-${s.suffix}`;
    const result = await env.run(rollUpHealth, { windowDays: 30, windowEnd: new Date().toISOString(), workflowId, runId: 'attempt-2' });
    expect(result).toMatchObject({ changed: 6, batches: 3 }); // the predecessor's counters, plus b
    expect(beats.at(-1)!.cursor >= b).toBe(true);
    expect(await s.sql`select definition_id from health_snapshot where workflow_id = ${workflowId}`).toEqual([{ definition_id: b }]);
    expect(await s.sql`select definition_id from catalog_update where workflow_id = ${workflowId}`).toEqual([{ definition_id: b }]);
  });
});

describe('health rollup writes', () => {
  const activities = (collection = s.config.TYPESENSE_COLLECTION) => createHealthActivities({ sql: s.sql, typesense: s.typesense, collection });
  /** One rollup as the workflow runs it: its own workflow id, the window ending now (or at `windowEnd`). */
  const rollUpNow = (workflowId: string, opts: { collection?: string; windowEnd?: Date } = {}) =>
    new MockActivityEnvironment().run(activities(opts.collection).rollUpHealth, {
      windowDays: 30,
      windowEnd: (opts.windowEnd ?? new Date()).toISOString(),
      workflowId,
      runId: `${workflowId}-run`,
    }) as Promise<HealthRollupResult>;
  const rowsOf = async (workflowId: string) =>
    (await s.sql<{ n: number }[]>`
      select ((select count(*) from health_snapshot where workflow_id = ${workflowId})
            + (select count(*) from catalog_update where workflow_id = ${workflowId}))::int as n`)[0]!.n;

  it('keeps the newest 10 health rollups of an entry (catalog updates and snapshots); its publish stays in the detail', { timeout: 180_000 }, async () => {
    const id = await publishSpec(s, healthSpec(`retention-${s.suffix}`, 'tenant-local'), 'alice');
    const rollups: string[] = [];
    for (let i = 0; i < 13; i++) {
      await run('alice', id); // one more run: the figures change every time
      const workflowId = `health-rollup-retention-${s.suffix}-${i}`;
      expect((await rollUpNow(workflowId)).changed).toBeGreaterThanOrEqual(1);
      rollups.push(workflowId);
    }
    const newest = rollups.slice(-10).reverse();
    const health = async () =>
      (await s.sql<{ workflow_id: string }[]>`
        select workflow_id from catalog_update where definition_id = ${id} and lifecycle = 'health-rollup' order by id desc`).map((r) => r.workflow_id);
    const snapshots = async () =>
      (await s.sql<{ workflow_id: string; run_count: number }[]>`
        select workflow_id, run_count from health_snapshot where definition_id = ${id} order by window_end desc`).map((r) => [r.workflow_id, r.run_count]);
    expect(await health()).toEqual(newest);
    expect(await snapshots()).toEqual(newest.map((w, i) => [w, 13 - i]));

    const d = await detailOf('alice', id);
    expect(d.provenance.map((p) => [p.lifecycle, p.workflowId])).toEqual([
      ...newest.map((w) => ['health-rollup', w]),
      ['publish', `publish/${id}/1.0.0`],
    ]);

    // a retried attempt of the newest rollup (same window, same run) changes nothing
    const last = rollups.at(-1)!;
    const [w] = await s.sql<{ window_end: Date }[]>`select window_end from health_snapshot where workflow_id = ${last} and definition_id = ${id}`;
    await rollUpNow(last, { windowEnd: w!.window_end });
    expect(await health()).toEqual(newest);
    expect((await snapshots()).length).toBe(10);
  });

  it('an import Typesense refuses writes nothing to Postgres; the retry writes it all', async () => {
    const id = await publishSpec(s, healthSpec(`import-fails-${s.suffix}`, 'tenant-local'), 'alice');
    await run('alice', id);
    const workflowId = `health-rollup-import-fails-${s.suffix}`;
    const windowEnd = new Date();
    // the same rollup, pointed at a catalog alias that is not there: its write fails
    await expect(rollUpNow(workflowId, { collection: `no-such-collection-${s.suffix}`, windowEnd })).rejects.toThrow(/points to no collection/);
    expect(await rowsOf(workflowId)).toBe(0);
    expect((await documentOf(id)).usage).toBe(0);
    // its retry (the same window) computes and writes the whole change
    const result = await rollUpNow(workflowId, { windowEnd });
    expect(result.changed).toBeGreaterThanOrEqual(1);
    expect(await s.sql`select run_count from health_snapshot where definition_id = ${id} and workflow_id = ${workflowId}`).toEqual([{ run_count: 1 }]);
    expect(await documentOf(id)).toMatchObject({ usage: 1, provenance_workflow_id: workflowId, provenance_run_id: `${workflowId}-run` });
  });

  /**
   * Holds the catalog write lock (as a rollup's batch would) while `start` begins a write;
   * returns once that write waited for the lock, then releases it and awaits the write.
   */
  async function whileLocked(start: () => Promise<unknown>, whileWaiting: () => Promise<void>) {
    let write: Promise<unknown> | undefined;
    await s.sql.begin(async (tx) => {
      await lockCatalogWrites(tx as unknown as Sql);
      write = start();
      for (let i = 0; ; i++) {
        const [w] = await s.sql<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`;
        if (w!.n > 0) break;
        expect(i, 'the write never waited for the lock').toBeLessThan(200);
        await new Promise((r) => setTimeout(r, 50));
      }
      await whileWaiting();
    });
    await write;
  }

  it('rollups and publishes take turns: a write waits while another holds the catalog write lock', async () => {
    const id = await publishSpec(s, healthSpec(`turns-${s.suffix}`, 'tenant-local'), 'alice');
    await run('alice', id);
    const workflowId = `health-rollup-turns-${s.suffix}`;
    await whileLocked(
      () => rollUpNow(workflowId),
      async () => expect(await rowsOf(workflowId)).toBe(0),
    );
    expect(await rowsOf(workflowId)).toBe(2); // a snapshot and a catalog update

    const { indexCatalogEntry } = createCatalogActivities({ sql: s.sql, typesense: s.typesense, collection: s.config.TYPESENSE_COLLECTION });
    const write = { definitionId: id, workflowId: `publish-turns-${s.suffix}`, runId: 'r1' };
    await whileLocked(
      () => indexCatalogEntry(write),
      async () => expect(await rowsOf(write.workflowId)).toBe(0),
    );
    expect(await rowsOf(write.workflowId)).toBe(1);
    expect(await documentOf(id)).toMatchObject({ usage: 1, provenance_workflow_id: write.workflowId });
  });

  it('an older window does not write over a newer rollup of the same entry', async () => {
    const id = await publishSpec(s, healthSpec(`older-${s.suffix}`, 'tenant-local'), 'alice');
    await run('alice', id);
    const [r] = await s.sql<{ finished_at: Date }[]>`select finished_at from run where definition_id = ${id}`;
    const newer = `health-rollup-newer-${s.suffix}`;
    const older = `health-rollup-older-${s.suffix}`;
    await rollUpNow(newer);
    // a rollup that started earlier (its window ends before the newer one's) writes last
    await rollUpNow(older, { windowEnd: new Date(r!.finished_at.getTime() + 1) });
    expect(await s.sql`select workflow_id from health_snapshot where definition_id = ${id}`).toEqual([{ workflow_id: newer }]);
    expect(await s.sql`select workflow_id from catalog_update where definition_id = ${id} and lifecycle = 'health-rollup'`).toEqual([{ workflow_id: newer }]);
    expect(await documentOf(id)).toMatchObject({ usage: 1, provenance_workflow_id: newer });
  });
});

describe('health rollup schedule', () => {
  it('takes its interval from HEALTH_ROLLUP_INTERVAL (default 5 minutes) and refuses nonsense by name', () => {
    expect(loadConfig({}).HEALTH_ROLLUP_INTERVAL).toBe('5m');
    expect(intervalMs(loadConfig({}).HEALTH_ROLLUP_INTERVAL)).toBe(300_000);
    expect(intervalMs(loadConfig({ HEALTH_ROLLUP_INTERVAL: '1h' }).HEALTH_ROLLUP_INTERVAL)).toBe(3_600_000);
    expect(loadConfig({ HEALTH_ROLLUP_INTERVAL: 'off' }).HEALTH_ROLLUP_INTERVAL).toBe('off');
    for (const bad of ['5', '5 minutes', '0m', '3s', '-1m']) expect(() => loadConfig({ HEALTH_ROLLUP_INTERVAL: bad })).toThrow(/HEALTH_ROLLUP_INTERVAL/);
  });

  it('is created once, updated when the interval changes, paused with "off"; overlapping rollups are skipped', async () => {
    const scheduleId = `catalog-health-rollup-test-${randomUUID().slice(0, 8)}`;
    // a task queue without a worker: should the schedule fire during the test, nothing runs
    const opts = { scheduleId, taskQueue: `no-worker-${s.suffix}` };
    try {
      expect(await ensureHealthRollupSchedule(s.client, { ...opts, interval: '5m' })).toBe('created');
      expect(await ensureHealthRollupSchedule(s.client, { ...opts, interval: '5m' })).toBe('unchanged');
      expect(await ensureHealthRollupSchedule(s.client, { ...opts, interval: '10m' })).toBe('updated');
      const d = await s.client.schedule.getHandle(scheduleId).describe();
      expect(d.spec.intervals?.map((i) => i.every)).toEqual([600_000]);
      expect(d.policies.overlap).toBe('SKIP');
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: HEALTH_ROLLUP_WORKFLOW_TYPE, taskQueue: opts.taskQueue, workflowId: scheduleId });
      expect(await ensureHealthRollupSchedule(s.client, { ...opts, interval: 'off' })).toBe('paused');
      expect((await s.client.schedule.getHandle(scheduleId).describe()).state.paused).toBe(true);
      expect(await ensureHealthRollupSchedule(s.client, { ...opts, interval: '10m' })).toBe('updated'); // unpaused
    } finally {
      const handle = s.client.schedule.getHandle(scheduleId);
      const d = await handle.describe().catch(() => undefined);
      await handle.delete().catch(() => {});
      for (const a of d?.info.runningActions ?? []) await s.client.workflow.getHandle(a.workflow.workflowId).terminate('test cleanup').catch(() => {});
    }
  });
});
