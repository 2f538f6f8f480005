import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { openStack, type Stack } from '../support/stack.ts';
import { decide, engineSpec, expectApiError, publishSpec, startRun, step, waitForRun, waitingAt } from './support.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

const approvalSpec = (opts: { approvers?: Record<string, unknown>; count?: number; version?: string; name?: string; after?: unknown[] } = {}) =>
  engineSpec(
    {
      parameters: { type: 'object', properties: { item: { type: 'string', default: 'laptop' } } },
      steps: [
        { id: 'prepare', task: 'transform@1.0.0', with: { expression: "'order ' & item", data: { item: '${{ params.item }}' } } },
        {
          id: 'managerApproval',
          task: 'approval@1.0.0',
          with: {
            message: 'Approve ${{ steps.prepare.output.result }}?',
            ...(opts.approvers ? { approvers: opts.approvers } : {}),
            ...(opts.count ? { count: opts.count } : {}),
          },
        },
        ...(opts.after ?? [{ id: 'order', task: 'transform@1.0.0', with: { expression: "'ordered'", data: {} } }]),
      ],
    },
    { ...(opts.name ? { name: opts.name } : {}), ...(opts.version ? { version: opts.version } : {}) },
  );

describe('approval steps, rejection and cancellation', () => {
  it('waits for approval; the validator refuses self-approval, empty rationale, other approvers and double decisions', async () => {
    const id = await publishSpec(s, approvalSpec({ approvers: { roles: ['reviewer'], users: ['dave'] }, count: 2 }), 'pat');
    const { body } = await startRun(s, 'pat', id);
    const waiting = await waitForRun(s, 'pat', body.runId, waitingAt('managerApproval'));
    expect(step(waiting, 'managerApproval').approval).toEqual({
      message: 'Approve order laptop?',
      approvers: { roles: ['reviewer'], users: ['dave'] },
      count: 2,
      approvals: [],
    });

    await expectApiError(decide(s, 'pat', body.runId, 'managerApproval', 'approve', 'I started it myself'), 403, 'SELF_APPROVAL');
    await expectApiError(decide(s, 'bob', body.runId, 'managerApproval', 'approve', '   '), 422, 'RATIONALE_REQUIRED');
    await expectApiError(decide(s, 'alice', body.runId, 'managerApproval', 'approve', 'I am only an author'), 403, 'NOT_ALLOWED_APPROVER');
    await expectApiError(decide(s, 'bob', body.runId, 'prepare', 'approve', 'not an approval step'), 409, 'STEP_NOT_AWAITING');
    // another tenant does not even see the run
    await expectApiError(decide(s, 'dave', body.runId, 'managerApproval', 'approve', 'other tenant'), 404, 'RUN_NOT_FOUND');

    const first = await decide(s, 'bob', body.runId, 'managerApproval', 'approve', 'Budget is fine.');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ approval: { decision: 'approve', rationale: 'Budget is fine.', approver: { sub: 'bob' } }, status: 'running' });
    await expectApiError(decide(s, 'bob', body.runId, 'managerApproval', 'approve', 'again'), 409, 'ALREADY_DECIDED');
    // one of two approvals: still waiting
    expect(step((await waitForRun(s, 'pat', body.runId, () => true)), 'managerApproval').status).toBe('waiting_approval');

    const history = await s.client.workflow.getHandle(body.workflowId).fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(accepted).toBe(1); // refused decisions leave no trace in history
  });

  it('completes when enough approvers approve', async () => {
    const id = await publishSpec(s, approvalSpec({ approvers: { roles: ['reviewer'] }, count: 2 }), 'alice');
    const { body } = await startRun(s, 'alice', id);
    await waitForRun(s, 'alice', body.runId, waitingAt('managerApproval'));
    await decide(s, 'bob', body.runId, 'managerApproval', 'approve', 'Looks right.');
    await decide(s, 'pat', body.runId, 'managerApproval', 'approve', 'Agreed.');
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run.status).toBe('completed');
    expect(step(run, 'managerApproval')).toMatchObject({
      status: 'completed',
      output: { approved: true, approvals: [expect.objectContaining({ approver: expect.objectContaining({ sub: 'bob' }) }), expect.anything()] },
    });
    expect(step(run, 'order').status).toBe('completed');
    await expectApiError(decide(s, 'bob', body.runId, 'managerApproval', 'approve', 'late'), 409, 'STEP_NOT_AWAITING');
  });

  it('a rejection fails the run with the reason', async () => {
    const id = await publishSpec(s, approvalSpec(), 'alice');
    const { body } = await startRun(s, 'alice', id);
    await waitForRun(s, 'alice', body.runId, waitingAt('managerApproval'));
    await decide(s, 'bob', body.runId, 'managerApproval', 'reject', 'Not in this quarter.');
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ code: 'APPROVAL_REJECTED', message: 'rejected by Bob Reviewer: Not in this quarter.', stepId: 'managerApproval' });
    expect(step(run, 'managerApproval').status).toBe('failed');
    expect(step(run, 'order').status).toBe('cancelled');
    const [row] = await s.sql`select status, error_code from run where id = ${body.runId}`;
    expect(row).toEqual({ status: 'failed', error_code: 'APPROVAL_REJECTED' });
    const err = await s.client.workflow.getHandle(body.workflowId).result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
  });

  it('an approval with a timeout fails the step when nobody decides in time', async () => {
    const spec = engineSpec({
      steps: [{ id: 'quick', task: 'approval@1.0.0', with: { message: 'Decide fast', timeout: '1s' } }],
    });
    const id = await publishSpec(s, spec);
    const { body } = await startRun(s, 'alice', id);
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'APPROVAL_TIMEOUT', stepId: 'quick' } });
  });

  it('cancels a run waiting at an approval: who and why are recorded', async () => {
    const id = await publishSpec(s, approvalSpec(), 'alice');
    const { body } = await startRun(s, 'alice', id);
    await waitForRun(s, 'alice', body.runId, waitingAt('managerApproval'));
    await expectApiError(s.as('bob').call('POST', `/runs/${body.runId}/cancel`, { reason: 'not mine' }), 403, 'CANCEL_NOT_ALLOWED');
    await expectApiError(s.as('carol').call('POST', `/runs/${body.runId}/cancel`, {}), 404, 'RUN_NOT_FOUND');

    const res = await s.as('alice').call<{ cancellation: { by: string; reason: string } }>('POST', `/runs/${body.runId}/cancel`, { reason: 'Ordered by mistake' });
    expect(res.status).toBe(202);
    expect(res.body.cancellation).toMatchObject({ by: 'alice', reason: 'Ordered by mistake' });
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run).toMatchObject({ status: 'cancelled', cancellation: { by: 'alice', reason: 'Ordered by mistake' } });
    expect(run.steps.map((st) => [st.id, st.status])).toEqual([
      ['prepare', 'completed'],
      ['managerApproval', 'cancelled'],
      ['order', 'cancelled'],
    ]);
    const [row] = await s.sql`select status, finished_at from run where id = ${body.runId}`;
    expect(row!.status).toBe('cancelled');
    expect(row!.finished_at).toBeInstanceOf(Date);
    await expectApiError(s.as('alice').call('POST', `/runs/${body.runId}/cancel`, {}), 409, 'RUN_NOT_RUNNING');
    await expectApiError(decide(s, 'bob', body.runId, 'managerApproval', 'approve', 'too late'), 409, 'STEP_NOT_AWAITING');
  });

  it('a Temporal cancellation cancels the run and ends the execution Canceled', async () => {
    const id = await publishSpec(s, approvalSpec(), 'alice');
    const { body } = await startRun(s, 'alice', id);
    await waitForRun(s, 'alice', body.runId, waitingAt('managerApproval'));
    await s.client.workflow.getHandle(body.workflowId).cancel();
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run).toMatchObject({ status: 'cancelled', cancellation: { by: 'temporal' } });
    expect((await s.client.workflow.getHandle(body.workflowId).describe()).status.name).toBe('CANCELLED');
    const [row] = await s.sql`select status from run where id = ${body.runId}`;
    expect(row!.status).toBe('cancelled');
  });

  it('a failing parallel member cancels its siblings, then the run fails', async () => {
    const id = await publishSpec(
      s,
      engineSpec({
        steps: [
          {
            id: 'both',
            parallel: [
              { id: 'waitForHuman', task: 'approval@1.0.0', with: { message: 'nobody will answer' } },
              { id: 'slow', task: 'delay@1.0.0', with: { duration: '1s' } },
              { id: 'broken', task: 'transform@1.0.0', with: { expression: '$error("upstream down")', data: {} } },
            ],
          },
          { id: 'after', task: 'transform@1.0.0', with: { expression: '1', data: {} } },
        ],
      }),
    );
    const { body } = await startRun(s, 'alice', id);
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'TRANSFORM_FAILED', stepId: 'broken' } });
    expect(run.steps.map((st) => [st.id, st.status])).toEqual([
      ['both', 'failed'],
      ['waitForHuman', 'cancelled'],
      ['slow', 'cancelled'],
      ['broken', 'failed'],
      ['after', 'cancelled'],
    ]);
    expect(run.durationMs).toBeLessThan(1000); // the delay did not have to run out
  });

  it('a running workflow keeps the spec version it started with', async () => {
    const name = `pin-${s.suffix}`;
    const id = await publishSpec(s, approvalSpec({ name }), 'alice');
    const { body } = await startRun(s, 'alice', id);
    await waitForRun(s, 'alice', body.runId, waitingAt('managerApproval'));

    // replacing the step "order" removes its output: a breaking change, so a new major
    const v2 = approvalSpec({ name, version: '2.0.0', after: [{ id: 'newStep', task: 'transform@1.0.0', with: { expression: "'v2'", data: {} } }] });
    await publishSpec(s, v2, 'alice');
    expect((await s.as('alice').getDefinition(id)).body.latestVersion).toBe('2.0.0');

    await decide(s, 'bob', body.runId, 'managerApproval', 'approve', 'Fine.');
    const run = await waitForRun(s, 'alice', body.runId);
    expect(run).toMatchObject({ status: 'completed', version: '1.0.0' });
    expect(run.steps.map((st) => st.id)).toEqual(['prepare', 'managerApproval', 'order']);

    // a new run without a version takes the latest
    const { body: next } = await startRun(s, 'alice', id);
    const later = await waitForRun(s, 'alice', next.runId, waitingAt('managerApproval'));
    expect(later.version).toBe('2.0.0');
    expect(later.steps.map((st) => st.id)).toEqual(['prepare', 'managerApproval', 'newStep']);
    // the body of a cancel is optional
    const cancelled = await s.as('alice').call<{ cancellation: { reason: string } }>('POST', `/runs/${next.runId}/cancel`);
    expect(cancelled).toMatchObject({ status: 202, body: { cancellation: { by: 'alice', reason: 'no reason given' } } });
  });
});
