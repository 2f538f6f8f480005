import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, type Stack } from '../support/stack.ts';
import { startHeldFixture, type HeldFixture } from '../support/held-fixture.ts';
import { startWorkerProcess } from '../support/worker-process.ts';
import { engineSpec, publishSpec, startRun, waitForRun } from '../engine/support.ts';

let s: Stack;
let fx: HeldFixture;
const children: ChildProcess[] = [];

beforeAll(async () => {
  s = await openStack({ worker: false });
  // the step's call is answered after 2 s: the worker is asked to stop while it waits
  fx = await startHeldFixture({ '/employees': 2_000 });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fx?.close();
  await s?.close();
});

describe('a worker asked to stop (SIGTERM) while a step is in flight', () => {
  it('lets the step finish and report before it exits, so nothing waits for a timeout', async () => {
    const worker = await startWorkerProcess(s, children);
    const spec = engineSpec({
      steps: [{ id: 'create', task: 'http.request@1.0.0', timeout: '5m', with: { url: `${fx.url}/employees`, method: 'POST', body: { email: 'ada@example.com' } } }],
    });
    const id = await publishSpec(s, spec);
    const started = await startRun(s, 'alice', id);
    expect(started.status).toBe(202);
    const { runId, workflowId } = started.body;

    await fx.arrived('/employees');
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);

    // the stopped worker reported the step's result: the first attempt completed
    const events = (await s.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const startedEvent = events.find((e) => e.activityTaskStartedEventAttributes);
    expect(startedEvent?.activityTaskStartedEventAttributes?.attempt).toBe(1);
    expect(events.some((e) => e.activityTaskCompletedEventAttributes)).toBe(true);
    expect(events.some((e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes)).toBe(false);

    // a new worker carries on with the workflow task alone
    await startWorkerProcess(s, children);
    const run = await waitForRun(s, 'alice', runId, (r) => r.status !== 'running', 60_000);
    expect(run.status).toBe('completed');
    expect(fx.callsByKey.get(`${workflowId}/create`)).toBe(1);
  }, 120_000);
});
