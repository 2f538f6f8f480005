import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, type Stack } from '../support/stack.ts';
import { startHeldFixture, type HeldFixture } from '../support/held-fixture.ts';
import { killWorker, startWorkerProcess } from '../support/worker-process.ts';
import { engineSpec, publishSpec, startRun, step, waitForRun } from '../engine/support.ts';

let s: Stack;
let fx: HeldFixture;
const children: ChildProcess[] = [];

beforeAll(async () => {
  s = await openStack({ worker: false });
  // step 1's first request is answered only after 4 s: longer than the kill point, longer than its 3 s timeout
  fx = await startHeldFixture({ '/employees': 4_000 });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fx?.close();
  await s?.close();
});

describe('a worker killed while a run step’s HTTP call is in flight', () => {
  it('retries the step on a new worker, and every side effect is applied exactly once', async () => {
    const first = await startWorkerProcess(s, children);
    const spec = engineSpec({
      steps: [
        // a short timeout: the killed worker's attempt is retried once it expires, not after the manifest's 60 s
        { id: 'create', task: 'http.request@1.0.0', timeout: '3s', with: { url: `${fx.url}/employees`, method: 'POST', body: { email: 'ada@example.com' } } },
        { id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'employeeId': id, 'email': email }", data: { id: '${{ steps.create.output.body.id }}', email: '${{ steps.create.output.body.body.email }}' } } },
        { id: 'notify', task: 'http.request@1.0.0', timeout: '3s', with: { url: `${fx.url}/welcome`, method: 'POST', body: { employeeId: '${{ steps.shape.output.result.employeeId }}' } } },
      ],
    });
    const id = await publishSpec(s, spec);
    const started = await startRun(s, 'alice', id);
    expect(started.status).toBe(202);
    const { runId, workflowId } = started.body;
    const createKey = `${workflowId}/create`;
    const notifyKey = `${workflowId}/notify`;

    // the endpoint has the request (and applied its effect) but has not answered yet
    await fx.arrived('/employees');
    expect(fx.callsByKey.get(createKey)).toBe(1);
    expect(await killWorker(first)).toBe('SIGKILL');

    await startWorkerProcess(s, children);
    const run = await waitForRun(s, 'alice', runId, (r) => r.status !== 'running', 90_000);
    expect(run.status).toBe('completed');
    expect(run.steps.map((st) => [st.id, st.status])).toEqual([
      ['create', 'completed'],
      ['shape', 'completed'],
      ['notify', 'completed'],
    ]);
    // the retried call got the stored result of the first one
    expect(step(run, 'create').output).toMatchObject({ status: 200, body: { id: 'effect-1', path: '/employees', body: { email: 'ada@example.com' } } });
    expect(step(run, 'shape').output).toEqual({ result: { employeeId: 'effect-1', email: 'ada@example.com' } });
    expect(step(run, 'notify').output).toMatchObject({ status: 201, body: { path: '/welcome', body: { employeeId: 'effect-1' } } });

    // step 1's key arrived at least twice, its effect was applied once; every step's effect exactly once
    expect(fx.callsByKey.get(createKey)).toBeGreaterThanOrEqual(2);
    expect(Object.fromEntries(fx.appliedByKey)).toEqual({ [createKey]: 1, [notifyKey]: 1 });
    expect(fx.requests.every((r) => r.key === createKey || r.key === notifyKey)).toBe(true);

    // the history shows step 1 started more than once (its last start is attempt > 1), the others once
    const history = await s.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const allScheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
    // the run's guardrails are decided (and recorded) once, before the first step
    expect(allScheduled.slice(0, 2).map((e) => e.activityTaskScheduledEventAttributes!.activityType?.name)).toEqual([
      'decideGuardrails',
      'recordRunGuardrails',
    ]);
    // the steps' activities are the task-registry ones, named `<task>@<version>`
    const scheduled = allScheduled.filter((e) => e.activityTaskScheduledEventAttributes!.activityType?.name?.includes('@'));
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType?.name)).toEqual([
      'http.request@1.0.0',
      'transform@1.0.0',
      'http.request@1.0.0',
    ]);
    const attemptOf = (scheduledEvent: (typeof events)[number]) =>
      events.find((e) => e.activityTaskStartedEventAttributes && Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(scheduledEvent.eventId))!
        .activityTaskStartedEventAttributes!.attempt;
    expect(attemptOf(scheduled[0]!)).toBeGreaterThan(1);
    expect(attemptOf(scheduled[1]!)).toBe(1);
    expect(attemptOf(scheduled[2]!)).toBe(1);
    const [row] = await s.sql`select status from run where id = ${runId}`;
    expect(row!.status).toBe('completed');
  }, 120_000);
});
