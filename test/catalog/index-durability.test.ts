import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../platform/embedded/ports.ts';
import { startTypesense, type RunningTypesense } from '../../platform/embedded/typesense.ts';
import { ensureCatalogCollection } from '../../platform/typesense.ts';
import { ensureSearchParentKey } from '../../platform/search-keys.ts';
import { ensureCatalogIndexCheck } from '../../workers/index-check-schedule.ts';
import { catalogIndexCheckScheduleId } from '../../workflows/contracts/index.ts';
import { stackEnv } from '../support/stack-env.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

// A Typesense of this file's own (the shared one must not restart under other files), with
// a persistent data dir and fixed ports, restarted the way npm start restarts it.
const dir = mkdtempSync(path.join(os.tmpdir(), 'maestro-index-durability-'));
const logFile = path.join(dir, 'typesense.log');
let ports: number[];
let typesense: RunningTypesense;
let s: Stack;

const startOwnTypesense = () =>
  startTypesense({
    dataDir: path.join(dir, 'typesense'),
    port: ports[0]!,
    peeringPort: ports[1]!,
    apiKey: stackEnv().typesenseApiKey,
    output: { file: logFile },
  });

/** The log lines of the latest start of our Typesense. */
const lastStartLog = () => {
  const log = readFileSync(logFile, 'utf8');
  return log.slice(log.lastIndexOf('Starting Typesense'));
};

beforeAll(async () => {
  ports = await freePorts(2);
  typesense = await startOwnTypesense();
  s = await openStack({ envOverrides: { TYPESENSE_URL: typesense.url } });
  // what the migration prepares on a fresh start
  await ensureCatalogCollection(s.typesense, s.config.TYPESENSE_COLLECTION);
  await ensureSearchParentKey(s.typesense, stackEnv().typesenseApiKey);
});
afterAll(async () => {
  await s?.client.schedule.getHandle(catalogIndexCheckScheduleId(s.config.TYPESENSE_COLLECTION)).delete().catch(() => {});
  await s?.close();
  await typesense?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function publishSome(count: number, word: string): Promise<string[]> {
  const alice = s.as('alice');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { body } = await alice.createDraft(testSpec({ description: `A ${word} report number ${i}` }));
    await alice.requestPublish(body.definitionId, '1.0.0');
    ids.push(body.definitionId);
  }
  for (const id of ids) expect(await alice.waitForPublish(id, '1.0.0', ['published'], 60_000)).toBe('published');
  return ids;
}

async function missingFromIndex(ids: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const id of ids) {
    await s.typesense
      .collections(s.config.TYPESENSE_COLLECTION)
      .documents(id)
      .retrieve()
      .catch((e: { httpStatus?: number }) => {
        if (e.httpStatus !== 404) throw e;
        missing.push(id);
      });
  }
  return missing;
}

describe('the search index across Typesense restarts', () => {
  it('keeps every document published right before Typesense was killed (the log replay)', async () => {
    const ids = await publishSome(8, 'finops');
    expect(await missingFromIndex(ids)).toEqual([]);

    // a crash: no snapshot, so the next start rebuilds everything from the Raft log
    process.kill(typesense.process.pid!, 'SIGKILL');
    await typesense.process.exited;
    typesense = await startOwnTypesense();
    expect(lastStartLog()).toContain('Snapshot does not exist');

    expect(await missingFromIndex(ids)).toEqual([]);
    const found = await s.typesense.collections(s.config.TYPESENSE_COLLECTION).documents().search({ q: 'finops', query_by: 'description', per_page: 50 });
    expect(found.found).toBeGreaterThanOrEqual(ids.length);
  });

  it('snapshots on a graceful stop, so the next start loads the snapshot instead of replaying the log', async () => {
    const ids = await publishSome(3, 'payroll');
    await typesense.stop();
    typesense = await startOwnTypesense();
    expect(lastStartLog()).not.toContain('Snapshot does not exist');
    expect(await missingFromIndex(ids)).toEqual([]);
  });

  it('finds a document deleted behind the application’s back and repairs it, on start and on schedule', async () => {
    const alias = s.config.TYPESENSE_COLLECTION;
    const [x, y] = await publishSome(2, 'audit');
    await s.typesense.collections(alias).documents(x!).delete();
    expect(await missingFromIndex([x!])).toEqual([x]);

    // what every worker does when it starts: the schedule, and one check right away
    await ensureCatalogIndexCheck(s.client, { taskQueue: s.config.TEMPORAL_TASK_QUEUE, alias, interval: '10s' });
    await until('the deleted document to be back', async () => ((await missingFromIndex([x!])).length === 0 ? true : undefined));
    const health = await until('health to show the check after the repair', async () => {
      const body = (await (await s.request('GET', '/api/health')).json()) as { index?: { kind: string; lag: number; repair?: { workflowId: string } } };
      return body.index?.kind === 'after-repair' ? body.index : undefined;
    });
    expect(health).toMatchObject({ lag: 0, repair: { workflowId: `catalog-reindex/${alias}` } });
    const [found] = await s.sql<{ missing: number }[]>`
      select missing from catalog_index_check where alias = ${alias} and kind = 'check' order by id desc limit 1`;
    expect(found!.missing).toBeGreaterThanOrEqual(1);

    // later, with nobody asking: the schedule's next check finds and repairs another
    await s.typesense.collections(alias).documents(y!).delete();
    await until('the second deleted document to be back', async () => ((await missingFromIndex([y!])).length === 0 ? true : undefined));
    await until('health to be ok again', async () => ((await s.request('GET', '/api/health')).status === 200 ? true : undefined));
  }, 180_000);
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
