import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { killWorker, startWorkerProcess } from '../support/worker-process.ts';
import { call, publishTemplate, requestInstall, waitForInstall } from '../marketplace/support.ts';
import { instanceRow, requestUpgrade, waitForUpgrade } from '../marketplace/upgrade-support.ts';

let s: Stack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  s = await openStack({ worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await s?.close();
});

const version = (name: string, v: string, extra: Record<string, unknown>) => {
  const spec = testSpec({ scope: 'global', name, version: v, extra });
  (spec.metadata as Record<string, unknown>).changelog = `Release ${v}.`;
  return spec;
};

describe('a worker killed during an upgrade', () => {
  it('completes the upgrade exactly once: one apply, one receipt, the instance on the new version', async () => {
    const first = await startWorkerProcess(s, children);
    const name = `upg-chaos-${s.suffix}`;
    const params = { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } } };
    const work = { id: 'work', task: 'transform@1.0.0', with: { expression: 'g', data: { g: '${{ params.greeting }}' } } };
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: params, steps: [work] }));
    const id = await requestInstall(s, 'gus', { templateId: template, environment: 'dev', parameters: { greeting: 'hi' } });
    expect((await waitForInstall(s, 'gus', id)).status).toBe('installed');
    // 2.0.0 renames the parameter (breaking: a second tenant admin approves), migrates it and smoke-tests
    await publishTemplate(
      s,
      version(name, '2.0.0', {
        parameters: { type: 'object', required: ['salutation'], properties: { salutation: { type: 'string' } } },
        steps: [{ ...work, with: { expression: 'g', data: { g: '${{ params.salutation }}' } } }],
        upgrade: { migration: { expression: "{ 'parameters': { 'salutation': parameters.greeting } }" }, smoke: { parameters: {} } },
      }),
    );
    const started = await requestUpgrade(s, 'gus', id, { toVersion: '2.0.0' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const opts = { runId: started.body.runId, timeoutMs: 120_000 };
    expect((await waitForUpgrade(s, 'gus', id, '2.0.0', ['awaiting_approval', 'blocked', 'failed'], opts)).status).toBe('awaiting_approval');

    // killed while the upgrade waits for its approval
    expect(await killWorker(first)).toBe('SIGKILL');
    const second = await startWorkerProcess(s, children);
    const approved = await call(s, 'dave', 'POST', `/instances/${id}/upgrades/2.0.0/approvals`, { decision: 'approve', rationale: 'Approved across a worker crash.' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    // and killed again at once, while it applies, smoke-tests and writes its receipt
    expect(await killWorker(second)).toBe('SIGKILL');
    await startWorkerProcess(s, children);

    const done = await waitForUpgrade(s, 'gus', id, '2.0.0', ['upgraded', 'rolled_back', 'failed', 'blocked', 'rejected'], opts);
    // either outcome is consistent; this one has nothing to fail for, so it upgrades
    expect(done.status, JSON.stringify(done.error ?? done.rollback)).toBe('upgraded');
    expect(await instanceRow(s, id)).toMatchObject({ version: '2.0.0', parameters: { salutation: 'hi' } });

    const [counts] = await s.sql`
      select (select count(*) from provenance_receipt where lifecycle = 'upgrade' and subject = ${`instance:${id}`})::int as receipts,
             (select count(*) from instance_upgrade where instance_id = ${id})::int as upgrades,
             (select count(*) from approval where workflow_id = ${`upgrade/${id}/2.0.0`})::int as approvals,
             (select count(*) from run where instance_id = ${id} and version = '2.0.0')::int as smokeRuns`;
    expect(counts).toEqual({ receipts: 1, upgrades: 1, approvals: 1, smokeruns: 1 });

    // each side effect was scheduled once in the lifecycle's history
    const history = await s.client.workflow.getHandle(`upgrade/${id}/2.0.0`).fetchHistory();
    const scheduled = (name: string) => (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;
    const children_ = (history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length;
    expect({ apply: scheduled('applyUpgrade'), complete: scheduled('completeUpgrade'), rollback: scheduled('rollbackUpgrade'), smokeRuns: children_ }).toEqual({
      apply: 1,
      complete: 1,
      rollback: 0,
      smokeRuns: 1,
    });
  }, 300_000);
});
