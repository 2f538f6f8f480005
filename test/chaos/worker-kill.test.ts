import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  s = await openStack({ worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await s?.close();
});

/** The real worker entry point as its own process, on this file's task queue. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: s.env.databaseUrl,
      TEMPORAL_ADDRESS: s.config.temporalAddress,
      TEMPORAL_TASK_QUEUE: s.config.TEMPORAL_TASK_QUEUE,
      TYPESENSE_URL: s.config.typesenseUrl,
      TYPESENSE_API_KEY: s.env.typesenseApiKey,
      TYPESENSE_COLLECTION: s.config.TYPESENSE_COLLECTION,
      CODEC_KEYS: s.env.codecKeys,
      AUTH_JWT_SECRET: s.env.jwtSecret,
      DATA_DIR: s.env.dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('"worker started"')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it started:\n${output.slice(-2000)}`)));
  });
}

describe('a worker killed while a publish waits for approval', () => {
  it('completes the publish exactly once after a restart', async () => {
    const first = await startWorkerProcess();
    const spec = testSpec({ risk: 'medium', description: 'Survives a pangolin-grade worker crash' });
    const alice = s.as('alice');
    const { body: draft } = await alice.createDraft(spec);
    const id = draft.definitionId;
    await alice.requestPublish(id, '1.0.0');
    expect(await alice.waitForPublish(id, '1.0.0', ['awaiting_approval'])).toBe('awaiting_approval');

    const exited = new Promise((r) => first.once('exit', (_code, signal) => r(signal)));
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await startWorkerProcess();
    const approved = await s.as('bob').decide(id, '1.0.0', 'approve', 'Approved after the worker restart.');
    expect(approved.status).toBe(200);
    expect(await alice.waitForPublish(id, '1.0.0', ['published'], 60_000)).toBe('published');

    const counts = await s.sql`
      select (select count(*) from workflow_version where definition_id = ${id})::int as versions,
             (select count(*) from workflow_version where definition_id = ${id} and status = 'published')::int as published,
             (select count(*) from approval where definition_id = ${id})::int as approvals,
             (select count(*) from provenance_receipt where subject = ${`${id}@1.0.0`})::int as receipts`;
    expect(counts[0]).toEqual({ versions: 1, published: 1, approvals: 1, receipts: 1 });

    const docs = await s.typesense
      .collections(s.config.TYPESENSE_COLLECTION)
      .documents()
      .search({ q: 'pangolin', query_by: 'description', filter_by: `id:=\`${id}\`` });
    expect(docs.found).toBe(1);

    // the lifecycle ran its publishing step once: one completePublish in the history
    const history = await s.client.workflow.getHandle(`publish/${id}/1.0.0`).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'completePublish');
    expect(scheduled).toHaveLength(1);
  });
});
