import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, prepareDatabase, testSpec, type Stack } from '../support/stack.ts';
import { call, publishTemplate, requestInstall, waitForInstall, type User } from '../marketplace/support.ts';
import { requestUpgrade, waitForUpgrade } from '../marketplace/upgrade-support.ts';
import { readFileSync } from 'node:fs';
import { setTenantEgressAllow } from '../../platform/egress.ts';

// The guardrails (policies/guardrails.rego) in the install and upgrade lifecycles, end to end
// through the API on the real stack, in a database of its own (the tenant settings it
// changes must not reach other files). acme (pat) publishes; globex installs (gus, a tenant
// admin) and overrides (dave, its second tenant admin).

let s: Stack;

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`guardrails_${randomUUID().slice(0, 8)}`) });
}, 180_000);
afterAll(async () => s?.close());

interface Guardrails {
  outcome: string;
  profile: string;
  rules: { id: string; result: string; enforcement: string; reasons: string[]; override: { by: string; rationale: string } | null }[];
  advisory: string[];
  hard_deny: string[];
  soft_deny: string[];
}
interface Held {
  status: string;
  guardrails?: Guardrails;
  heldFor: { rule: string; override_roles: string[] }[];
  overrides: { rule: string; actor: { sub: string; tenant: string }; rationale: string }[];
  error?: { code: string; details?: { path: string; code?: string }[] };
  receiptId?: string;
}

function version(name: string, v: string, risk = 'low') {
  const spec = testSpec({ scope: 'global', name, version: v, risk });
  (spec.metadata as Record<string, unknown>).changelog = `Release ${v}.`;
  return spec;
}

const SETTINGS = { region: null, endpoint_regions: {}, max_external_risk: null, critical_runs_per_day: null, business_hours: null };
const putSettings = (user: User, body: unknown) => call<Record<string, unknown>>(s, user, 'PUT', '/tenant/policy-settings', body);
const override = (user: User, instanceId: string, rule: string, rationale: string) => call<{ guardrails: Guardrails; status: string }>(s, user, 'POST', `/installs/${instanceId}/override`, { rule, rationale });
const getInstall = async (user: User, instanceId: string) => (await call<Held>(s, user, 'GET', `/installs/${instanceId}`)).body;

describe('tenant policy settings API', () => {
  it('a tenant admin replaces its own tenant\'s settings; members read them; nobody names another tenant', async () => {
    const put = await putSettings('gus', { ...SETTINGS, region: 'eu-west-1', endpoint_regions: { '*.eu.example.internal': 'eu-west-1' }, max_external_risk: 'high', business_hours: { days: ['Mon', 'Tue'], start_hour: 8, end_hour: 18, timezone: 'Europe/Berlin' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ tenant: 'globex', region: 'eu-west-1', max_external_risk: 'high' });
    const read = await call<Record<string, unknown>>(s, 'carol', 'GET', '/tenant/policy-settings');
    expect(read.body).toMatchObject({ tenant: 'globex', region: 'eu-west-1', endpoint_regions: { '*.eu.example.internal': 'eu-west-1' } });
    // acme's reader sees acme's settings only
    const acme = await call<Record<string, unknown>>(s, 'alice', 'GET', '/tenant/policy-settings');
    expect(acme.body.tenant).toBe('acme');
    expect(acme.body.region).not.toBe('eu-west-1');
    // an author is not a tenant admin
    const author = await putSettings('carol', SETTINGS);
    expect(author.status).toBe(403);
    expect(author.body.code).toBe('ROLE_REQUIRED');
    // a tenant field in the body is refused, not obeyed
    const smuggled = await putSettings('gus', { ...SETTINGS, tenant: 'acme' });
    expect(smuggled.status).toBe(422);
    expect((await putSettings('gus', SETTINGS)).status).toBe(200);
  });

  it('refuses hostile values with 422 and the failing path', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`h${i}.example.internal`, 'eu-west-1']));
    const cases: [string, unknown][] = [
      ['region', { ...SETTINGS, region: 'EU West' }],
      ['region', { ...SETTINGS, region: 'a'.repeat(41) }],
      ['endpoint_regions', { ...SETTINGS, endpoint_regions: tooMany }],
      ['endpoint_regions', { ...SETTINGS, endpoint_regions: { 'http://evil/': 'eu-west-1' } }],
      ['endpoint_regions', { ...SETTINGS, endpoint_regions: { 'api.example.internal': 'Not A Region' } }],
      ['endpoint_regions', { ...SETTINGS, endpoint_regions: { 'api.example.internal': 42 } }],
      ['max_external_risk', { ...SETTINGS, max_external_risk: 'extreme' }],
      ['critical_runs_per_day', { ...SETTINGS, critical_runs_per_day: -1 }],
      ['critical_runs_per_day', { ...SETTINGS, critical_runs_per_day: 1.5 }],
      ['critical_runs_per_day', { ...SETTINGS, critical_runs_per_day: 1e12 }],
      ['business_hours', { ...SETTINGS, business_hours: { days: ['Funday'], start_hour: 8, end_hour: 18, timezone: 'UTC' } }],
      ['business_hours', { ...SETTINGS, business_hours: { days: ['Mon', 'Mon'], start_hour: 8, end_hour: 18, timezone: 'UTC' } }],
      ['business_hours', { ...SETTINGS, business_hours: { days: ['Mon'], start_hour: 18, end_hour: 8, timezone: 'UTC' } }],
      ['business_hours', { ...SETTINGS, business_hours: { days: ['Mon'], start_hour: 8, end_hour: 25, timezone: 'UTC' } }],
      ['business_hours', { ...SETTINGS, business_hours: { days: ['Mon'], start_hour: 8, end_hour: 18, timezone: 'Mars/Olympus' } }],
      ['business_hours', { ...SETTINGS, business_hours: { days: ['Mon'], start_hour: 8, end_hour: 18, timezone: 'x'.repeat(10_000) } }],
      ['business_hours', { ...SETTINGS, business_hours: { days: [], start_hour: 8, end_hour: 18, timezone: 'UTC' } }],
      ['region', { endpoint_regions: {} }],
    ];
    for (const [path, body] of cases) {
      const res = await putSettings('gus', body);
      expect(res.status, `${JSON.stringify(body).slice(0, 200)} → ${JSON.stringify(res.body).slice(0, 300)}`).toBe(422);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.details)).toContain(path);
    }
    const stored = await call<Record<string, unknown>>(s, 'gus', 'GET', '/tenant/policy-settings');
    expect(stored.body).toMatchObject(SETTINGS);
  });
});

describe('install guardrails', () => {
  const name = `gr-${randomUUID().slice(0, 8)}`;
  let template: string;

  beforeAll(async () => {
    // a medium-risk template of acme's, offered to every tenant (its version reviewed, not certified)
    template = await publishTemplate(s, version(name, '1.0.0', 'medium'));
  }, 240_000);

  it('marketplace.prod-needs-certification: another tenant\'s uncertified version is denied in prod', async () => {
    const id = await requestInstall(s, 'gus', { templateId: template, environment: 'prod' });
    const done = await waitForInstall(s, 'gus', id);
    expect(done.status).toBe('denied');
    expect(done.error?.code).toBe('POLICY_DENIED');
    expect(done.error?.details?.map((d) => d.path)).toContain('/policy/marketplace.prod-needs-certification');
    const view = await getInstall('gus', id);
    expect(view.guardrails?.outcome).toBe('deny');
    expect(view.guardrails?.hard_deny).toContain('marketplace.prod-needs-certification');
    // nothing was reserved
    expect((await s.sql`select count(*)::int as n from workflow_instance where id = ${id}`)[0]!.n).toBe(0);
    // the override of a hard rule is refused: the install is not held
    const hard = await override('dave', id, 'marketplace.prod-needs-certification', 'We accept it.');
    expect(hard.status).toBe(409);
    expect(hard.body.code).toBe('NOT_HELD');
  });

  it('marketplace.no-unrestricted-egress: an installing tenant that allows any host is denied', async () => {
    // http.request's manifest allows egress to "*": only the tenant's allow-list confines it
    const spec = testSpec({ scope: 'global', name: `gr-egress-${randomUUID().slice(0, 8)}` });
    spec.steps = [{ id: 'fetch', task: 'http.request@1.0.0', with: { url: 'https://api.example.internal/status', method: 'GET' } }] as never;
    const caller = await publishTemplate(s, spec);
    const [row] = await s.sql<{ egress_allow: string[] }[]>`select egress_allow from tenant_setting where tenant_id = 'globex'`;
    await setTenantEgressAllow(s.sql, 'globex', ['*']);
    try {
      const id = await requestInstall(s, 'gus', { templateId: caller, environment: 'dev' });
      const done = await waitForInstall(s, 'gus', id);
      expect(done.status).toBe('denied');
      expect(done.error?.details?.map((d) => d.path)).toContain('/policy/marketplace.no-unrestricted-egress');
      // the template without a task that may reach any host is not concerned
      const plain = await requestInstall(s, 'gus', { templateId: template, environment: 'dev' });
      expect((await waitForInstall(s, 'gus', plain)).status).toBe('installed');
    } finally {
      await setTenantEgressAllow(s.sql, 'globex', row?.egress_allow ?? []);
    }
  });

  it('marketplace.external-risk-cap: held, never self-overridden nor by another tenant, overridden by a second admin with a rationale', async () => {
    expect((await putSettings('gus', { ...SETTINGS, max_external_risk: 'low' })).status).toBe(200);
    try {
      const id = await requestInstall(s, 'gus', { templateId: template, environment: 'staging' });
      const held = await waitForInstall(s, 'gus', id, ['awaiting_override', 'installed', 'denied', 'invalid', 'failed']);
      expect(held.status).toBe('awaiting_override');
      const view = await getInstall('gus', id);
      expect(view.heldFor).toEqual([expect.objectContaining({ rule: 'marketplace.external-risk-cap', override_roles: ['tenant-admin'] })]);
      expect((await s.sql`select status, guardrails->>'outcome' as outcome from install_request where instance_id = ${id}`)[0]).toMatchObject({ status: 'awaiting_override', outcome: 'hold' });

      // the requester may not override their own request
      const self = await override('gus', id, 'marketplace.external-risk-cap', 'I know what I am doing.');
      expect(self.status).toBe(403);
      expect(self.body.code).toBe('SELF_OVERRIDE');
      // another tenant's admin does not even see the install
      const other = await override('tina', id, 'marketplace.external-risk-cap', 'Trust us.');
      expect(other.status).toBe(404);
      // a platform role of another tenant that the rule does not name: refused by the policy
      const platform = await override('cid', id, 'marketplace.external-risk-cap', 'Certifier says fine.');
      expect(platform.status).toBe(404);
      // a non-admin of the installing tenant: the policy names tenant-admin only
      const author = await override('carol', id, 'marketplace.external-risk-cap', 'Looks fine to me.');
      expect(author.status).toBe(403);
      expect(author.body.code).toBe('OVERRIDE_NOT_ALLOWED');
      // blank and huge rationales, an unknown rule, a hard rule
      const blank = await override('dave', id, 'marketplace.external-risk-cap', '   ');
      expect([blank.status, blank.body.code]).toEqual([422, 'RATIONALE_REQUIRED']);
      const huge = await override('dave', id, 'marketplace.external-risk-cap', 'x'.repeat(5000));
      expect(huge.status).toBe(422);
      const unknown = await override('dave', id, 'marketplace.no-such-rule', 'Because.');
      expect([unknown.status, unknown.body.code]).toEqual([422, 'UNKNOWN_RULE']);
      const hard = await override('dave', id, 'marketplace.prod-needs-certification', 'Because.');
      expect([hard.status, hard.body.code]).toEqual([409, 'HARD_MANDATORY']);
      const smuggledActor = await call(s, 'gus', 'POST', `/installs/${id}/override`, { rule: 'marketplace.external-risk-cap', rationale: 'x', actor: { sub: 'dave' } });
      expect(smuggledActor.status).toBe(422);
      expect((await getInstall('gus', id)).status).toBe('awaiting_override');

      // the second tenant admin of globex overrides, with a rationale
      const rationale = 'Medium risk is acceptable for the staging pilot; reviewed with security.';
      const ok = await override('dave', id, 'marketplace.external-risk-cap', rationale);
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.guardrails.outcome).toBe('allow');
      expect(ok.body.guardrails.rules.find((r) => r.id === 'marketplace.external-risk-cap')).toMatchObject({ result: 'overridden', override: { by: 'dave', rationale } });

      const done = await waitForInstall(s, 'gus', id);
      expect(done.status, JSON.stringify(done.error)).toBe('installed');
      const final = await getInstall('gus', id);
      expect(final.overrides).toEqual([expect.objectContaining({ rule: 'marketplace.external-risk-cap', actor: expect.objectContaining({ sub: 'dave', tenant: 'globex' }), rationale })]);
      expect(final.guardrails?.outcome).toBe('allow');

      // the override is in the receipt's details
      const [receipt] = await s.sql<{ decisions: { guardrails: { outcome: string; overridden: string[] }; overrides: { rule: string; actor: { sub: string }; rationale: string }[] } }[]>`
        select decisions from provenance_receipt where lifecycle = 'install' and subject = ${`instance:${id}`}`;
      expect(receipt?.decisions.guardrails).toMatchObject({ outcome: 'allow', overridden: ['marketplace.external-risk-cap'] });
      expect(receipt?.decisions.overrides).toEqual([expect.objectContaining({ rule: 'marketplace.external-risk-cap', actor: expect.objectContaining({ sub: 'dave' }), rationale })]);

      // and in the Temporal history: the Update with its rationale, and the activity's decision
      const history = JSON.stringify((await s.client.workflow.getHandle(done.workflowId).fetchHistory()).events);
      expect(history).toContain('overridePolicy');
      expect(history).toContain('decideGuardrails');

      // an override once it is no longer held
      const late = await override('dave', id, 'marketplace.external-risk-cap', 'Again.');
      expect([late.status, late.body.code]).toEqual([409, 'NOT_HELD']);
    } finally {
      await putSettings('gus', SETTINGS);
    }
  });
});

describe('marketplace.offered-to-tenant', () => {
  it('a partner-curated template withdrawn from the tenant while its install is held: the override cannot carry it, it is denied', async () => {
    const curated = await publishTemplate(s, version(`gr-cur-${randomUUID().slice(0, 8)}`, '1.0.0', 'medium'), { visibility: 'partner-curated' });
    // the curated list, as the platform curator keeps it
    await s.sql`insert into template_audience (template_id, tenant_id, added_by) values (${curated}, 'globex', 'cora')`;
    expect((await putSettings('gus', { ...SETTINGS, max_external_risk: 'low' })).status).toBe(200);
    try {
      const id = await requestInstall(s, 'gus', { templateId: curated, environment: 'staging' });
      expect((await waitForInstall(s, 'gus', id, ['awaiting_override', 'installed', 'denied', 'invalid', 'failed'])).status).toBe('awaiting_override');
      await s.sql`delete from template_audience where template_id = ${curated} and tenant_id = 'globex'`;
      const ok = await override('dave', id, 'marketplace.external-risk-cap', 'Accepted for the pilot.');
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.guardrails).toMatchObject({ outcome: 'deny', hard_deny: ['marketplace.offered-to-tenant'] });
      const done = await waitForInstall(s, 'gus', id);
      expect(done.status).toBe('denied');
      expect(done.error?.details?.map((d) => d.path)).toEqual(['/policy/marketplace.offered-to-tenant']);
      expect((await s.sql`select count(*)::int as n from workflow_instance where id = ${id}`)[0]!.n).toBe(0);
      // a tenant never on the list cannot even start one: the template is not there for it
      const unlisted = await call(s, 'gus', 'POST', '/installs', { templateId: curated, environment: 'dev' });
      expect([unlisted.status, unlisted.body.code]).toEqual([404, 'TEMPLATE_NOT_FOUND']);
    } finally {
      await putSettings('gus', SETTINGS);
    }
  });
});

describe('local.pii-endpoint-in-region', () => {
  it('an endpoint a personal-data step reads must lie in the tenant\'s region (set through the settings API)', async () => {
    // the partner adapter's manifest declares the pii data class; its hrisUrl is an endpoint
    const source = readFileSync(new URL('../../examples/partner-adapter/manifest.yaml', import.meta.url), 'utf8');
    const registered = await call(s, 'pat', 'POST', '/adapters', { source });
    expect([200, 201]).toContain(registered.status);
    const spec = testSpec({
      scope: 'global',
      name: `gr-pii-${randomUUID().slice(0, 8)}`,
      extra: {
        parameters: { type: 'object', required: ['hrisUrl'], properties: { hrisUrl: { type: 'string', format: 'uri' } } },
        steps: [
          {
            id: 'hire',
            task: 'acme-hris.create-employee@1.0.0',
            with: { hrisUrl: '${{ params.hrisUrl }}', email: 'ada@example.com', fullName: 'Ada Lovelace', startDate: '2026-01-05' },
          },
        ],
      },
    });
    const template = await publishTemplate(s, spec);
    expect(
      (await putSettings('gus', { ...SETTINGS, region: 'eu-west-1', endpoint_regions: { '*.eu.example.internal': 'eu-west-1', '*.us.example.internal': 'us-east-1' } })).status,
    ).toBe(200);
    try {
      const us = await requestInstall(s, 'gus', { templateId: template, environment: 'dev', parameters: { hrisUrl: 'https://hris.us.example.internal' } });
      const denied = await waitForInstall(s, 'gus', us);
      expect(denied.status, JSON.stringify(denied.error)).toBe('denied');
      expect(denied.error?.details?.map((d) => d.path)).toEqual(['/policy/local.pii-endpoint-in-region']);
      // a hard rule: not held, so nothing to override
      const hard = await override('dave', us, 'local.pii-endpoint-in-region', 'The US office needs it.');
      expect([hard.status, hard.body.code]).toEqual([409, 'NOT_HELD']);

      const eu = await requestInstall(s, 'gus', { templateId: template, environment: 'staging', parameters: { hrisUrl: 'https://hris.eu.example.internal' } });
      const done = await waitForInstall(s, 'gus', eu);
      expect(done.status, JSON.stringify(done.error)).toBe('installed');
      expect((await getInstall('gus', eu)).guardrails?.rules.find((r) => r.id === 'local.pii-endpoint-in-region')?.result).toBe('pass');
    } finally {
      await putSettings('gus', SETTINGS);
    }
  });
});

describe('upgrade guardrails', () => {
  const name = `gr-up-${randomUUID().slice(0, 8)}`;
  let template: string;
  let instance: string;

  beforeAll(async () => {
    template = await publishTemplate(s, version(name, '1.0.0', 'low'));
    const id = await requestInstall(s, 'gus', { templateId: template, environment: 'dev' });
    expect((await waitForInstall(s, 'gus', id)).status).toBe('installed');
    instance = id;
    await publishTemplate(s, version(name, '1.1.0', 'medium'));
  }, 300_000);

  it('a risk raised above the cap holds the upgrade (local.risk-raised advisory) until a second admin overrides', async () => {
    expect((await putSettings('gus', { ...SETTINGS, max_external_risk: 'low' })).status).toBe(200);
    try {
      const started = await requestUpgrade(s, 'gus', instance, { toVersion: '1.1.0' });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const held = await waitForUpgrade(s, 'gus', instance, '1.1.0', ['awaiting_override', 'blocked', 'upgraded', 'failed', 'rejected', 'rolled_back']);
      expect(held.status).toBe('awaiting_override');
      const view = (await call<Held>(s, 'gus', 'GET', `/instances/${instance}/upgrades/1.1.0`)).body;
      expect(view.heldFor.map((h) => h.rule)).toEqual(['marketplace.external-risk-cap']);
      expect(view.guardrails?.advisory).toContain('local.risk-raised');

      const path = `/instances/${instance}/upgrades/1.1.0/override`;
      const self = await call(s, 'gus', 'POST', path, { rule: 'marketplace.external-risk-cap', rationale: 'Mine.' });
      expect([self.status, self.body.code]).toEqual([403, 'SELF_OVERRIDE']);
      const other = await call(s, 'tina', 'POST', path, { rule: 'marketplace.external-risk-cap', rationale: 'Ours.' });
      expect(other.status).toBe(404);
      const rationale = 'The new version was reviewed by our security team.';
      const ok = await call<{ guardrails: Guardrails }>(s, 'dave', 'POST', path, { rule: 'marketplace.external-risk-cap', rationale });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);

      const done = await waitForUpgrade(s, 'gus', instance, '1.1.0');
      expect(done.status, JSON.stringify(done.error)).toBe('upgraded');
      const [receipt] = await s.sql<{ decisions: { guardrails: { advisory: string[] }; overrides: { rule: string; rationale: string }[] } }[]>`
        select decisions from provenance_receipt where id = ${done.receiptId!}`;
      expect(receipt?.decisions.guardrails.advisory).toContain('local.risk-raised');
      expect(receipt?.decisions.overrides).toEqual([expect.objectContaining({ rule: 'marketplace.external-risk-cap', rationale })]);
    } finally {
      await putSettings('gus', SETTINGS);
    }
  });
});

describe('an upgrade a campaign started', () => {
  it('does not wait for an override: a hold ends it (POLICY_HELD) and the campaign goes on without it', async () => {
    const name = `gr-cmp-${randomUUID().slice(0, 8)}`;
    const template = await publishTemplate(s, version(name, '1.0.0', 'low'));
    const id = await requestInstall(s, 'gus', { templateId: template, environment: 'dev' });
    expect((await waitForInstall(s, 'gus', id)).status).toBe('installed');
    expect((await call(s, 'gus', 'PATCH', `/instances/${id}`, { upgradePolicy: 'minor' })).status).toBe(200);
    expect((await putSettings('gus', { ...SETTINGS, max_external_risk: 'low' })).status).toBe(200);
    try {
      // low → medium is a non-breaking change: the campaign upgrades minor-policy instances
      await publishTemplate(s, version(name, '1.1.0', 'medium'));
      const deadline = Date.now() + 120_000;
      let campaign: { status: string; waves: { skipped: number; upgraded: number; failed: number }[] } | undefined;
      for (;;) {
        const res = await call<NonNullable<typeof campaign>>(s, 'pat', 'GET', `/templates/${template}/campaigns/1.1.0`);
        if (res.status === 200 && ['completed', 'halted', 'nothing_to_do'].includes(res.body.status)) {
          campaign = res.body;
          break;
        }
        if (Date.now() > deadline) throw new Error(`campaign did not end: ${JSON.stringify(res.body)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(campaign.status).toBe('completed');
      expect(campaign.waves.reduce((n, w) => n + w.skipped, 0)).toBe(1);
      expect(campaign.waves.reduce((n, w) => n + w.upgraded, 0)).toBe(0);
      const upgrade = await waitForUpgrade(s, 'gus', id, '1.1.0');
      expect(upgrade.status).toBe('blocked');
      expect(upgrade.error?.code).toBe('POLICY_HELD');
      expect(upgrade.error?.details?.map((d) => d.path)).toContain('/policy/marketplace.external-risk-cap');
      expect((await s.sql<{ version: string }[]>`select version from workflow_instance where id = ${id}`)[0]!.version).toBe('1.0.0');
    } finally {
      await putSettings('gus', SETTINGS);
    }
  }, 240_000);
});
