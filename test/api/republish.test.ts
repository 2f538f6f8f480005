import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

describe('re-requesting a rejected publish', () => {
  it('keeps each attempt’s decisions apart: a reviewer who rejected can approve the next attempt', async () => {
    const alice = s.as('alice');
    const bob = s.as('bob');
    const { body: draft } = await alice.createDraft(testSpec({ risk: 'medium', description: 'Twice-reviewed ibis roster' }));
    const id = draft.definitionId;

    const first = await alice.requestPublish(id, '1.0.0');
    expect(await alice.waitForPublish(id, '1.0.0', ['awaiting_approval', 'published'])).toBe('awaiting_approval');
    await bob.decide(id, '1.0.0', 'reject', 'The roster exposes home addresses; drop them.');
    expect(await alice.waitForPublish(id, '1.0.0', ['rejected'])).toBe('rejected');
    // the read model says rejected a moment before the lifecycle closes; a new request must start a new run
    await s.client.workflow.getHandle(first.body.workflowId, first.body.runId).result();

    const second = await alice.requestPublish(id, '1.0.0');
    expect(second.body.workflowId).toBe(first.body.workflowId);
    expect(second.body.runId).not.toBe(first.body.runId);
    expect(await alice.waitForPublish(id, '1.0.0', ['awaiting_approval', 'published'])).toBe('awaiting_approval');
    const pending = await alice.call<{ status: string; runId: string; approvals: unknown[] }>('GET', `/definitions/${id}/publish-requests/1.0.0`);
    expect(pending.body).toMatchObject({ status: 'awaiting_approval', runId: second.body.runId, approvals: [] });

    await bob.decide(id, '1.0.0', 'approve', 'Addresses removed; approved.');
    expect(await alice.waitForPublish(id, '1.0.0', ['published'])).toBe('published');

    const rows = await s.sql<{ approver: string; decision: string; run_id: string }[]>`
      select approver, decision, run_id from approval where definition_id = ${id} order by decided_at`;
    expect(rows.map((r) => [r.approver, r.decision])).toEqual([
      ['bob', 'reject'],
      ['bob', 'approve'],
    ]);
    expect(rows.map((r) => r.run_id)).toEqual([first.body.runId, second.body.runId]);

    const detail = await alice.call<{ approvals: { decision: string; runId?: string }[] }>('GET', `/definitions/${id}`);
    expect(detail.body.approvals).toEqual([
      expect.objectContaining({ decision: 'reject', runId: first.body.runId }),
      expect.objectContaining({ decision: 'approve', runId: second.body.runId }),
    ]);
  });
});
