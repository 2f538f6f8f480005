import { describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/actor.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';
import {
  bindingChanges,
  carriedBindings,
  effectiveWatch,
  inVersionRange,
  isVersionRange,
  migrationApplies,
  migrationOutput,
  policyAllows,
  stepChanges,
  upgradeApproval,
  upgradeApprovalRefusal,
  watchVerdict,
  type UpgradeState,
} from '../../domain/upgrade.ts';
import { analyseMigration, evaluateMigration, ExpressionFailure } from '../../domain/expressions.ts';

const actor = (sub: string, tenant: string, roles: Actor['roles']): Actor => ({ sub, tenant, roles });
const spec = (version: string, extra: Partial<SpecV1> = {}): SpecV1 =>
  ({
    apiVersion: 'maestro.dev/v1',
    kind: 'Workflow',
    metadata: { name: 'x', version, title: 'X', description: 'x', category: 'HR', risk: 'low', scope: 'global', tags: [] },
    steps: [{ id: 'a', task: 'transform@1.0.0', with: { expression: "'a'" } }],
    ...extra,
  }) as SpecV1;

describe('upgrade policies', () => {
  it.each([
    ['pinned', '1.0.0', '1.0.1', false],
    ['patch', '1.0.0', '1.0.1', true],
    ['patch', '1.0.0', '1.1.0', false],
    ['patch', '1.2.3', '1.2.3', false],
    ['patch', '1.2.3', '1.2.2', false],
    ['minor', '1.0.0', '1.1.0', true],
    ['minor', '1.0.0', '1.0.5', true],
    ['minor', '1.9.0', '2.0.0', false],
    ['minor', '1.0.0', '1.1.0-rc.1', false],
    ['patch', '1.0.0', 'nonsense', false],
  ] as const)('%s from %s to %s → %s', (policy, from, to, allowed) => {
    expect(policyAllows(policy, from, to)).toBe(allowed);
  });
});

describe('migration version ranges', () => {
  it.each([
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['1.9.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['1.2.9', '1.2.x', true],
    ['1.3.0', '1.2.x', false],
    ['1.5.0', '^1.2.0', true],
    ['1.1.0', '^1.2.0', false],
    ['2.0.0', '^1.2.0', false],
    ['0.2.5', '^0.2.0', true],
    ['0.3.0', '^0.2.0', false],
    ['1.2.7', '~1.2.0', true],
    ['1.3.0', '~1.2.0', false],
    ['1.2.0-rc.1', '1.x', false],
  ] as const)('%s in %s → %s', (version, range, inside) => {
    expect(isVersionRange(range)).toBe(true);
    expect(inVersionRange(version, range)).toBe(inside);
  });

  it.each(['>=1.0.0', '1.*', '*', 'x', '^1', '~1.2', '1.2.3 || 2.x', 'latest', '', 'a'.repeat(101)])('refuses %j', (range) => {
    expect(isVersionRange(range)).toBe(false);
    expect(inVersionRange('1.2.3', range)).toBe(false);
  });

  it('applies a migration without a range to every older version, with one only inside it', () => {
    const migration = { expression: '$' };
    expect(migrationApplies(spec('2.0.0', { upgrade: { migration } }), '1.4.0')).toBe(true);
    expect(migrationApplies(spec('2.0.0', { upgrade: { migration: { ...migration, from: '1.2.x' } } }), '1.4.0')).toBe(false);
    expect(migrationApplies(spec('2.0.0'), '1.4.0')).toBe(false);
  });
});

describe('the plan', () => {
  it('diffs bindings by name', () => {
    expect(bindingChanges({ a: 1, b: 2, c: { x: 1 } }, { a: 1, c: { x: 2 }, d: 4 })).toEqual([
      { name: 'a', change: 'unchanged', before: 1, after: 1 },
      { name: 'b', change: 'removed', before: 2 },
      { name: 'c', change: 'changed', before: { x: 1 }, after: { x: 2 } },
      { name: 'd', change: 'added', after: 4 },
    ]);
  });

  it('diffs steps by id, naming a changed task', () => {
    const before = spec('1.0.0', { steps: [{ id: 'a', task: 'transform@1.0.0' }, { id: 'b', task: 'delay@1.0.0', with: { duration: '1s' } }] } as never);
    const after = spec('2.0.0', { steps: [{ id: 'a', task: 'http.request@1.0.0' }, { id: 'b', task: 'delay@1.0.0', with: { duration: '2s' } }, { id: 'c', task: 'transform@1.0.0' }] } as never);
    expect(stepChanges(before, after)).toEqual([
      { id: 'a', change: 'changed', task: { before: 'transform@1.0.0', after: 'http.request@1.0.0' } },
      { id: 'b', change: 'changed' },
      { id: 'c', change: 'added', task: { after: 'transform@1.0.0' } },
    ]);
    expect(stepChanges(after, before)).toContainEqual({ id: 'c', change: 'removed', task: { before: 'transform@1.0.0' } });
  });

  it('carries over the bindings the new version still declares', () => {
    const next = spec('1.1.0', { parameters: { type: 'object', properties: { keep: { type: 'string' } } }, secrets: [{ name: 'token' }] });
    expect(carriedBindings(next, { keep: 'x', gone: 1 }, { token: 'mine', old: 'other' })).toEqual({ parameters: { keep: 'x' }, secrets: { token: 'mine' } });
  });

  it('accepts only { parameters, secrets? } from a migration', () => {
    expect(migrationOutput({ parameters: { a: 1 } })).toEqual({ parameters: { a: 1 } });
    expect(migrationOutput({ parameters: {}, secrets: { t: 'x' } })).toEqual({ parameters: {}, secrets: { t: 'x' } });
    for (const bad of [null, 'x', [], { parameters: [] }, { parameters: {}, extra: 1 }, { parameters: {}, secrets: { t: 1 } }, { secrets: {} }]) {
      expect(migrationOutput(bad), JSON.stringify(bad)).toMatchObject({ problems: [{ code: 'MIGRATION_FAILED' }] });
    }
  });

  it('keeps the spec window unless an override shortens it', () => {
    const s = spec('1.1.0', { upgrade: { watch: { window: '10m' } } });
    expect(effectiveWatch(s)).toEqual({ window: '10m', maxFailureRate: 0.5, minRuns: 1 });
    expect(effectiveWatch(s, '30s')?.window).toBe('30s');
    expect(effectiveWatch(s, '1h')?.window).toBe('10m');
    expect(effectiveWatch(spec('1.1.0'))).toBeUndefined();
  });

  it('rolls back once minRuns finished and the failure rate is above the maximum', () => {
    const w = { maxFailureRate: 0.5, minRuns: 2 };
    expect(watchVerdict({ finished: 1, failed: 1 }, w)).toBe('ok');
    expect(watchVerdict({ finished: 2, failed: 1 }, w)).toBe('ok');
    expect(watchVerdict({ finished: 3, failed: 2 }, w)).toBe('rollback');
  });
});

describe('upgrade approval', () => {
  const admin = actor('tina', 'acme', ['tenant-admin']);
  it('is required for a breaking change, a high or critical risk, or a requester who is not a tenant admin', () => {
    expect(upgradeApproval('non-breaking', 'low', admin, 'acme', false)).toEqual({ required: false, reasons: [], count: 0 });
    expect(upgradeApproval('breaking', 'low', admin, 'acme', false).count).toBe(1);
    expect(upgradeApproval('patch', 'critical', admin, 'acme', false, 'prod')).toMatchObject({ required: true, count: 2 });
    expect(upgradeApproval('patch', 'critical', admin, 'acme', false, 'dev').count).toBe(1);
    expect(upgradeApproval('breaking', 'low', admin, 'acme', false).required).toBe(true);
    expect(upgradeApproval('patch', 'high', admin, 'acme', false).required).toBe(true);
    expect(upgradeApproval('patch', 'critical', admin, 'acme', false).required).toBe(true);
    expect(upgradeApproval('patch', 'low', actor('alice', 'acme', ['author']), 'acme', false).reasons).toEqual(['requested by alice, who is not a tenant admin of "acme"']);
    // a campaign is authorised by the instance's policy
    expect(upgradeApproval('patch', 'low', actor('pat', 'globex', ['publisher']), 'acme', true).required).toBe(false);
  });

  const state: Pick<UpgradeState, 'status' | 'requestedBy' | 'approvals'> = { status: 'awaiting_approval', requestedBy: actor('alice', 'acme', ['author']), approvals: [] };
  const code = (r: { type: string } | undefined) => r?.type.split(':')[1];

  it('accepts a tenant admin of the instance tenant who did not request it, with a rationale, once', () => {
    expect(upgradeApprovalRefusal(state, 'acme', { approver: admin, rationale: 'fine' })).toBeUndefined();
    expect(code(upgradeApprovalRefusal({ ...state, status: 'watching' }, 'acme', { approver: admin, rationale: 'fine' }))).toBe('NOT_AWAITING_APPROVAL');
    expect(code(upgradeApprovalRefusal(state, 'acme', { approver: admin, rationale: '  ' }))).toBe('RATIONALE_REQUIRED');
    expect(code(upgradeApprovalRefusal(state, 'acme', { approver: admin, rationale: 'x'.repeat(4001) }))).toBe('RATIONALE_REQUIRED');
    expect(code(upgradeApprovalRefusal(state, 'acme', { approver: actor('dave', 'globex', ['tenant-admin']), rationale: 'fine' }))).toBe('WRONG_TENANT');
    expect(code(upgradeApprovalRefusal(state, 'acme', { approver: actor('bob', 'acme', ['reviewer']), rationale: 'fine' }))).toBe('NOT_A_TENANT_ADMIN');
    const self = { ...state, requestedBy: admin };
    expect(code(upgradeApprovalRefusal(self, 'acme', { approver: admin, rationale: 'fine' }))).toBe('SELF_APPROVAL');
    const decided = { ...state, approvals: [{ approver: { sub: 'tina', tenant: 'acme' }, decision: 'reject' as const, rationale: 'no', at: '' }] };
    expect(code(upgradeApprovalRefusal(decided, 'acme', { approver: admin, rationale: 'fine' }))).toBe('ALREADY_DECIDED');
  });
});

describe('migration expressions', () => {
  it('maps old bindings to new ones', async () => {
    const out = await evaluateMigration("{ 'parameters': { 'url': parameters.endpoint, 'retries': 3 }, 'secrets': { 'token': secrets.api_token } }", {
      parameters: { endpoint: 'https://x.example' },
      secrets: { api_token: 'mine' },
      from: '1.0.0',
    });
    expect(out).toEqual({ parameters: { url: 'https://x.example', retries: 3 }, secrets: { token: 'mine' } });
  });

  it.each([
    ['function($x) { $x }', 'EXPRESSION_NOT_ALLOWED'],
    ["$eval('1')", 'EXPRESSION_NOT_ALLOWED'],
    ['$match("a", /a/)', 'EXPRESSION_NOT_ALLOWED'],
    ['{ "parameters": ', 'EXPRESSION_SYNTAX'],
  ])('refuses %s at validation and at evaluation', async (expr, code) => {
    expect(analyseMigration(expr)).toBeDefined();
    await expect(evaluateMigration(expr, { parameters: {}, secrets: {}, from: '1.0.0' })).rejects.toSatisfy((e: unknown) => e instanceof ExpressionFailure && e.code === code);
  });

  it('bounds what a migration yields', async () => {
    await expect(evaluateMigration('[1..100000]', { parameters: {}, secrets: {}, from: '1.0.0' })).rejects.toSatisfy(
      (e: unknown) => e instanceof ExpressionFailure && e.code === 'EXPRESSION_LIMIT',
    );
  });
});
