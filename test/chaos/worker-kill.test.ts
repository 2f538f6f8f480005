import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { startWorkerProcess } from '../support/worker-process.ts';

let s: Stack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  s = await openStack({ worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await s?.close();
});

describe('a worker killed while a publish waits for approval', () => {
  it('completes the publish exactly once after a restart', async () => {
    const first = await startWorkerProcess(s, children);
    const spec = testSpec({ risk: 'medium', description: 'Survives a pangolin-grade worker crash' });
    const alice = s.as('alice');
    const { body: draft } = await alice.createDraft(spec);
    const id = draft.definitionId;
    await alice.requestPublish(id, '1.0.0');
    expect(await alice.waitForPublish(id, '1.0.0', ['awaiting_approval'])).toBe('awaiting_approval');

    const exited = new Promise((r) => first.once('exit', (_code, signal) => r(signal)));
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await startWorkerProcess(s, children);
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
