import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, type Stack } from '../support/stack.ts';
import { engineSpec, getRun, publishSpec, startRun, waitForRun, type RunView } from './support.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

const spec = () =>
  engineSpec({
    steps: [
      { id: 'first', task: 'transform@1.0.0', with: { expression: '1', data: {} } },
      { id: 'pause', task: 'delay@1.0.0', with: { duration: '1s' } },
      { id: 'last', task: 'transform@1.0.0', with: { expression: '2', data: {} } },
    ],
  });

/** Reads a whole server-sent event stream (it closes after a terminal state). */
async function readEvents(res: Response) {
  const events: { event?: string; data: string }[] = [];
  const comments: string[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const ev: { event?: string; data: string } = { data: '' };
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) comments.push(line);
        else if (line.startsWith('event:')) ev.event = line.slice(6).trim();
        else if (line.startsWith('data:')) ev.data += line.slice(5).trim();
      }
      if (ev.event || ev.data) events.push(ev);
    }
  }
  return { events, comments };
}

describe('run state over HTTP', () => {
  it('streams the run state as server-sent events until the run ends', async () => {
    const id = await publishSpec(s, spec());
    const { body } = await startRun(s, 'alice', id);
    const res = await s.app.request(`http://test/api/runs/${body.runId}/events`, { headers: { authorization: `Bearer ${s.tokens.alice}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const { events } = await readEvents(res);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.event === 'state')).toBe(true);
    const states = events.map((e) => JSON.parse(e.data) as RunView);
    // each event is a change
    expect(new Set(events.map((e) => e.data)).size).toBe(events.length);
    expect(states.at(-1)).toMatchObject({ runId: body.runId, status: 'completed', temporalUrl: body.temporalUrl });
    expect(states.some((st) => st.steps.some((x) => x.id === 'pause' && x.status === 'running'))).toBe(true);
    // the stream of another tenant's run does not open
    const other = await s.app.request(`http://test/api/runs/${body.runId}/events`, { headers: { authorization: `Bearer ${s.tokens.carol}` } });
    expect(other.status).toBe(404);
    const anonymous = await s.app.request(`http://test/api/runs/${body.runId}/events`);
    expect(anonymous.status).toBe(401);
  });

  it('GET /runs/{id} answers from Temporal when no worker serves the run yet', async () => {
    const id = await publishSpec(s, spec());
    // a second view of the stack without a worker: runs it starts wait on a queue nobody polls
    const noWorker = await openStack({ worker: false });
    try {
      const { body } = await startRun(noWorker, 'alice', id);
      const t0 = Date.now();
      const res = await noWorker.app.request(`http://test/api/runs/${body.runId}`, { headers: { authorization: `Bearer ${noWorker.tokens.alice}` } });
      expect(res.status).toBe(200);
      const state = (await res.json()) as RunView;
      expect(state).toMatchObject({ runId: body.runId, workflowId: body.workflowId, status: 'running', definitionId: id, version: '1.0.0', startedBy: { sub: 'alice' }, steps: [] });
      expect(Date.now() - t0).toBeLessThan(10_000);
      await noWorker.client.workflow.getHandle(body.workflowId).terminate('test cleanup');
    } finally {
      await noWorker.close();
    }
  });

  it('a repeated Idempotency-Key joins the same run instead of starting another', async () => {
    const id = await publishSpec(s, spec());
    const key = `order-${s.suffix}`;
    const a = await startRun(s, 'alice', id, {}, { 'idempotency-key': key });
    const b = await startRun(s, 'alice', id, {}, { 'idempotency-key': key });
    expect(a.status).toBe(202);
    expect(b.body.runId).toBe(a.body.runId);
    expect(b.body.workflowId).toBe(a.body.workflowId);
    await waitForRun(s, 'alice', a.body.runId);
    // "finished" means closed in Temporal: the state says completed a moment before the workflow
    // records its end and closes, and a query that misses its deadline on a busy machine falls
    // back to that record
    await s.client.workflow.getHandle(a.body.workflowId).result();
    const c = await startRun(s, 'alice', id, {}, { 'idempotency-key': key });
    expect(c.body).toMatchObject({ runId: a.body.runId, status: 'completed' });
    const rows = await s.sql`select count(*)::int as n from run where definition_id = ${id}`;
    expect(rows[0]!.n).toBe(1);
    // without a key every POST is a new run
    const d = await startRun(s, 'alice', id);
    expect(d.body.runId).not.toBe(a.body.runId);
    await waitForRun(s, 'alice', d.body.runId);
  });

  it('documents the run routes in the OpenAPI document', async () => {
    const doc = (await (await s.app.request('http://test/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ['/definitions/{id}/runs', 'post'],
      ['/definitions/{id}/versions/{version}', 'get'],
      ['/runs', 'get'],
      ['/runs/{runId}', 'get'],
      ['/runs/{runId}/events', 'get'],
      ['/runs/{runId}/steps/{stepId}/approvals', 'post'],
      ['/runs/{runId}/cancel', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });

  it('an unknown run is a 404', async () => {
    const res = await getRun(s, 'alice', '00000000-0000-4000-8000-000000000000').catch((e: { status: number; code: string }) => e);
    expect(res).toMatchObject({ status: 404, code: 'RUN_NOT_FOUND' });
  });
});
