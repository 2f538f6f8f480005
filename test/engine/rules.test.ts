import { describe, expect, it } from 'vitest';
import { applyDefaults, approvalRefusal, cancelRefusal, mergeRetry, secretReferences, type RunState } from '../../domain/run.ts';
import type { Actor } from '../../domain/actor.ts';

const actor = (sub: string, roles: Actor['roles'] = [], tenant = 'acme'): Actor => ({ sub, tenant, roles });
const state = (approvers: { roles?: string[]; users?: string[] } = {}): RunState => ({
  runId: 'r',
  workflowId: 'run/acme.x/r',
  definitionId: 'acme.x',
  version: '1.0.0',
  tenantId: 'acme',
  status: 'running',
  startedAt: '2026-01-01T00:00:00.000Z',
  startedBy: { sub: 'alice', tenant: 'acme' },
  steps: [
    { id: 'ok', status: 'completed' },
    { id: 'gate', status: 'waiting_approval', approval: { message: 'm', approvers, count: 1, approvals: [] } },
  ],
});
const code = (r: { code: string } | undefined) => r?.code;

describe('run rules (pure, shared by the workflow and the Switchboard)', () => {
  it('applies JSON Schema defaults without touching given values', () => {
    const schema = { type: 'object', properties: { a: { default: 1 }, b: { default: 'x' }, nested: { type: 'object', default: {}, properties: { c: { default: true } } } } };
    const given = { b: 'given' };
    expect(applyDefaults(schema, given)).toEqual({ a: 1, b: 'given', nested: { c: true } });
    expect(given).toEqual({ b: 'given' });
  });

  it('refuses approval decisions for the documented reasons', () => {
    const s = state();
    const args = (a: Actor, extra: Record<string, unknown> = {}) => ({ stepId: 'gate', approver: a, decision: 'approve' as const, rationale: 'ok', ...extra });
    expect(approvalRefusal(s, args(actor('bob', ['reviewer'])))).toBeUndefined();
    expect(code(approvalRefusal(s, args(actor('dave', ['reviewer'], 'globex'))))).toBe('WRONG_TENANT');
    expect(code(approvalRefusal(s, { ...args(actor('bob', ['reviewer'])), stepId: 'ok' }))).toBe('STEP_NOT_AWAITING');
    expect(code(approvalRefusal(s, args(actor('bob', ['reviewer']), { rationale: ' ' })))).toBe('RATIONALE_REQUIRED');
    expect(code(approvalRefusal(s, args(actor('alice', ['reviewer']))))).toBe('SELF_APPROVAL');
    // no approvers named: reviewers and tenant admins
    expect(code(approvalRefusal(s, args(actor('pat', ['author']))))).toBe('NOT_ALLOWED_APPROVER');
    expect(approvalRefusal(state({ users: ['pat'] }), args(actor('pat', ['author'])))).toBeUndefined();
    expect(code(approvalRefusal(state({ users: ['pat'] }), args(actor('bob', ['reviewer']))))).toBe('NOT_ALLOWED_APPROVER');
    const decided = state();
    decided.steps[1]!.approval!.approvals.push({ approver: { sub: 'bob', tenant: 'acme' }, decision: 'approve', rationale: 'x', at: '' });
    expect(code(approvalRefusal(decided, args(actor('bob', ['reviewer']))))).toBe('ALREADY_DECIDED');
  });

  it('lets the starter or a tenant admin cancel a running run', () => {
    expect(cancelRefusal(state(), { by: actor('alice') })).toBeUndefined();
    expect(code(cancelRefusal(state(), { by: actor('bob', ['reviewer']) }))).toBe('CANCEL_NOT_ALLOWED');
    expect(code(cancelRefusal(state(), { by: actor('dave', ['tenant-admin'], 'globex') }))).toBe('WRONG_TENANT');
    expect(cancelRefusal(state(), { by: actor('ted', ['tenant-admin']) })).toBeUndefined();
    expect(code(cancelRefusal({ ...state(), status: 'completed' }, { by: actor('alice') }))).toBe('RUN_NOT_RUNNING');
  });

  it('merges retry policies and builds secret references', () => {
    expect(mergeRetry({ maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: ['X'] }, { maximumAttempts: 2 })).toEqual({
      maximumAttempts: 2,
      initialInterval: '1s',
      nonRetryableErrorTypes: ['X'],
    });
    expect(secretReferences({ secrets: [{ name: 'hris_token' }] }, 'acme')).toEqual({ hris_token: 'secret://acme/hris_token' });
  });
});
