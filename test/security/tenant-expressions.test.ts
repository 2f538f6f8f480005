import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerProcess } from '../support/worker-process.ts';
import { openStack, type Stack } from '../support/stack.ts';
import { engineSpec, publishSpec, startRun, step, waitForRun } from '../engine/support.ts';

// Expressions are tenant code running on the worker every tenant shares. A run whose
// expression recurses, loops or allocates without bound fails alone, with a clear code,
// while the same worker process goes on serving another tenant's runs. The worker is the
// real entry point in a child process, so a crash would show as its exit.

let s: Stack;
const children: ChildProcess[] = [];
let worker: ChildProcess;

beforeAll(async () => {
  s = await openStack({ worker: false });
  worker = await startWorkerProcess(s, children, { onOutput: (chunk) => process.env.DEBUG_WORKER && process.stderr.write(chunk) });
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await s?.close();
});

const recursion = '($f := function($n){ $f($n + 1) }; $f(0))';

/** a transform step whose data is one binding */
const bindingSpec = (binding: string, params: Record<string, unknown>) =>
  engineSpec({
    parameters: { type: 'object', properties: params },
    steps: [{ id: 'bind', task: 'transform@1.0.0', with: { expression: '$', data: binding } }],
  });

const innocent = () => bindingSpec('${{ params.n + 1 }}', { n: { type: 'integer' } });

const workerAlive = () => worker.exitCode === null && worker.signalCode === null;

describe('tenant expressions on the shared worker', () => {
  it('refuses $eval when a spec is drafted', async () => {
    const res = await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ spec: bindingSpec('${{ $eval(params.e) }}', { e: { type: 'string' } }) }) });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; details: { code?: string; path: string }[] };
    expect(body.details).toContainEqual(expect.objectContaining({ code: 'EXPRESSION_NOT_ALLOWED', path: '/spec/steps/0/with/data' }));
  });

  it('a version published before $eval was refused fails its run alone, with a clear code', async () => {
    // published while it passed validation, then its binding becomes what older validators let through
    const poison = await publishSpec(s, bindingSpec('${{ $string(params.e) }}', { e: { type: 'string' } }));
    await s.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`; // past the immutability trigger, as an old row would be
      await tx`
        update workflow_version set spec = jsonb_set(spec, '{steps,0,with,data}', to_jsonb('\${{ $eval(params.e) }}'::text))
        where definition_id = ${poison}`;
    });
    const other = await publishSpec(s, innocent(), 'carol');

    const [bad, good] = await Promise.all([startRun(s, 'alice', poison, { params: { e: recursion } }), startRun(s, 'carol', other, { params: { n: 41 } })]);
    const [badRun, goodRun] = await Promise.all([waitForRun(s, 'alice', bad.body.runId), waitForRun(s, 'carol', good.body.runId)]);
    expect(badRun).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_NOT_ALLOWED', stepId: 'bind' } });
    expect(step(badRun, 'bind')).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_NOT_ALLOWED', message: expect.stringContaining('$eval not allowed') } });
    expect(goodRun).toMatchObject({ status: 'completed' });
    expect(step(goodRun, 'bind').output).toEqual({ result: 42 });
    // not retried: the Temporal execution failed once, with the same code
    const described = await s.client.workflow.getHandle(bad.body.workflowId).describe();
    expect(described.status.name).toBe('FAILED');
    expect(workerAlive()).toBe(true);
  });

  it('an expression that exhausts memory or time fails its run with EXPRESSION_LIMIT; the worker serves the next runs', async () => {
    const bomb = await publishSpec(s, bindingSpec('${{ $pad("", params.n) }}', { n: { type: 'integer' } }));
    const other = await publishSpec(s, innocent(), 'carol');
    const [bad, good] = await Promise.all([startRun(s, 'alice', bomb, { params: { n: 500_000_000 } }), startRun(s, 'carol', other, { params: { n: 1 } })]);
    const [badRun, goodRun] = await Promise.all([waitForRun(s, 'alice', bad.body.runId), waitForRun(s, 'carol', good.body.runId)]);
    expect(badRun).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_LIMIT', stepId: 'bind' } });
    expect(goodRun).toMatchObject({ status: 'completed' });

    // the same definition with a harmless parameter runs: only that evaluation was ended
    const fine = await waitForRun(s, 'alice', (await startRun(s, 'alice', bomb, { params: { n: 3 } })).body.runId);
    expect(fine).toMatchObject({ status: 'completed' });
    expect(step(fine, 'bind').output).toEqual({ result: '   ' });
    expect(workerAlive()).toBe(true);
  });

  it('a condition is held to the same limits', async () => {
    const spec = engineSpec({
      parameters: { type: 'object', properties: { n: { type: 'integer' } } },
      steps: [{ id: 'maybe', task: 'transform@1.0.0', when: '$length($pad("", params.n)) > 0', with: { expression: '1', data: {} } }],
    });
    const id = await publishSpec(s, spec);
    const run = await waitForRun(s, 'alice', (await startRun(s, 'alice', id, { params: { n: 500_000_000 } })).body.runId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_LIMIT', stepId: 'maybe' } });
    expect(step(run, 'maybe').error?.message).toMatch(/exhausted its evaluator|ran longer than/);
    expect(workerAlive()).toBe(true);
  });
});
