import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, type Stack } from '../support/stack.ts';
import { killWorker, startWorkerProcess } from '../support/worker-process.ts';
import { call, publishTemplate, requestInstall, templateSpec, waitForInstall } from '../marketplace/support.ts';

let s: Stack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  s = await openStack({ worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await s?.close();
});

describe('a worker killed during an install', () => {
  it('completes the install exactly once: one instance, one receipt', async () => {
    const first = await startWorkerProcess(s, children);
    const template = await publishTemplate(
      s,
      templateSpec({ steps: [{ id: 'only', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }] }, { risk: 'high' }),
    );
    const id = await requestInstall(s, 'gus', { templateId: template, environment: 'dev' });
    expect((await waitForInstall(s, 'gus', id, ['awaiting_approval', 'installed', 'invalid', 'denied', 'failed'])).status).toBe('awaiting_approval');

    // killed while the install waits for its approval
    expect(await killWorker(first)).toBe('SIGKILL');
    const second = await startWorkerProcess(s, children);
    const approved = await call(s, 'dave', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: 'Approved across a worker crash.' });
    expect(approved.status).toBe(200);
    // and killed again at once, while it activates, indexes and writes its receipt
    expect(await killWorker(second)).toBe('SIGKILL');
    await startWorkerProcess(s, children);

    const done = await waitForInstall(s, 'gus', id, ['installed', 'failed', 'rejected', 'invalid', 'denied'], 120_000);
    expect(done.status, JSON.stringify(done.error)).toBe('installed');

    const [counts] = await s.sql`
      select (select count(*) from workflow_instance where template_id = ${template})::int as instances,
             (select count(*) from workflow_instance where template_id = ${template} and status = 'active')::int as active,
             (select count(*) from provenance_receipt where lifecycle = 'install' and subject = ${`instance:${id}`})::int as receipts,
             (select count(*) from approval where workflow_id = ${`install/${id}`})::int as approvals,
             (select count(*) from install_request where workflow_id = ${`install/${id}`} and status = 'installed')::int as requests`;
    expect(counts).toEqual({ instances: 1, active: 1, receipts: 1, approvals: 1, requests: 1 });

    // each side effect was scheduled once in the lifecycle's history
    const history = await s.client.workflow.getHandle(`install/${id}`).fetchHistory();
    const scheduled = (name: string) => (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;
    expect({ reserve: scheduled('reserveInstance'), activate: scheduled('activateInstance'), complete: scheduled('completeInstall'), compensate: scheduled('compensateInstall') }).toEqual({
      reserve: 1,
      activate: 1,
      complete: 1,
      compensate: 0,
    });
  }, 240_000);
});
