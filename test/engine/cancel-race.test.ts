import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { openStack, type Stack } from '../support/stack.ts';
import { startWorkerProcess } from '../support/worker-process.ts';
import { engineSpec, publishSpec, startRun, waitForRun } from './support.ts';

// The worker runs as its own process, as under npm start: its first workflow task of a run
// comes later than an in-process worker's, which is where the cancel used to get lost.
let s: Stack;
const children: ChildProcess[] = [];
beforeAll(async () => {
  s = await openStack({ worker: false });
  await startWorkerProcess(s, children);
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await s?.close();
});

describe('a cancel that races the start of its run', () => {
  const race = async (id: string, i: number) => {
    const started = await startRun(s, 'alice', id);
    expect(started.status).toBe(202);
    const res = await s.request('POST', `/api/runs/${started.body.runId}/cancel`, { user: 'alice', body: JSON.stringify({ reason: `race ${i}` }) });
    const body = (await res.json()) as { code?: string };
    return { status: res.status, runId: started.body.runId, ...(body.code ? { code: body.code } : {}) };
  };

  it('is applied or answered 409, never 500 and never lost (50 runs: one that waits, one that ends at once)', async () => {
    const waits = await publishSpec(
      s,
      engineSpec({ steps: [{ id: 'wait', task: 'delay@1.0.0', with: { duration: '30s' } }, { id: 'after', task: 'transform@1.0.0', with: { expression: '1', data: {} } }] }),
    );
    const quick = await publishSpec(s, engineSpec({ steps: [{ id: 'only', task: 'transform@1.0.0', with: { expression: '1', data: {} } }] }));
    const outcomes: { status: number; code?: string; runId: string; quick: boolean }[] = [];
    for (let i = 0; i < 25; i++) {
      outcomes.push({ ...(await race(waits, i)), quick: false });
      outcomes.push({ ...(await race(quick, i)), quick: true });
    }
    expect(outcomes.filter((o) => o.status !== 202 && !(o.status === 409 && o.code === 'RUN_NOT_RUNNING'))).toEqual([]);
    expect(outcomes.filter((o) => !o.quick && o.status !== 202)).toEqual([]);
    for (const o of outcomes) {
      const run = await waitForRun(s, 'alice', o.runId, (r) => r.status !== 'running', 20_000);
      // an accepted cancel took effect; a refused one found the run already finished
      if (o.status === 202) expect(run).toMatchObject({ status: 'cancelled', cancellation: { by: 'alice' } });
      else expect(run.status).toBe('completed');
    }
  }, 240_000);
});
