// Workflows of the engine benchmark: the engine itself, and the same three steps written
// by hand — the baseline the engine is measured against.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { AdapterInput } from '../domain/adapter-io.ts';

export * from '../workflows/index.ts';

type Transform = (input: AdapterInput) => Promise<{ result: unknown }>;
const acts = proxyActivities<Record<'transform@1.0.0', Transform>>({ startToCloseTimeout: '60 seconds', retry: { maximumAttempts: 1 } });

export async function handwrittenThreeSteps(input: { runId: string; tenantId: string; n: number }) {
  const context = (stepId: string) => ({ tenantId: input.tenantId, workflowId: `bench/${input.runId}`, runId: input.runId, stepId, idempotencyKey: `bench/${input.runId}/${stepId}` });
  const a = await acts['transform@1.0.0']({ inputs: { expression: 'n + 1', data: { n: input.n } }, context: context('one') });
  const b = await acts['transform@1.0.0']({ inputs: { expression: 'n * 2', data: { n: a.result } }, context: context('two') });
  return acts['transform@1.0.0']({ inputs: { expression: "{ 'value': n }", data: { n: b.result } }, context: context('three') });
}

/**
 * A long history of real events for the trust benchmark: `timers` timers (a TimerStarted
 * and a TimerFired event each), started in waves of 500 — the dev server's SQLite store
 * cannot take thousands of timers in one workflow task.
 */
export async function longHistory(input: { timers: number }): Promise<number> {
  for (let left = input.timers; left > 0; left -= 500) {
    await Promise.all(Array.from({ length: Math.min(500, left) }, () => sleep(100)));
  }
  return input.timers;
}
