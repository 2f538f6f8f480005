import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openStack, type DemoUser, type Stack } from '../support/stack.ts';
import { startRecordingFixture, type FixtureRequest, type RecordingFixture } from '../support/recording-fixture.ts';
import { decide, startRun, step, waitForRun, waitingAt, type RunView } from './support.ts';

// The example pack, end to end: each spec as shipped (only its name made unique), published
// through the API with the review its risk and scope demand, run with every URL pointing at a
// local fixture of the partner systems, approvals decided through the API.

let s: Stack;
let fx: RecordingFixture;

/** The partner systems of all four examples. Responses depend on the request where a test needs both branches. */
const routes = {
  // HRIS (hr-onboarding)
  'POST /accounts': (r: FixtureRequest) => ({ status: 201, body: { id: `acct-${(r.json as { email: string }).email.split('@')[0]}` } }),
  'POST /equipment': (r: FixtureRequest) => ({ status: 201, body: { orderId: `ord-${(r.json as { employeeId: string }).employeeId}` } }),
  // billing (finops-cost-report): 1200 + 300 + 500 = 2000
  'GET /spend': () => ({
    body: {
      items: [
        { team: 'platform', cost: 1200 },
        { team: 'data', cost: 300 },
        { team: 'web', cost: 500 },
      ],
    },
  }),
  // identity provider (security-access-review): a system named "clean" has no stale grants
  'POST /grants': (r: FixtureRequest) => {
    const systems = (r.json as { systems: string[] }).systems;
    return systems.includes('clean')
      ? { body: { grants: [{ id: 'g-clean-1', stale: false }] } }
      : {
          body: {
            grants: [
              { id: 'g-1', stale: false },
              { id: 'g-2', stale: true },
              { id: 'g-3', stale: false },
              { id: 'g-4', stale: true },
            ],
          },
        };
  },
  'POST /revocations': (r: FixtureRequest) => ({ body: { revoked: (r.json as { grants: string[] }).grants.length } }),
  // configuration and evidence store (compliance-evidence)
  'GET /snapshots': (r: FixtureRequest) => ({ body: { period: r.query.period, items: [{ id: 'cfg-1' }, { id: 'cfg-2' }, { id: 'cfg-3' }] } }),
  'GET /attestations': (r: FixtureRequest) => ({ body: { period: r.query.period, items: [{ id: 'att-1' }, { id: 'att-2' }] } }),
  'POST /bundles': () => ({ status: 201, body: { bundleId: 'bundle-1' } }),
  // chat / GRC webhooks
  'POST /hooks/people-ops': () => ({ body: { ok: true } }),
  'POST /hooks/finops': () => ({ body: { ok: true } }),
  'POST /hooks/evidence': () => ({ body: { ok: true } }),
};

beforeAll(async () => {
  s = await openStack();
  fx = await startRecordingFixture(routes);
});
afterAll(async () => {
  await fx?.close();
  await s?.close();
});

type ExampleSpec = { metadata: { name: string; version: string; risk: string; scope: string }; secrets?: { name: string }[] } & Record<string, unknown>;

/** The example as shipped, with a name unique to this test file (names are unique across the shared database). */
function loadExample(file: string): ExampleSpec {
  const spec = parse(readFileSync(path.join(import.meta.dirname, '../../examples/workflows', `${file}.yaml`), 'utf8')) as ExampleSpec;
  spec.metadata.name = `${spec.metadata.name}-${s.suffix}`;
  return spec;
}

/** Publishes through the API; a spec whose risk or scope needs review is approved by bob with a rationale. */
async function publishExample(spec: ExampleSpec, author: DemoUser): Promise<string> {
  const api = s.as(author);
  const { version } = spec.metadata;
  const { body: draft } = await api.createDraft(spec);
  await api.requestPublish(draft.definitionId, version);
  const needsReview = spec.metadata.risk !== 'low' || spec.metadata.scope === 'global';
  const first = await api.waitForPublish(draft.definitionId, version, ['published', 'awaiting_approval', 'denied', 'invalid']);
  if (needsReview) {
    expect(first).toBe('awaiting_approval');
    await s.as('bob').decide(draft.definitionId, version, 'approve', `Example ${spec.metadata.name} reviewed: endpoints and secrets are the expected ones.`);
    expect(await api.waitForPublish(draft.definitionId, version, ['published', 'denied', 'invalid'])).toBe('published');
  } else {
    expect(first).toBe('published');
  }
  return draft.definitionId;
}

/** Stores every secret the spec declares (as pat, an acme publisher), each with a fresh random value. */
async function storeSecrets(spec: ExampleSpec): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const { name } of spec.secrets ?? []) {
    values[name] = `${name}-${randomBytes(12).toString('hex')}`;
    const res = await s.request('PUT', `/api/secrets/${name}`, { user: 'pat', body: JSON.stringify({ value: values[name] }) });
    expect(res.status).toBe(204);
  }
  return values;
}

async function run(definitionId: string, user: DemoUser, params: Record<string, unknown>, approve?: { stepId: string; rationale: string }): Promise<RunView> {
  const started = await startRun(s, user, definitionId, { params });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  if (approve) {
    await waitForRun(s, user, started.body.runId, waitingAt(approve.stepId));
    const decided = await decide(s, 'bob', started.body.runId, approve.stepId, 'approve', approve.rationale);
    expect(decided.status).toBe(200);
  }
  return waitForRun(s, user, started.body.runId);
}

const statuses = (r: RunView) => r.steps.map((st) => [st.id, st.status]);
/** the calls of one run, as "METHOD /path" in the order received */
const calls = (r: RunView) => fx.forWorkflow(r.workflowId).map((q) => `${q.method} ${q.path}`);
const callOf = (r: RunView, stepId: string) => {
  const matching = fx.requests.filter((q) => q.headers['idempotency-key'] === `${r.workflowId}/${stepId}`);
  expect(matching, `exactly one call for step ${stepId}`).toHaveLength(1);
  return matching[0]!;
};

describe('the example pack runs end to end against local partner systems', () => {
  it('hr-onboarding: account, then laptop and buddy in parallel, then the manager hears the ids', async () => {
    const spec = loadExample('hr-onboarding');
    expect(spec.metadata).toMatchObject({ risk: 'low', scope: 'tenant-local' });
    const secrets = await storeSecrets(spec);
    expect(Object.keys(secrets)).toEqual(['hris_token']);
    const id = await publishExample(spec, 'alice');

    const r = await run(id, 'alice', {
      employeeEmail: 'ada@acme.example',
      fullName: 'Ada Lovelace',
      startDate: '2025-01-06',
      hrisUrl: fx.url,
      chatWebhookUrl: `${fx.url}/hooks/people-ops`,
    });
    expect(r.status, JSON.stringify(r.error)).toBe('completed');
    expect(statuses(r)).toEqual([
      ['createAccount', 'completed'],
      ['setup', 'completed'],
      ['orderLaptop', 'completed'],
      ['pickBuddy', 'completed'],
      ['notifyManager', 'completed'],
    ]);

    // the account comes first, the message last; the laptop order carries the new account id
    const seen = calls(r);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe('POST /accounts');
    expect(seen[1]).toBe('POST /equipment');
    expect(seen[2]).toBe('POST /hooks/people-ops');

    const account = callOf(r, 'createAccount');
    expect(account.json).toEqual({ email: 'ada@acme.example', name: 'Ada Lovelace', startDate: '2025-01-06' });
    expect(account.headers.authorization).toBe(`Bearer ${secrets.hris_token}`);
    expect(step(r, 'createAccount').output).toMatchObject({ status: 201, body: { id: 'acct-ada' } });

    const laptop = callOf(r, 'orderLaptop');
    expect(laptop.json).toEqual({ employeeId: 'acct-ada', kind: 'laptop' });
    expect(laptop.headers.authorization).toBe(`Bearer ${secrets.hris_token}`);
    expect(step(r, 'orderLaptop').output).toMatchObject({ status: 201, body: { orderId: 'ord-acct-ada' } });
    expect(step(r, 'pickBuddy').output).toEqual({ result: { buddyTeam: 'engineering-guild' } });

    const hook = callOf(r, 'notifyManager');
    expect(hook.headers.authorization).toBeUndefined();
    expect(hook.json).toEqual({ message: 'Ada Lovelace starts on 2025-01-06: account acct-ada, laptop ord-acct-ada, buddy from engineering-guild' });
    expect(step(r, 'notifyManager').output).toEqual({ delivered: true, status: 200 });

    // the run state carries references only: the token value is nowhere in it
    expect(JSON.stringify(r)).not.toContain(secrets.hris_token);
  });

  it('finops-cost-report: the over-budget alert fires only when spend exceeds the budget', async () => {
    const spec = loadExample('finops-cost-report');
    expect(spec.metadata).toMatchObject({ risk: 'medium', scope: 'global' });
    const secrets = await storeSecrets(spec);
    expect(Object.keys(secrets)).toEqual(['billing_api_key']);
    // a global spec: published by acme's publisher, reviewed by bob
    const id = await publishExample(spec, 'pat');
    const params = (budget: number) => ({ month: '2025-03', budget, billingUrl: fx.url, reportWebhookUrl: `${fx.url}/hooks/finops` });

    const over = await run(id, 'alice', params(1500));
    expect(over.status, JSON.stringify(over.error)).toBe('completed');
    expect(statuses(over)).toEqual([
      ['fetchSpend', 'completed'],
      ['summarise', 'completed'],
      ['alert', 'completed'],
      ['sendReport', 'completed'],
    ]);
    expect(step(over, 'summarise').output).toEqual({ result: { total: 2000, overBudget: true, teams: 3 } });
    expect(calls(over)).toEqual(['GET /spend', 'POST /hooks/finops', 'POST /hooks/finops']);
    const spend = callOf(over, 'fetchSpend');
    expect(spend.query).toEqual({ month: '2025-03' });
    expect(spend.body).toBe('');
    expect(spend.headers.authorization).toBe(`Bearer ${secrets.billing_api_key}`);
    expect(callOf(over, 'alert').json).toEqual({ message: 'Cloud spend for 2025-03 is 2000, over the budget of 1500' });
    expect(callOf(over, 'sendReport').json).toEqual({
      message: 'Cost report 2025-03: 2000 across 3 teams',
      payload: { total: 2000, overBudget: true, teams: 3 },
    });

    const under = await run(id, 'alice', params(2500));
    expect(under.status, JSON.stringify(under.error)).toBe('completed');
    expect(statuses(under)).toEqual([
      ['fetchSpend', 'completed'],
      ['summarise', 'completed'],
      ['alert', 'skipped'],
      ['sendReport', 'completed'],
    ]);
    expect(step(under, 'summarise').output).toEqual({ result: { total: 2000, overBudget: false, teams: 3 } });
    expect(step(under, 'alert').output).toBeUndefined();
    // no alert call at all: the report is the only webhook call of this run
    expect(calls(under)).toEqual(['GET /spend', 'POST /hooks/finops']);
    expect(fx.requests.some((q) => q.headers['idempotency-key'] === `${under.workflowId}/alert`)).toBe(false);
    expect(callOf(under, 'sendReport').json).toEqual({
      message: 'Cost report 2025-03: 2000 across 3 teams',
      payload: { total: 2000, overBudget: false, teams: 3 },
    });
    expect(JSON.stringify([over, under])).not.toContain(secrets.billing_api_key);
  });

  it('security-access-review: a reviewer signs off, stale grants are revoked (and the revocation is skipped when none are stale)', async () => {
    const spec = loadExample('security-access-review');
    expect(spec.metadata).toMatchObject({ risk: 'high', scope: 'global' });
    const secrets = await storeSecrets(spec);
    expect(Object.keys(secrets)).toEqual(['idp_token']);
    const id = await publishExample(spec, 'pat');

    const params = (systems: string[]) => ({ systems, idpUrl: fx.url, evidenceWebhookUrl: `${fx.url}/hooks/evidence` });
    // alice starts it, bob (a reviewer) signs off: no self-approval involved
    const started = await startRun(s, 'alice', id, { params: params(['github', 'aws']) });
    expect(started.status).toBe(202);
    const waiting = await waitForRun(s, 'alice', started.body.runId, waitingAt('reviewerSignOff'));
    expect(step(waiting, 'reviewerSignOff').approval).toMatchObject({
      message: 'Confirm the 4 grants and revoke the stale ones',
      approvers: { roles: ['reviewer'] },
      count: 1,
      approvals: [],
    });
    // nothing is revoked before the sign-off
    expect(calls(waiting)).toEqual(['POST /grants']);
    await decide(s, 'bob', started.body.runId, 'reviewerSignOff', 'approve', 'Grants match the HR roster; revoke the two stale ones.');
    const r = await waitForRun(s, 'alice', started.body.runId);
    expect(r.status, JSON.stringify(r.error)).toBe('completed');
    expect(statuses(r)).toEqual([
      ['exportGrants', 'completed'],
      ['reviewerSignOff', 'completed'],
      ['revokeStale', 'completed'],
      ['recordEvidence', 'completed'],
    ]);
    expect(calls(r)).toEqual(['POST /grants', 'POST /revocations', 'POST /hooks/evidence']);
    const exported = callOf(r, 'exportGrants');
    expect(exported.json).toEqual({ systems: ['github', 'aws'] });
    expect(exported.headers.authorization).toBe(`Bearer ${secrets.idp_token}`);
    const revoked = callOf(r, 'revokeStale');
    expect(revoked.json).toEqual({ grants: ['g-2', 'g-4'] });
    expect(revoked.headers.authorization).toBe(`Bearer ${secrets.idp_token}`);
    expect(step(r, 'revokeStale').output).toMatchObject({ status: 200, body: { revoked: 2 } });
    const evidence = callOf(r, 'recordEvidence');
    expect(evidence.headers.authorization).toBeUndefined();
    expect(evidence.json).toEqual({
      message: 'Access review completed',
      payload: {
        systems: ['github', 'aws'],
        approvedBy: [
          {
            approver: { sub: 'bob', tenant: 'acme', name: 'Bob Reviewer' },
            decision: 'approve',
            rationale: 'Grants match the HR roster; revoke the two stale ones.',
            at: expect.any(String),
          },
        ],
      },
    });

    // no stale grant: the revocation's `when` is false
    const clean = await run(id, 'alice', params(['clean']), { stepId: 'reviewerSignOff', rationale: 'Nothing stale this quarter.' });
    expect(clean.status, JSON.stringify(clean.error)).toBe('completed');
    expect(statuses(clean)).toEqual([
      ['exportGrants', 'completed'],
      ['reviewerSignOff', 'completed'],
      ['revokeStale', 'skipped'],
      ['recordEvidence', 'completed'],
    ]);
    expect(calls(clean)).toEqual(['POST /grants', 'POST /hooks/evidence']);
    expect(JSON.stringify([r, clean])).not.toContain(secrets.idp_token);
  });

  it('compliance-evidence: snapshots and attestations in parallel, bundled and stored', async () => {
    const spec = loadExample('compliance-evidence');
    expect(spec.metadata).toMatchObject({ risk: 'medium', scope: 'tenant-local' });
    expect(spec.secrets).toBeUndefined();
    // medium risk: reviewed before it is published
    const id = await publishExample(spec, 'alice');

    const r = await run(id, 'alice', { auditPeriod: '2025-Q1', configUrl: fx.url, evidenceUrl: fx.url });
    expect(r.status, JSON.stringify(r.error)).toBe('completed');
    expect(statuses(r)).toEqual([
      ['collect', 'completed'],
      ['configSnapshot', 'completed'],
      ['attestations', 'completed'],
      ['bundle', 'completed'],
      ['store', 'completed'],
    ]);
    const seen = calls(r);
    expect(seen.slice(0, 2).sort()).toEqual(['GET /attestations', 'GET /snapshots']);
    expect(seen[2]).toBe('POST /bundles');
    expect(seen).toHaveLength(3);
    expect(callOf(r, 'configSnapshot').query).toEqual({ period: '2025-Q1' });
    expect(callOf(r, 'attestations').query).toEqual({ period: '2025-Q1' });
    // the default controls, and 3 + 2 evidence items from the two sources
    const bundle = { period: '2025-Q1', controls: ['CC6.1', 'CC7.2'], evidenceItems: 5 };
    expect(step(r, 'bundle').output).toEqual({ result: bundle });
    const stored = callOf(r, 'store');
    expect(stored.json).toEqual(bundle);
    expect(stored.headers['content-type']).toBe('application/json');
    expect(stored.headers.authorization).toBeUndefined();
    expect(step(r, 'store').output).toMatchObject({ status: 201, body: { bundleId: 'bundle-1' } });
  });

  it('every call of every run carried an Idempotency-Key of its workflow and step', () => {
    // hr-onboarding 3, finops 3 + 2, access review 3 + 2, compliance 3
    expect(fx.requests).toHaveLength(16);
    for (const q of fx.requests) expect(q.headers['idempotency-key'], `${q.method} ${q.path}`).toMatch(/^run\/acme\.[a-z0-9-]+\/[^/]+\/[a-zA-Z]+$/);
    // one call per key: nothing was retried or sent twice
    const keys = fx.requests.map((q) => q.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
