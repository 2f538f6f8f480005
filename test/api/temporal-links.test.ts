import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { engineSpec, expectApiError, getRun, publishSpec, startRun, waitForRun } from '../engine/support.ts';

// The Temporal Web UI (2.54) answers "Bad Request" to /namespaces/<ns>/workflows/<id>/history:
// every link the API hands out names the execution, /namespaces/<ns>/workflows/<id>/<runId>/history.

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

async function historyLink(stack: Stack, workflowId: string) {
  const { runId } = await stack.client.workflow.getHandle(workflowId).describe();
  return `${stack.config.temporalUiUrl}/namespaces/${stack.config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
}

const failingSpec = () =>
  engineSpec({
    steps: [
      { id: 'ok', task: 'transform@1.0.0', with: { expression: '1', data: {} } },
      { id: 'boom', task: 'transform@1.0.0', with: { expression: '$error("no such employee: kim@acme.example")', data: {} } },
    ],
  });

describe('links to the Temporal Web UI name the run id', () => {
  it('drafts and publish requests', async () => {
    const spec = testSpec();
    const res = await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ spec }) });
    expect(res.status).toBe(201);
    const draft = (await res.json()) as { workflowId: string; temporalUrl: string };
    expect(draft.temporalUrl).toBe(await historyLink(s, draft.workflowId));

    // the same draft again: a new execution of the draft lifecycle answers, with its own link
    const again = (await (await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ spec }) })).json()) as { temporalUrl: string; created: boolean };
    expect(again).toMatchObject({ created: false, temporalUrl: await historyLink(s, draft.workflowId) });

    const published = await s.as('alice').requestPublish(`acme.${spec.metadata.name}`, '1.0.0');
    expect((published.body as unknown as { temporalUrl: string }).temporalUrl).toBe(await historyLink(s, published.body.workflowId));
  });

  it('runs: when started, read, streamed and listed', async () => {
    const id = await publishSpec(s, testSpec());
    const { status, body } = await startRun(s, 'alice', id, { params: { email: 'kim@acme.example' } });
    expect(status).toBe(202);
    const link = await historyLink(s, body.workflowId);
    expect(body.temporalUrl).toBe(link);
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run.temporalUrl).toBe(link);
    const list = await s.as('alice').call<{ items: { runId: string; temporalUrl: string }[] }>('GET', `/runs?definitionId=${id}`);
    expect(list.body.items.map((r) => [r.runId, r.temporalUrl])).toEqual([[body.runId, link]]);
  });
});

describe('a closed run read without a worker', () => {
  it('a failed run shows the adapter\'s own message; a completed one its steps', async () => {
    // a stack of its own runs the workflows, then stops its worker: `s` reads them from Temporal's record
    const t = await openStack();
    let failed: { runId: string; workflowId: string };
    let completed: { runId: string; workflowId: string };
    try {
      failed = (await startRun(t, 'alice', await publishSpec(t, failingSpec()))).body;
      completed = (await startRun(t, 'alice', await publishSpec(t, testSpec()), { params: { email: 'kim@acme.example' } })).body;
      expect((await waitForRun(t, 'alice', failed.runId)).status).toBe('failed');
      expect((await waitForRun(t, 'alice', completed.runId)).status).toBe('completed');
    } finally {
      await t.close();
    }

    const f = (await getRun(s, 'alice', failed.runId)).body;
    expect(f.status).toBe('failed');
    expect(f.error).toMatchObject({ code: 'TRANSFORM_FAILED', stepId: 'boom' });
    expect(f.error!.message).toContain('no such employee: kim@acme.example');
    expect(f.temporalUrl).toBe(await historyLink(s, failed.workflowId));

    const c = (await getRun(s, 'alice', completed.runId)).body;
    expect(c.status).toBe('completed');
    expect(c.steps.map((st) => [st.id, st.status])).toEqual([['shape', 'completed']]);
    expect(c.temporalUrl).toBe(await historyLink(s, completed.workflowId));

    // another tenant still sees nothing of it
    await expectApiError(getRun(s, 'carol', failed.runId), 404, 'RUN_NOT_FOUND');
  });
});
