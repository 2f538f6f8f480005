import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { call, publishTemplate, templateSpec } from '../marketplace/support.ts';
import { passReview } from '../review/support.ts';
import { startRun, waitForRun, type RunView } from '../engine/support.ts';
import { loadBuiltinManifests } from '../../platform/registry.ts';
import type { GuardrailDecision, PolicyOverride } from '../../domain/policy-profiles.ts';

/**
 * The guardrails (policies/guardrails.rego) gate the publish and run lifecycles end to end
 * through the API: hard rules deny (POLICY_DENIED naming the rule, nothing to override), the
 * soft business-hours rule holds a critical run until another tenant admin overrides it with
 * a rationale — recorded in the run's history and read model; a publish's receipt carries
 * the guardrails' decision.
 */
let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

interface PublishView {
  status: string;
  error?: { code: string; message: string; details?: { path: string; code: string; message: string }[] };
  guardrails?: GuardrailDecision;
  overrides?: PolicyOverride[];
}
type RunWithGuardrails = RunView & { guardrails?: GuardrailDecision; overrides?: PolicyOverride[]; policyHold?: { rules: string[]; overrideRoles: string[] } };

const ENDS = ['published', 'rejected', 'denied', 'invalid'];

/** pat requests the publish; the approvals it asks for are given (bob, then root); returns its end. */
async function publish(spec: ReturnType<typeof testSpec>, visibility?: string): Promise<{ id: string; view: PublishView }> {
  const { body: draft } = await s.as('pat').createDraft(spec);
  const id = draft.definitionId;
  const v = spec.metadata.version;
  const req = await call(s, 'pat', 'POST', `/definitions/${id}/publish-requests`, { version: v, ...(visibility ? { visibility } : {}) });
  expect(req.status, JSON.stringify(req.body)).toBe(202);
  let status = await s.as('pat').waitForPublish(id, v, ['awaiting_approval', ...ENDS] as never);
  if (status === 'awaiting_approval') {
    const needed = (await call<{ decision: { requiredApprovals: number } }>(s, 'pat', 'GET', `/definitions/${id}/publish-requests/${v}`)).body.decision.requiredApprovals;
    // a critical version takes two approvals
    for (const approver of (['bob', 'root'] as const).slice(0, needed)) await s.as(approver).decide(id, v, 'approve', `Approved by ${approver}.`);
  }
  status = await s.as('pat').waitForPublish(id, v, ENDS as never);
  const view = (await call<PublishView>(s, 'pat', 'GET', `/definitions/${id}/publish-requests/${v}`)).body;
  expect(view.status).toBe(status);
  return { id, view };
}

const httpStep = (id: string, method: string) => ({ id, task: 'http.request@1.0.0', with: { url: 'https://hr.example.internal/accounts', method } });
const approvalStep = { id: 'signOff', task: 'approval@1.0.0', with: { message: 'Go ahead?', approvers: { roles: ['reviewer'] }, count: 1 } };

function expectDenied(view: PublishView, rule: string) {
  expect(view.status, JSON.stringify(view)).toBe('denied');
  expect(view.error?.code).toBe('POLICY_DENIED');
  expect(view.error?.message).toContain(rule);
  expect(view.error?.details).toContainEqual(expect.objectContaining({ code: rule, path: `/policy/${rule}`, message: expect.stringContaining('fix:') }));
  expect(view.guardrails).toMatchObject({ operation: 'publish', outcome: 'deny' });
  expect(view.guardrails!.hard_deny).toContain(rule);
  expect(view.guardrails!.rules.find((r) => r.id === rule)).toMatchObject({ enforcement: 'hard', result: 'hard-deny' });
}

async function storedGuardrails(id: string, version: string) {
  const [row] = await s.sql<{ status: string; guardrails: { outcome: string; decision: GuardrailDecision; overrides: PolicyOverride[] } | null }[]>`
    select status, guardrails from publish_request where definition_id = ${id} and version = ${version}`;
  return row!;
}

describe('publish guardrails (hard rules deny, naming the rule and its fix)', () => {
  it('local.approval-before-side-effects: a high-risk workflow that writes before any approval is denied; a read first, then an approval, is published', async () => {
    const writes = testSpec({ risk: 'high', extra: { parameters: { type: 'object', properties: {} }, steps: [httpStep('createAccount', 'POST'), approvalStep] } });
    const { id, view } = await publish(writes);
    expectDenied(view, 'local.approval-before-side-effects');
    expect(view.error!.message).toContain('"createAccount"');
    expect(await storedGuardrails(id, '1.0.0')).toMatchObject({ status: 'denied', guardrails: { outcome: 'deny', decision: { hard_deny: ['local.approval-before-side-effects'] } } });
    // nothing to override: the publish is not held (and a hard rule is never overridable)
    const refused = await call(s, 'tina', 'POST', `/definitions/${id}/publish-requests/1.0.0/override`, { rule: 'local.approval-before-side-effects', rationale: 'Please.' });
    expect([refused.status, refused.body.code]).toEqual([409, 'NOT_HELD']);

    // the same steps as a read before the approval: published, the receipt carries the guardrails
    const reads = testSpec({ risk: 'high', extra: { parameters: { type: 'object', properties: {} }, steps: [httpStep('listAccounts', 'GET'), approvalStep, httpStep('createAccount', 'POST')] } });
    const ok = await publish(reads);
    expect(ok.view.status, JSON.stringify(ok.view.error)).toBe('published');
    expect(ok.view.guardrails).toMatchObject({ operation: 'publish', profile: 'local_workflow', outcome: 'allow', hard_deny: [] });
    expect(ok.view.guardrails!.rules.find((r) => r.id === 'local.approval-before-side-effects')?.result).toBe('pass');
    const [receipt] = await s.sql<{ decisions: { guardrails?: GuardrailDecision; overrides?: PolicyOverride[] } }[]>`
      select decisions from provenance_receipt where lifecycle = 'publish' and subject = ${`${ok.id}@1.0.0`}`;
    expect(receipt!.decisions.guardrails).toMatchObject({ outcome: 'allow', input_digest: ok.view.guardrails!.input_digest });
    expect(receipt!.decisions.overrides).toEqual([]);
    expect(await storedGuardrails(ok.id, '1.0.0')).toMatchObject({ status: 'published', guardrails: { outcome: 'allow', overrides: [] } });
  }, 120_000);

  it('marketplace.critical-not-public: a critical workflow cannot be public-ecosystem', async () => {
    const { view } = await publish(testSpec({ risk: 'critical', scope: 'global' }), 'public-ecosystem');
    expectDenied(view, 'marketplace.critical-not-public');
    expect(view.guardrails!.profile).toBe('marketplace_workflow');
  }, 60_000);

  it('marketplace.no-unrestricted-egress: a task allowed any host, by a tenant that allows any host', async () => {
    const [before] = await s.sql<{ egress_allow: string[] }[]>`select egress_allow from tenant_setting where tenant_id = 'acme'`;
    await s.sql`update tenant_setting set egress_allow = ${[...before!.egress_allow, '*']}::text[] where tenant_id = 'acme'`;
    try {
      const { view } = await publish(templateSpec({ steps: [httpStep('fetch', 'GET')] }), 'partner-curated');
      expectDenied(view, 'marketplace.no-unrestricted-egress');
      expect(view.error!.message).toContain('"fetch"');
    } finally {
      await s.sql`update tenant_setting set egress_allow = ${before!.egress_allow}::text[] where tenant_id = 'acme'`;
    }
    // the tenant's own allow-list again: the same workflow passes this rule
    const { view } = await publish(templateSpec({ steps: [httpStep('fetch', 'GET')] }), 'partner-curated');
    expect(view.guardrails!.rules.find((r) => r.id === 'marketplace.no-unrestricted-egress')?.result).toBe('pass');
  }, 90_000);

  it('marketplace.no-deprecated-tasks: beyond the tenant a deprecated task is denied by rule (no DEPRECATED_TASK refusal any more)', async () => {
    const transform = loadBuiltinManifests().find((m) => m.metadata.name === 'transform')!;
    const name = `t-${randomUUID().replace(/-/g, '').slice(0, 12)}.step`;
    expect((await call(s, 'pat', 'POST', '/adapters', { manifest: { ...transform, metadata: { ...transform.metadata, name } } })).status).toBe(201);
    expect((await call(s, 'pat', 'POST', `/adapters/${name}/versions/1.0.0/status`, { status: 'deprecated', replacement: 'transform@1.0.0' })).status).toBe(200);
    const steps = [{ id: 'shape', task: `${name}@1.0.0`, with: { expression: '1 + 1' } }];
    const { view } = await publish(templateSpec({ steps }), 'partner-curated');
    expectDenied(view, 'marketplace.no-deprecated-tasks');
    // tenant-local: the advisory rule only warns
    const local = await publish(testSpec({ extra: { steps } }));
    expect(local.view.status).toBe('published');
    expect(local.view.guardrails).toMatchObject({ outcome: 'allow', advisory: ['local.deprecated-task'] });
  }, 90_000);
});

describe('review guardrails: a passed review raises the profile only if the guardrails allow it', () => {
  it('a hard denial at the requested profile (the tenant now allows any host) keeps the version internal-only and says why', async () => {
    const id = await publishTemplate(s, templateSpec({ steps: [httpStep('fetch', 'GET')] }), { visibility: 'partner-curated', review: false });
    const [before] = await s.sql<{ egress_allow: string[] }[]>`select egress_allow from tenant_setting where tenant_id = 'acme'`;
    await s.sql`update tenant_setting set egress_allow = ${[...before!.egress_allow, '*']}::text[] where tenant_id = 'acme'`;
    try {
      const review = await passReview(s, id, '1.0.0');
      expect(review.reason).toContain('kept internal-only by the guardrails');
      expect(review.reason).toContain('marketplace.no-unrestricted-egress');
    } finally {
      await s.sql`update tenant_setting set egress_allow = ${before!.egress_allow}::text[] where tenant_id = 'acme'`;
    }
    const [v] = await s.sql<{ visibility: string; review_state: string }[]>`select visibility, review_state from workflow_version where definition_id = ${id} and version = '1.0.0'`;
    expect(v).toEqual({ visibility: 'internal-only', review_state: 'failed' });
    const [t] = await s.sql<{ visibility: string }[]>`select visibility from workflow_template where id = ${id}`;
    expect(t?.visibility ?? 'internal-only').toBe('internal-only');
  }, 180_000);
});

describe('run guardrails at run start', () => {
  let definitionId: string;
  beforeAll(async () => {
    // critical, tenant-local: two approvals (bob, root); transform steps only
    const { id, view } = await publish(testSpec({ risk: 'critical' }));
    expect(view.status, JSON.stringify(view.error)).toBe('published');
    definitionId = id;
  }, 90_000);

  const run = async (user: 'pat' | 'alice' | 'tina', until: (r: RunWithGuardrails) => boolean) => {
    const started = await startRun(s, user, definitionId, { params: { email: 'a@example.com' } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return (await waitForRun(s, user, started.body.runId, until as never, 60_000)) as RunWithGuardrails;
  };

  it('local.critical-run-quota (hard): the run fails with POLICY_DENIED naming the rule; nothing to override', async () => {
    await s.sql`update tenant_setting set critical_runs_per_day = 0 where tenant_id = 'acme'`;
    let failed: RunWithGuardrails;
    try {
      failed = await run('pat', (r) => r.status !== 'running');
    } finally {
      await s.sql`update tenant_setting set critical_runs_per_day = null where tenant_id = 'acme'`;
    }
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'POLICY_DENIED', message: expect.stringContaining('local.critical-run-quota') });
    expect(failed.error!.details).toContainEqual(expect.objectContaining({ path: '/policy/local.critical-run-quota' }));
    // no step ran
    expect(failed.steps.map((st) => st.status)).toEqual(['cancelled']);
    expect(failed.guardrails).toMatchObject({ operation: 'run', outcome: 'deny', hard_deny: ['local.critical-run-quota'] });
    const [row] = await s.sql<{ guardrails: { outcome: string }; error_code: string }[]>`select guardrails, error_code from run where id = ${failed.runId}`;
    expect(row).toMatchObject({ guardrails: { outcome: 'deny' }, error_code: 'POLICY_DENIED' });
    const after = await call(s, 'tina', 'POST', `/runs/${failed.runId}/override`, { rule: 'local.critical-run-quota', rationale: 'Month end.' });
    expect([after.status, after.body.code]).toEqual([409, 'NOT_HELD']);
    // the Temporal execution failed non-retryably with the code
    const desc = await s.client.workflow.getHandle(failed.workflowId).describe();
    expect(desc.status.name).toBe('FAILED');
  }, 90_000);

  it('local.critical-business-hours (soft): held; refused for the starter, a non-admin, a hard rule, a bad rationale, another tenant; overridden by another tenant admin; the run proceeds', async () => {
    // business hours that exclude today and tomorrow (UTC): now is outside them whenever the run decides
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const today = new Date().getUTCDay();
    const open = days.filter((_, i) => i !== today && i !== (today + 1) % 7);
    await s.sql`update tenant_setting set business_hours = ${s.sql.json({ days: open, start_hour: 9, end_hour: 17, timezone: 'UTC' })} where tenant_id = 'acme'`;
    try {
      await heldThenOverridden();
    } finally {
      await s.sql`update tenant_setting set business_hours = null where tenant_id = 'acme'`;
    }
  }, 120_000);

  // (the business hours stay set until the override: the override's decision is made on the same facts)
  async function heldThenOverridden() {
    const held = await run('pat', (r) => !!r.policyHold || r.status !== 'running');
    expect(held.status, JSON.stringify(held.error)).toBe('running');
    expect(held.policyHold).toMatchObject({ rules: ['local.critical-business-hours'], overrideRoles: ['tenant-admin'] });
    expect(held.steps.map((st) => st.status)).toEqual(['pending']);
    expect(held.guardrails).toMatchObject({ outcome: 'hold', soft_deny: ['local.critical-business-hours'] });
    const [row] = await s.sql<{ guardrails: { outcome: string } }[]>`select guardrails from run where id = ${held.runId}`;
    expect(row!.guardrails.outcome).toBe('hold');

    const override = (user: 'pat' | 'alice' | 'tina' | 'root' | 'gus', body: Record<string, unknown>) => call(s, user, 'POST', `/runs/${held.runId}/override`, body);
    const rule = 'local.critical-business-hours';
    const refusals = [
      [await override('pat', { rule, rationale: 'My own run.' }), 403, 'SELF_OVERRIDE'],
      [await override('alice', { rule, rationale: 'Not an admin.' }), 403, 'OVERRIDE_NOT_ALLOWED'],
      [await override('root', { rule, rationale: 'A platform admin is not a role this rule names.' }), 403, 'OVERRIDE_NOT_ALLOWED'],
      [await override('tina', { rule: 'local.critical-run-quota', rationale: 'Hard rule.' }), 409, 'HARD_MANDATORY'],
      [await override('tina', { rule: 'local.deprecated-task', rationale: 'Advisory, not holding the run.' }), 409, 'NOT_DENIED'],
      [await override('tina', { rule: 'local.no-such-rule', rationale: 'Unknown.' }), 422, 'UNKNOWN_RULE'],
      [await override('tina', { rule, rationale: '   ' }), 422, 'RATIONALE_REQUIRED'],
      [await override('tina', { rule, rationale: 'x'.repeat(5000) }), 422, 'RATIONALE_TOO_LONG'],
      [await override('tina', { rule, rationale: 'x'.repeat(9000) }), 422, 'VALIDATION_FAILED'],
      [await override('tina', { rule, rationale: 'ok', actor: { sub: 'someone' } }), 422, 'VALIDATION_FAILED'],
      // another tenant's admin does not see the run
      [await override('gus', { rule, rationale: 'Not my tenant.' }), 404, 'RUN_NOT_FOUND'],
    ] as const;
    for (const [res, status, code] of refusals) expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([status, code]);
    // still held, nothing recorded
    const still = (await call<RunWithGuardrails>(s, 'pat', 'GET', `/runs/${held.runId}`)).body;
    expect(still.policyHold).toBeDefined();
    expect(still.overrides).toEqual([]);

    // two tenant admins' overrides at once (tina twice): one counts, the other finds nothing held
    const rationale = 'Quarter-end payroll correction approved by the CFO; run now.';
    const both = await Promise.all([override('tina', { rule, rationale }), override('tina', { rule, rationale: `${rationale} (again)` })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const accepted = both.find((r) => r.status === 200)!.body as unknown as { guardrails: GuardrailDecision };
    expect(accepted.guardrails).toMatchObject({ outcome: 'allow', overridden: [rule] });
    expect(accepted.guardrails.rules.find((r) => r.id === rule)).toMatchObject({ result: 'overridden', override: { by: 'tina', tenant: 'acme', rationale: expect.stringContaining('Quarter-end') } });

    const done = (await waitForRun(s, 'pat', held.runId, (r) => r.status !== 'running', 60_000)) as RunWithGuardrails;
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.steps.map((st) => st.status)).toEqual(['completed']);
    expect(done.policyHold).toBeUndefined();
    expect(done.overrides).toHaveLength(1);
    expect(done.overrides![0]).toMatchObject({ rule, actor: { sub: 'tina', tenant: 'acme' }, rationale: expect.stringContaining('Quarter-end') });
    const [after] = await s.sql<{ guardrails: { outcome: string; overrides: PolicyOverride[] } }[]>`select guardrails from run where id = ${held.runId}`;
    expect(after!.guardrails.outcome).toBe('allow');
    expect(after!.guardrails.overrides).toEqual([expect.objectContaining({ rule, actor: expect.objectContaining({ sub: 'tina' }), rationale: done.overrides![0]!.rationale })]);
    const late = await override('tina', { rule, rationale });
    expect([late.status, late.body.code]).toEqual([409, 'NOT_HELD']);

    // the history: the accepted Update (rule, actor, rationale) and the activity's decision with the override
    const history = await s.client.workflow.getHandle(held.workflowId).fetchHistory();
    const converter = s.client.options.loadedDataConverter;
    const updates = [];
    for (const e of history.events ?? []) {
      const a = e.workflowExecutionUpdateAcceptedEventAttributes;
      if (a?.acceptedRequest?.input?.name === 'overridePolicy') updates.push(...(await decodeArrayFromPayloads(converter, a.acceptedRequest.input.args?.payloads)));
    }
    // both were accepted by the validator; the handler refused the second
    expect(updates.length).toBeGreaterThanOrEqual(1);
    const given = done.overrides![0]!.rationale;
    expect(updates).toContainEqual(expect.objectContaining({ rule, rationale: given, actor: expect.objectContaining({ sub: 'tina', tenant: 'acme' }) }));
    const decisions: GuardrailDecision[] = [];
    for (const e of history.events ?? []) {
      const r = e.activityTaskCompletedEventAttributes?.result?.payloads;
      if (!r) continue;
      const [value] = await decodeArrayFromPayloads(converter, r);
      if (value && typeof value === 'object' && 'input_digest' in value) decisions.push(value as GuardrailDecision);
    }
    // the first decision held the run; the refused overrides never reached history (alice's and root's
    // roles are not named: refused by the validator); the last decision counts tina's override
    expect(decisions.map((d) => d.outcome)).toEqual(['hold', 'allow']);
    expect(decisions[1]!.rules.find((r) => r.id === rule)?.override).toMatchObject({ by: 'tina', rationale: given });
  }
});
