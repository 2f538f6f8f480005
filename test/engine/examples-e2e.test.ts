import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS, DEMO_USERS } from '../../domain/demo-users.ts';
import { createSecretStore, secretRef } from '../../platform/secrets.ts';
import { allowPartnerSystems, demoSecretNeeds, loadExamplePack, seedExamplePack, type LoadedExample } from '../../platform/seed.ts';
import { partnerSystemRoutes } from '../../examples/partner-systems/routes.ts';
import { startPartnerSystems } from '../../examples/partner-systems/server.ts';
import { openStack, prepareDatabase, type DemoUser, type Stack } from '../support/stack.ts';
import { startRecordingFixture, type RecordingFixture } from '../support/recording-fixture.ts';
import { decide, startRun, step, waitForRun, waitingAt, type RunView } from './support.ts';

// The example pack, end to end, as `npm start` seeds it: the same seeding code
// (platform/seed.ts seedExamplePack: partner adapter, each demo tenant's secrets, draft →
// publish → review, then the marketplace: curated lists and one instance per demo tenant)
// on a database of this file's own, then every example run by its tenant with nothing stored
// by hand — every URL pointing at a local fixture of the partner systems, approvals decided
// through the API — and a run from each seeded instance, whose endpoints the seed bound to
// the partner systems as npm start does. Only the names get a suffix: publish workflow ids
// are shared by every test file on the one Temporal server.

let s: Stack;
let fx: RecordingFixture;
let seeded: Awaited<ReturnType<typeof seedExamplePack>>;
/** the pack as seeded, by file name without extension */
const examples = new Map<string, LoadedExample & { id: string }>();
const secretsBefore = new Map<string, string[]>();

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`examples_${randomUUID().slice(0, 8)}`) });
  // the example partner systems, as npm start serves them (examples/partner-systems), recording every call
  fx = await startRecordingFixture(partnerSystemRoutes);
  // they listen on 127.0.0.1: as npm start does (scripts/seed.ts --partner-systems), the demo
  // tenants may reach them — host on the allow-lists, port among the egress ports
  await allowPartnerSystems(s.sql, fx.url);
  for (const t of DEMO_TENANTS) {
    const admin: DemoUser = t.id === 'acme' ? 'tina' : 'gus';
    secretsBefore.set(t.id, (await s.as(admin).call<{ items: { name: string }[] }>('GET', '/secrets')).body.items.map((i) => i.name));
  }
  const pack: LoadedExample[] = (await loadExamplePack()).map(({ source: _source, ...ex }) => ({
    ...ex,
    spec: { ...ex.spec, metadata: { ...ex.spec.metadata, name: `${ex.spec.metadata.name}-${s.suffix}` } },
  }));
  // the seeded instances are bound to the partner systems, as npm start binds them
  seeded = await seedExamplePack(pack, (sub) => Promise.resolve(s.as(sub as DemoUser)), () => {}, { partnerSystems: fx.url });
  for (const ex of pack) {
    const tenant = DEMO_USERS.find((u) => u.sub === ex.author)!.tenant;
    examples.set(ex.file.replace(/^workflows\/|\.yaml$/g, ''), { ...ex, id: `${tenant}.${ex.spec.metadata.name}` });
  }
}, 300_000);
afterAll(async () => {
  await fx?.close();
  await s?.close();
});

const example = (name: string) => {
  const ex = examples.get(name);
  if (!ex) throw new Error(`the example pack has no ${name}`);
  return ex;
};

/** The value the seed stored for a tenant's secret (the test reads it back to check the calls). */
const seededSecret = (tenant: string, name: string) => createSecretStore(s.sql, s.env.secretsKey).resolve(secretRef(tenant, name), tenant);

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
  it('seeds every entry and the secrets each demo tenant needs, so every seeded example is ready to run', async () => {
    // five published; the vendor risk assessment is left awaiting approval on purpose
    expect(seeded).toMatchObject({ published: 5, pending: 1 });
    const needs = demoSecretNeeds([...examples.values()]);
    // each tenant: its own examples' secrets, and those of the global ones (installable by all)
    expect(Object.fromEntries([...needs].map(([t, list]) => [t, list.map((x) => x.name).sort()]))).toEqual({
      acme: ['billing_api_key', 'hris_token', 'idp_token'],
      globex: ['billing_api_key', 'idp_token', 'mdm_token'],
    });
    for (const [tenant, list] of needs) {
      // this database started without them: the seed stored them, as the tenant's admin
      expect(secretsBefore.get(tenant)).toEqual([]);
      const admins = DEMO_USERS.filter((u) => u.tenant === tenant && u.roles.includes('tenant-admin')).map((u) => u.sub);
      const { body } = await s.as(tenant === 'acme' ? 'tina' : 'gus').call<{ items: { name: string; createdBy?: string; description?: string }[] }>('GET', '/secrets');
      for (const { name } of list) {
        const item = body.items.find((i) => i.name === name);
        expect(item, `${tenant}/${name}`).toMatchObject({ description: expect.stringContaining('demo value') });
        expect(admins).toContain(item!.createdBy);
        // a value of its own per tenant and secret, never a shared constant
        expect(await seededSecret(tenant, name)).toMatch(new RegExp(`^demo-${tenant}-${name}-[A-Za-z0-9_-]{24}$`));
      }
    }
    // every published example is ready in its own tenant: no run fails with SECRET_NOT_FOUND
    for (const ex of examples.values()) {
      const owner = ex.author as DemoUser;
      if (ex.file.includes('vendor-risk')) continue;
      const { body } = await s.as(owner).call<{ ready: boolean; secrets: { name: string; present: boolean }[] }>('GET', `/definitions/${ex.id}/readiness`);
      expect(body, ex.id).toMatchObject({ ready: true });
      expect(body.secrets.map((x) => x.name)).toEqual((ex.spec.secrets ?? []).map((x) => x.name));
    }

    // seeding again changes nothing: published entries are skipped, stored secrets are kept,
    // the curated list is left as it is and the live instances are kept (INSTANCE_EXISTS is no error)
    const before = await seededSecret('acme', 'hris_token');
    const instancesBefore = await s.sql`select id, tenant_id, status from workflow_instance order by id`;
    const settingsBefore = await s.sql`select tenant_id, egress_allow, egress_ports from tenant_setting order by tenant_id`;
    const reviewsBefore = await s.sql`select workflow_id, status from review_request order by workflow_id`;
    expect(settingsBefore.find((r) => r.tenant_id === 'globex')).toMatchObject({ egress_allow: ['*.example.internal', '127.0.0.1'], egress_ports: ['443', new URL(fx.url).port] });
    await allowPartnerSystems(s.sql, fx.url);
    expect(await seedExamplePack([...examples.values()], (sub) => Promise.resolve(s.as(sub as DemoUser)), () => {}, { partnerSystems: fx.url })).toEqual({
      published: 5,
      pending: 1,
      curated: 0,
      instances: { installed: [], kept: seeded.instances.installed, pending: [] },
      // the marketplace entries' reviews passed once and are not requested again
      reviewed: [example('finops-cost-report').id, example('security-access-review').id],
    });
    expect(await s.sql`select workflow_id, status from review_request order by workflow_id`).toEqual(reviewsBefore);
    expect(reviewsBefore.map((r) => r.status)).toEqual(['passed', 'passed']);
    expect(await seededSecret('acme', 'hris_token')).toBe(before);
    expect(await s.sql`select id, tenant_id, status from workflow_instance order by id`).toEqual(instancesBefore);
    expect(await s.sql`select tenant_id, egress_allow, egress_ports from tenant_setting order by tenant_id`).toEqual(settingsBefore);
  });

  it('seeds the marketplace: a public-ecosystem and a partner-curated template, one live instance per demo tenant', async () => {
    const finops = example('finops-cost-report');
    const review = example('security-access-review');
    expect(seeded).toMatchObject({ curated: 1, instances: { kept: [], pending: [] } });
    expect(seeded.instances.installed).toHaveLength(2);

    // the profiles and offers the publishes asked for, decided by the publish policy
    const template = async (id: string) => (await s.as('pat').call<Record<string, unknown>>('GET', `/templates/${id}`)).body;
    expect(await template(finops.id)).toMatchObject({
      visibility: 'public-ecosystem',
      publisherTenant: 'acme',
      summary: finops.marketplace!.offer!.summary,
      environments: ['dev', 'staging', 'prod'],
      installs: 2,
    });
    expect(await template(review.id)).toMatchObject({ visibility: 'partner-curated', publisherTenant: 'acme', environments: ['staging', 'prod'] });
    // offered only after their platform reviews passed: sam, perry and dora approved each kind
    for (const id of [finops.id, review.id]) {
      const r = await s.as('gus').call<{ status: string; reviews: { kind: string; decisions: { reviewer: { sub: string } }[] }[] }>('GET', `/definitions/${id}/versions/${id === finops.id ? '1.2.0' : '2.0.0'}/review`);
      expect(r.body.status, id).toBe('passed');
      expect(r.body.reviews.map((k) => [k.kind, k.decisions.map((d) => d.reviewer.sub)]), id).toEqual([['security', ['sam']], ['performance', ['perry']], ['docs', ['dora']]]);
    }
    // the curated list: globex, set by the platform curator through the curate lifecycle
    const audience = await s.as('pat').call<{ tenants: { tenantId: string; addedBy: string }[]; lastChange?: { by: string; workflowId: string } }>('GET', `/templates/${review.id}/audience`);
    expect(audience.body.tenants).toEqual([expect.objectContaining({ tenantId: 'globex', addedBy: 'cora' })]);
    expect(audience.body.lastChange).toMatchObject({ by: 'cora', workflowId: expect.stringMatching(/^curate\//) as string });

    // globex's admin sees both in the Marketplace
    const market = await s.as('gus').call<{ items: { id: string; visibility: string; myInstances: { id: string }[] }[] }>('GET', '/templates?view=marketplace&perPage=100');
    expect(market.body.items.filter((i) => [finops.id, review.id].includes(i.id)).map((i) => [i.id, i.visibility]).sort()).toEqual(
      [
        [finops.id, 'public-ecosystem'],
        [review.id, 'partner-curated'],
      ].sort(),
    );

    // one live instance per demo tenant, each bound to its own tenant's secret
    for (const [tenant, admin] of [
      ['acme', 'tina'],
      ['globex', 'gus'],
    ] as const) {
      const { body } = await s.as(admin).call<{ items: { id: string; templateId: string; environment: string; status: string; secretBindings: Record<string, string>; parameters: Record<string, unknown> }[] }>('GET', '/instances');
      expect(body.items, tenant).toHaveLength(1);
      const [inst] = body.items;
      expect(seeded.instances.installed).toContain(inst!.id);
      // globex installs acme's template into staging: prod takes certified marketplace versions only
      expect(inst).toMatchObject({ templateId: finops.id, environment: tenant === 'acme' ? 'prod' : 'staging', status: 'active', secretBindings: { billing_api_key: `secret://${tenant}/billing_api_key` } });
      // bound to the partner systems: the endpoints' origin moved, their path kept
      expect(inst!.parameters).toMatchObject({ billingUrl: fx.url, reportWebhookUrl: `${fx.url}/hooks/finops` });
      // the Marketplace lists globex's instance with the template
      if (tenant === 'globex') expect(market.body.items.find((i) => i.id === finops.id)!.myInstances.map((m) => m.id)).toEqual([inst!.id]);
    }
  });

  it('a run from each seeded instance completes, with its own tenant\'s secret', async () => {
    for (const [tenant, admin] of [
      ['acme', 'tina'],
      ['globex', 'gus'],
    ] as const) {
      const [inst] = (await s.as(admin).call<{ items: { id: string }[] }>('GET', '/instances')).body.items;
      const started = await s.as(admin).call<{ runId: string }>('POST', `/instances/${inst!.id}/runs`, { params: { month: '2025-03', budget: 1500 } });
      expect(started.status).toBe(202);
      const r = await waitForRun(s, admin, started.body.runId);
      expect(r.status, JSON.stringify(r.error)).toBe('completed');
      expect(r.tenantId).toBe(tenant);
      expect(statuses(r)).toEqual([
        ['fetchSpend', 'completed'],
        ['summarise', 'completed'],
        ['alert', 'completed'],
        ['sendReport', 'completed'],
      ]);
      expect(calls(r)).toEqual(['GET /spend', 'POST /hooks/finops', 'POST /hooks/finops']);
      const spend = callOf(r, 'fetchSpend');
      expect(spend.query).toEqual({ month: '2025-03' });
      expect(spend.headers.authorization).toBe(`Bearer ${await seededSecret(tenant, 'billing_api_key')}`);
      expect(JSON.stringify(r)).not.toContain(await seededSecret(tenant, 'billing_api_key'));
    }
  });

  it('hr-onboarding: account, then laptop and buddy in parallel, then the manager hears the ids', async () => {
    const { id, spec } = example('hr-onboarding');
    expect(spec.metadata).toMatchObject({ risk: 'low', scope: 'tenant-local' });
    expect(spec.secrets?.map((x) => x.name)).toEqual(['hris_token']);
    const secrets = { hris_token: await seededSecret('acme', 'hris_token') };

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
    // a global spec: published by acme's publisher, reviewed by bob
    const { id, spec } = example('finops-cost-report');
    expect(spec.metadata).toMatchObject({ risk: 'medium', scope: 'global' });
    expect(spec.secrets?.map((x) => x.name)).toEqual(['billing_api_key']);
    const secrets = { billing_api_key: await seededSecret('acme', 'billing_api_key') };
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
    const { id, spec } = example('security-access-review');
    expect(spec.metadata).toMatchObject({ risk: 'high', scope: 'global' });
    expect(spec.secrets?.map((x) => x.name)).toEqual(['idp_token']);
    const secrets = { idp_token: await seededSecret('acme', 'idp_token') };

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
    expect(calls(waiting)).toEqual(['GET /grants']);
    await decide(s, 'bob', started.body.runId, 'reviewerSignOff', 'approve', 'Grants match the HR roster; revoke the two stale ones.');
    const r = await waitForRun(s, 'alice', started.body.runId);
    expect(r.status, JSON.stringify(r.error)).toBe('completed');
    expect(statuses(r)).toEqual([
      ['exportGrants', 'completed'],
      ['reviewerSignOff', 'completed'],
      ['revokeStale', 'completed'],
      ['recordEvidence', 'completed'],
    ]);
    expect(calls(r)).toEqual(['GET /grants', 'POST /revocations', 'POST /hooks/evidence']);
    const exported = callOf(r, 'exportGrants');
    expect(exported.method).toBe('GET');
    expect(exported.query).toEqual({ systems: 'github,aws' });
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
    expect(calls(clean)).toEqual(['GET /grants', 'POST /hooks/evidence']);
    expect(JSON.stringify([r, clean])).not.toContain(secrets.idp_token);
  });

  it('compliance-evidence (globex): snapshots and attestations in parallel, bundled and stored', async () => {
    // medium risk: reviewed (by bob) before the seed published it
    const { id, spec } = example('compliance-evidence');
    expect(spec.metadata).toMatchObject({ risk: 'medium', scope: 'tenant-local' });
    expect(spec.secrets).toBeUndefined();

    expect(id.startsWith('globex.')).toBe(true);
    const r = await run(id, 'carol', { auditPeriod: '2025-Q1', configUrl: fx.url, evidenceUrl: fx.url });
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

  it("laptop-provisioning (globex): order, a durable wait for delivery, then enrolment, with globex's own token", async () => {
    const { id, spec } = example('laptop-provisioning');
    expect(id.startsWith('globex.')).toBe(true);
    expect(spec.secrets?.map((x) => x.name)).toEqual(['mdm_token']);
    const token = await seededSecret('globex', 'mdm_token');
    expect(token).not.toBe(await seededSecret('acme', 'hris_token'));

    const r = await run(id, 'carol', { assignee: 'grace@globex.example', mdmUrl: fx.url });
    expect(r.status, JSON.stringify(r.error)).toBe('completed');
    expect(statuses(r)).toEqual([
      ['order', 'completed'],
      ['waitForDelivery', 'completed'],
      ['enrol', 'completed'],
    ]);
    expect(calls(r)).toEqual(['POST /orders', 'POST /enrolments']);
    const order = callOf(r, 'order');
    expect(order.json).toEqual({ assignee: 'grace@globex.example', model: 'standard' });
    expect(order.headers.authorization).toBe(`Bearer ${token}`);
    const enrol = callOf(r, 'enrol');
    expect(enrol.json).toEqual({ orderId: 'order-grace' });
    expect(enrol.headers.authorization).toBe(`Bearer ${token}`);
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it('vendor-risk-assessment: seeded awaiting approval; once a reviewer approves, high scores reach the security team', async () => {
    const { id, spec } = example('vendor-risk-assessment');
    const { version } = spec.metadata;
    expect((await s.as('alice').publishState(id, version)).body.status).toBe('awaiting_approval');
    await s.as('bob').decide(id, version, 'approve', 'Questionnaire scoring reviewed; the escalation target is the security channel.');
    expect(await s.as('alice').waitForPublish(id, version, ['published', 'rejected'])).toBe('published');

    const params = (risks: number[]) => ({ vendorName: 'Initech', answers: risks.map((risk) => ({ risk })), securityWebhookUrl: `${fx.url}/hooks/security` });
    const high = await run(id, 'alice', params([6, 5]));
    expect(high.status, JSON.stringify(high.error)).toBe('completed');
    expect(statuses(high)).toEqual([
      ['score', 'completed'],
      ['escalate', 'completed'],
    ]);
    expect(step(high, 'score').output).toEqual({ result: { score: 11, high: true } });
    expect(callOf(high, 'escalate').json).toEqual({ message: 'Initech scored 11: review needed' });

    const low = await run(id, 'alice', params([1, 2]));
    expect(low.status, JSON.stringify(low.error)).toBe('completed');
    expect(statuses(low)).toEqual([
      ['score', 'completed'],
      ['escalate', 'skipped'],
    ]);
    expect(calls(low)).toEqual([]);
  });

  it('the partner systems npm start serves give the same answers, and 404 for what they do not know', async () => {
    const systems = await startPartnerSystems({ host: '127.0.0.1', port: 0 });
    try {
      const spend = await fetch(`${systems.url}/spend?month=2025-03`);
      expect(spend.status).toBe(200);
      expect(await spend.json()).toEqual(partnerSystemRoutes['GET /spend']!({ method: 'GET', path: '/spend', query: {}, json: undefined }).body);
      const order = await fetch(`${systems.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assignee: 'grace@globex.example' }) });
      expect({ status: order.status, body: await order.json() }).toEqual({ status: 201, body: { id: 'order-grace' } });
      expect((await fetch(`${systems.url}/nowhere`)).status).toBe(404);
    } finally {
      await systems.close();
    }
  });

  it('every call of every run carried an Idempotency-Key of its workflow and step', () => {
    // hr-onboarding 3, finops 3 + 2, the two seeded instances 3 + 3, access review 3 + 2, compliance 3, laptop 2, vendor risk 1 + 0
    expect(fx.requests).toHaveLength(25);
    for (const q of fx.requests) expect(q.headers['idempotency-key'], `${q.method} ${q.path}`).toMatch(/^run\/(acme|globex)\.[a-z0-9-]+\/[^/]+\/[a-zA-Z]+$/);
    // one call per key: nothing was retried or sent twice
    const keys = fx.requests.map((q) => q.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
