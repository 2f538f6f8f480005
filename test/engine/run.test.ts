import { passReview } from '../review/support.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { engineSpec, expectApiError, getRun, publishSpec, startRun, step, waitForRun } from './support.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

/** transform steps, a parallel group with a member skipped by `when`, a delay, and outputs read downstream */
const mainSpec = () =>
  engineSpec({
    parameters: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1 },
        count: { type: 'integer', minimum: 1, default: 2 },
        includeOptional: { type: 'boolean', default: false },
      },
    },
    secrets: [{ name: 'api_token' }],
    steps: [
      { id: 'greet', task: 'transform@1.0.0', with: { expression: "'Hello, ' & name", data: { name: '${{ params.name }}' } } },
      {
        id: 'fanout',
        parallel: [
          { id: 'double', task: 'transform@1.0.0', with: { expression: 'n * 2', data: { n: '${{ params.count }}' } } },
          { id: 'optional', task: 'transform@1.0.0', when: 'params.includeOptional', with: { expression: "'ran'", data: {} } },
          {
            id: 'context',
            task: 'transform@1.0.0',
            with: { expression: '$', data: { run: '${{ run.id }}', by: '${{ run.startedBy }}', token: '${{ secrets.api_token }}' } },
          },
        ],
      },
      { id: 'pause', name: 'Wait a second', task: 'delay@1.0.0', with: { duration: '1s' } },
      {
        id: 'summary',
        task: 'transform@1.0.0',
        with: { expression: "{ 'greeting': g, 'doubled': d }", data: { g: '${{ steps.greet.output.result }}', d: '${{ steps.double.output.result }}' } },
      },
    ],
  });

describe('run engine through the API', () => {
  it('runs transform steps, a parallel group, a skipped `when` and a delay; records the run', async () => {
    const id = await publishSpec(s, mainSpec());
    const started = await startRun(s, 'alice', id, { params: { name: 'Ada' } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'running', workflowId: `run/${id}/${started.body.runId}` });
    expect(started.body.temporalUrl).toContain(encodeURIComponent(started.body.workflowId));
    const { runId } = started.body;

    const run = await waitForRun(s, 'alice', runId);
    expect(run).toMatchObject({
      runId,
      definitionId: id,
      version: '1.0.0',
      tenantId: 'acme',
      status: 'completed',
      startedBy: { sub: 'alice', tenant: 'acme' },
    });
    expect(run.steps.map((st) => [st.id, st.status, st.parallelGroup ?? null, st.task ?? null])).toEqual([
      ['greet', 'completed', null, 'transform@1.0.0'],
      ['fanout', 'completed', null, null],
      ['double', 'completed', 'fanout', 'transform@1.0.0'],
      ['optional', 'skipped', 'fanout', 'transform@1.0.0'],
      ['context', 'completed', 'fanout', 'transform@1.0.0'],
      ['pause', 'completed', null, 'delay@1.0.0'],
      ['summary', 'completed', null, 'transform@1.0.0'],
    ]);
    expect(step(run, 'summary').output).toEqual({ result: { greeting: 'Hello, Ada', doubled: 4 } });
    // only the reference of a secret ever reaches a step
    expect(step(run, 'context').output).toEqual({ result: { run: runId, by: 'alice', token: 'secret://acme/api_token' } });
    expect(step(run, 'pause')).toMatchObject({ name: 'Wait a second' });
    expect((step(run, 'pause').output as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(1000);
    expect(run.durationMs).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(run.finishedAt!) - Date.parse(run.startedAt)).toBe(run.durationMs);

    const [row] = await s.sql`select tenant_id, definition_id, version, status, duration_ms, error_code, finished_at from run where id = ${runId}`;
    expect(row).toMatchObject({ tenant_id: 'acme', definition_id: id, version: '1.0.0', status: 'completed', duration_ms: run.durationMs, error_code: null });

    const listed = await s.as('alice').call<{ items: { runId: string; status: string }[] }>('GET', `/runs?definitionId=${id}&limit=5`);
    expect(listed.body.items).toEqual([expect.objectContaining({ runId, status: 'completed', workflowId: `run/${id}/${runId}` })]);
    // not in another tenant's list, and not readable by it
    const globex = await s.as('carol').call<{ items: { runId: string }[] }>('GET', '/runs?limit=200');
    expect(globex.body.items.map((i) => i.runId)).not.toContain(runId);
    await expectApiError(getRun(s, 'carol', runId), 404, 'RUN_NOT_FOUND');

    // the Temporal execution carries the lifecycle search attributes
    const described = await s.client.workflow.getHandle(started.body.workflowId).describe();
    expect(described.status.name).toBe('COMPLETED');
    expect(described.searchAttributes).toMatchObject({ TenantId: ['acme'], TemplateId: [id], Lifecycle: ['run'] });
  });

  it('applies parameter defaults and runs a `when` that is true', async () => {
    const id = await publishSpec(s, mainSpec());
    const { body } = await startRun(s, 'alice', id, { params: { name: 'Grace', includeOptional: true, count: 5 } });
    const run = await waitForRun(s, 'alice', body.runId);
    expect(step(run, 'optional')).toMatchObject({ status: 'completed', output: { result: 'ran' } });
    expect(step(run, 'summary').output).toEqual({ result: { greeting: 'Hello, Grace', doubled: 10 } });
  });

  it('refuses invalid parameters with a path per problem, and starts nothing', async () => {
    const id = await publishSpec(s, mainSpec());
    const res = await startRun(s, 'alice', id, { params: { count: 0, includeOptional: 'yes' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PARAMS_INVALID');
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        { path: '/params/name', message: 'is required' },
        { path: '/params/count', message: expect.stringContaining('>= 1') },
        { path: '/params/includeOptional', message: 'must be boolean' },
      ]),
    );
    const rows = await s.sql`select count(*)::int as n from run where definition_id = ${id}`;
    expect(rows[0]!.n).toBe(0);
    // the body itself is checked too
    const bad = await startRun(s, 'alice', id, { version: 'latest' } as never);
    expect(bad.status).toBe(422);
  });

  it('another tenant cannot run or read a tenant-local definition; unpublished versions do not run', async () => {
    const id = await publishSpec(s, mainSpec());
    const other = await startRun(s, 'carol', id, { params: { name: 'x' } });
    expect([other.status, other.body.code]).toEqual([404, 'DEFINITION_NOT_FOUND']);
    await expectApiError(s.as('carol').call('GET', `/definitions/${id}/versions/1.0.0`), 404, 'VERSION_NOT_FOUND');

    const unknownVersion = await startRun(s, 'alice', id, { version: '9.9.9', params: { name: 'x' } });
    expect([unknownVersion.status, unknownVersion.body.code]).toEqual([404, 'VERSION_NOT_FOUND']);

    // a draft only: no published version at all
    const { body: draft } = await s.as('alice').createDraft(testSpec());
    const none = await startRun(s, 'alice', draft.definitionId, {});
    expect([none.status, none.body.code]).toEqual([409, 'NOT_PUBLISHED']);
    const explicit = await startRun(s, 'alice', draft.definitionId, { version: '1.0.0' });
    expect([explicit.status, explicit.body.code]).toEqual([409, 'NOT_PUBLISHED']);
  });

  // Before the marketplace, another tenant ran a global workflow directly, in its own tenant
  // with its own secret references. Now it installs the template and runs its instance
  // (with its bindings and quotas; the install lifecycle's tests, issue 10): a direct run
  // is its owner's only, and resolves the owner's references.
  it('a global definition runs directly only in its own tenant, with its own secret references', async () => {
    const spec = testSpec({
      scope: 'global',
      extra: {
        secrets: [{ name: 'api_token' }],
        steps: [{ id: 'ref', task: 'transform@1.0.0', with: { expression: '$', data: { token: '${{ secrets.api_token }}', tenant: '${{ run.tenantId }}' } } }],
      },
    });
    const { body: draft } = await s.as('pat').createDraft(spec);
    await s.as('pat').requestPublish(draft.definitionId, '1.0.0');
    await s.as('pat').waitForPublish(draft.definitionId, '1.0.0', ['awaiting_approval']);
    await s.as('bob').decide(draft.definitionId, '1.0.0', 'approve', 'Global test workflow reviewed.');
    await s.as('pat').waitForPublish(draft.definitionId, '1.0.0', ['published']);
    // other tenants see a global entry once its marketplace review passed
    await passReview(s, draft.definitionId, '1.0.0');

    const { body } = await startRun(s, 'alice', draft.definitionId);
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run).toMatchObject({ status: 'completed', tenantId: 'acme' });
    expect(step(run, 'ref').output).toEqual({ result: { token: 'secret://acme/api_token', tenant: 'acme' } });
    await expectApiError(getRun(s, 'carol', body.runId), 404, 'RUN_NOT_FOUND');

    // another tenant sees the entry but is refused before anything starts
    expect((await s.as('carol').getDefinition(draft.definitionId)).status).toBe(200);
    const refused = await startRun(s, 'carol', draft.definitionId);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('INSTALL_REQUIRED');
    expect(await s.sql`select tenant_id from run where definition_id = ${draft.definitionId} and mode = 'live'`).toEqual([{ tenant_id: 'acme' }]);
  });

  it('an activity failure fails the step and the run with the failure type as code', async () => {
    const id = await publishSpec(
      s,
      engineSpec({
        steps: [
          { id: 'ok', task: 'transform@1.0.0', with: { expression: '1', data: {} } },
          { id: 'boom', task: 'transform@1.0.0', with: { expression: '$error("no such employee")', data: {} } },
          { id: 'never', task: 'transform@1.0.0', with: { expression: '2', data: {} } },
        ],
      }),
    );
    const { body } = await startRun(s, 'alice', id);
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'TRANSFORM_FAILED', stepId: 'boom' });
    expect(run.error!.message).toContain('no such employee');
    expect(run.steps.map((st) => [st.id, st.status])).toEqual([
      ['ok', 'completed'],
      ['boom', 'failed'],
      ['never', 'cancelled'],
    ]);
    expect(step(run, 'boom').error).toMatchObject({ code: 'TRANSFORM_FAILED' });
    const [row] = await s.sql`select status, error_code from run where id = ${body.runId}`;
    expect(row).toEqual({ status: 'failed', error_code: 'TRANSFORM_FAILED' });
    const described = await s.client.workflow.getHandle(body.workflowId).describe();
    expect(described.status.name).toBe('FAILED');
  });

  it('serves one version of a definition with its spec', async () => {
    const spec = mainSpec();
    const id = await publishSpec(s, spec);
    const v = await s.as('alice').call<{ definitionId: string; version: string; status: string; digest: string; spec: { steps: unknown[] }; publishedAt?: string }>(
      'GET',
      `/definitions/${id}/versions/1.0.0`,
    );
    expect(v.body).toMatchObject({ definitionId: id, version: '1.0.0', status: 'published', digest: expect.stringMatching(/^sha256:/) });
    expect(v.body.spec.steps).toEqual(spec.steps);
    expect(v.body.publishedAt).toBeDefined();
    await expectApiError(s.as('alice').call('GET', `/definitions/${id}/versions/2.0.0`), 404, 'VERSION_NOT_FOUND');
  });
});
