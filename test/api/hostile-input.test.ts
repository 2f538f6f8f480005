import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { engineSpec, publishSpec, startRun, waitForRun } from '../engine/support.ts';
import { DRAFT_WORKFLOW_TYPE } from '../../workflows/contracts/index.ts';
import { workflowIds } from '../../domain/ids.ts';
import { DEMO_USERS } from '../../domain/demo-users.ts';

// Each class of bad bytes and shapes: a 4xx with the one error shape, nothing written, no
// lifecycle started (so none can be left retrying or stuck).

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

type ErrorBody = { code: string; message: string; requestId: string; details?: { path: string; message: string; line?: number }[] };

async function refused(res: Response, status: number, code: string): Promise<ErrorBody> {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(body.requestId).toEqual(expect.any(String));
  expect(body.message).toEqual(expect.any(String));
  return body;
}

/** Nothing of this name exists: no row, no draft lifecycle. */
async function nothingWritten(name: string) {
  const id = `acme.${name}`;
  expect(await s.sql`select 1 from workflow_definition where id = ${id}`).toHaveLength(0);
  await expect(s.client.workflow.getHandle(workflowIds.draft(id, '1.0.0')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

const postDraft = (body: string) => s.request('POST', '/api/definitions', { user: 'alice', body });
const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('bad bytes and shapes at the edge', () => {
  it('a NUL byte or a lone surrogate in a spec: 422 TEXT_INVALID naming the field', async () => {
    for (const bad of ['a\\u0000b', 'a\\ud800b', 'a\\udc00']) {
      const spec = testSpec();
      const text = JSON.stringify({ spec }).replace(spec.metadata.description, `\u0001`).replace('\u0001', bad).replace('"\\u0001"', `"${bad}"`);
      const body = await refused(await postDraft(text), 422, 'TEXT_INVALID');
      expect(body.details).toEqual([expect.objectContaining({ path: '/spec/metadata/description' })]);
      await nothingWritten(spec.metadata.name);
    }
  });

  it('a NUL byte in an object key is refused too', async () => {
    const spec = testSpec();
    const text = JSON.stringify({ spec }).replace('"email":', '"em\\u0000ail":');
    const body = await refused(await postDraft(text), 422, 'TEXT_INVALID');
    // the error names the object holding the key, and never echoes the bad text
    expect(body.details).toEqual([expect.objectContaining({ path: '/spec/parameters/properties' })]);
    expect([body.message, ...body.details!.flatMap((d) => [d.path, d.message])].filter((t) => t.includes('\u0000') || t.includes('em'))).toEqual([]);
    await nothingWritten(spec.metadata.name);
  });

  it('an anonymous caller with a bad body is told 401, not how its input was judged', async () => {
    const res = await s.request('POST', '/api/definitions', { body: '{"spec":{"x":"\\u0000"}}' });
    await refused(res, 401, (await res.clone().json() as { code: string }).code);
    expect(res.status).toBe(401);
  });

  it("an object nested 2,000 deep in a step's with: 422 TOO_DEEP, not a stack overflow", async () => {
    const spec = testSpec();
    const text = JSON.stringify({ spec }).replace('"data":{', `"deep":${deep(2000)},"data":{`);
    const body = await refused(await postDraft(text), 422, 'TOO_DEEP');
    expect(body.details?.[0]?.path).toMatch(/^\/spec\/steps\/0\/with\/deep(\/a)+$/);
    await nothingWritten(spec.metadata.name);
  });

  it('run parameters nested deeply: 422 TOO_DEEP, no run started', async () => {
    const id = await publishSpec(s, engineSpec({ parameters: { type: 'object', properties: { email: { type: 'string' }, x: { type: 'object' } } } }));
    const res = await s.request('POST', `/api/definitions/${id}/runs`, { user: 'alice', body: `{"params":{"x":${deep(3000)}}}` });
    await refused(res, 422, 'TOO_DEEP');
    expect(await s.sql`select 1 from run where definition_id = ${id}`).toHaveLength(0);
  });

  it('a NUL byte or a lone surrogate in a rationale: 422, the approval is not recorded', async () => {
    const spec = testSpec({ risk: 'medium' });
    const alice = s.as('alice');
    const { body: draft } = await alice.createDraft(spec);
    await alice.requestPublish(draft.definitionId, '1.0.0');
    expect(await alice.waitForPublish(draft.definitionId, '1.0.0', ['awaiting_approval'])).toBe('awaiting_approval');
    for (const rationale of ['ok\\u0000', 'ok \\ud83d']) {
      const res = await s.request('POST', `/api/definitions/${draft.definitionId}/publish-requests/1.0.0/approvals`, {
        user: 'bob',
        body: `{"decision":"approve","rationale":"${rationale}"}`,
      });
      await refused(res, 422, 'TEXT_INVALID');
    }
    expect((await alice.publishState(draft.definitionId, '1.0.0')).body.status).toBe('awaiting_approval');
    expect(await s.sql`select 1 from approval where definition_id = ${draft.definitionId}`).toHaveLength(0);
  });

  it('a NUL byte in a query string or a path: 400 TEXT_INVALID', async () => {
    const q = await refused(await s.request('GET', '/api/catalog?q=fin%00ops', { user: 'alice' }), 400, 'TEXT_INVALID');
    expect(q.details).toEqual([expect.objectContaining({ path: '/query/q' })]);
    await refused(await s.request('GET', '/api/definitions/acme.x%00y', { user: 'alice' }), 400, 'TEXT_INVALID');
    // an undecodable escape stays literal text: answered, not refused
    expect((await s.request('GET', '/api/catalog?q=%ED%A0%80', { user: 'alice' })).status).toBe(200);
  });

  it('YAML with 101 aliases, or one that expands exponentially: 422 SOURCE_UNPARSABLE', async () => {
    const name = `t-${randomUUID().slice(0, 12)}`;
    const base = `apiVersion: maestro.dev/v1\nkind: Workflow\nmetadata:\n  name: ${name}\n  version: 1.0.0\n  description: &d A harmless document\n  category: HR\n  risk: low\n  scope: tenant-local\n`;
    const harmless = `${base}x-notes: [${Array.from({ length: 101 }, () => '*d').join(', ')}]\nsteps: []\n`;
    const body = await refused(await postDraft(JSON.stringify({ source: harmless })), 422, 'SOURCE_UNPARSABLE');
    expect(body.message).toMatch(/alias/i);
    const laughs = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`;
    await refused(await postDraft(JSON.stringify({ source: laughs })), 422, 'SOURCE_UNPARSABLE');
    await nothingWritten(name);
  });

  it('a deeply nested YAML source, sent again and again: 422 each time, and the API keeps answering', async () => {
    // yaml's composer recurses: a second deep document used to abort the whole process
    for (const source of ['- '.repeat(1000) + 'x\n', '['.repeat(20_000) + ']'.repeat(20_000), '- '.repeat(1000) + 'x\n', '- '.repeat(1000) + 'x\n']) {
      const body = await refused(await postDraft(JSON.stringify({ source })), 422, 'SOURCE_UNPARSABLE');
      expect(body.message).toMatch(/nested more than/);
    }
    expect((await s.request('GET', '/api/catalog', { user: 'alice' })).status).toBe(200);
  });

  it('a NUL in a path parameter hidden behind a malformed escape: 400 TEXT_INVALID', async () => {
    const res = await s.request('POST', '/api/adapters/acme-x.task/versions/%00%ZZ/status', { user: 'root', body: JSON.stringify({ status: 'deprecated' }) });
    await refused(res, 400, 'TEXT_INVALID');
  });

  it('YAML escapes and tags that are not storable JSON: 422 with the line', async () => {
    const name = `t-${randomUUID().slice(0, 12)}`;
    const yaml = (description: string) =>
      `apiVersion: maestro.dev/v1\nkind: Workflow\nmetadata:\n  name: ${name}\n  version: 1.0.0\n  description: ${description}\n  category: HR\n  risk: low\n  scope: tenant-local\nsteps:\n  - id: a\n    task: transform@1.0.0\n    with: { expression: "1", data: {} }\n`;
    const nul = await refused(await postDraft(JSON.stringify({ source: yaml('"a\\0b"') })), 422, 'TEXT_INVALID');
    expect(nul.details).toEqual([expect.objectContaining({ path: '/source/metadata/description', line: 6 })]);
    await refused(await postDraft(JSON.stringify({ source: yaml('.inf') })), 422, 'NOT_JSON');
    const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect((await postDraft(JSON.stringify({ source: nested }))).status).toBe(422);
    await nothingWritten(name);
  });

  it('malformed JSON: 400 MALFORMED_JSON', async () => {
    await refused(await postDraft('{"spec": '), 400, 'MALFORMED_JSON');
  });
});

describe('activities fail input they cannot process without retrying it', () => {
  it('a version stored before the edge check, with a deep step input, fails its run instead of stalling the engine', async () => {
    const id = await publishSpec(s, engineSpec({ parameters: { type: 'object', properties: { email: { type: 'string' } } } }));
    await s.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`; // past the immutability trigger, as an old row would be
      await tx`update workflow_version set spec = jsonb_set(spec, '{steps,0,with,deep}', ${deep(200)}::text::jsonb) where definition_id = ${id}`;
    });
    const started = await startRun(s, 'alice', id);
    const run = await waitForRun(s, 'alice', started.body.runId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'TOO_DEEP' } });
  });

  it('a draft lifecycle started with text Postgres cannot store fails at once instead of retrying forever', async () => {
    // bypasses the API's edge check, as a bug or another client could
    const spec = testSpec({ description: 'bad \u0000 text' });
    const id = `acme.${spec.metadata.name}`;
    const actor = DEMO_USERS.find((u) => u.sub === 'alice')!;
    const started = s.client.workflow.execute(DRAFT_WORKFLOW_TYPE, {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: workflowIds.draft(id, '1.0.0'),
      args: [{ spec, actor }],
      workflowExecutionTimeout: '60s',
    });
    const err = await started.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as { cause?: { type?: string; nonRetryable?: boolean } };
    expect(cause.cause).toMatchObject({ type: 'input:INPUT_UNSTORABLE', nonRetryable: true });
  });
});
