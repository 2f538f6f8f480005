import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, prepareDatabase, testSpec, type Stack } from '../support/stack.ts';
import { call, install, publishTemplate, templateSpec, type User } from '../marketplace/support.ts';
import { publishCritical } from './dry-run-support.ts';

// POST /api/policy/dry-run and GET /api/policy/rules against the real stack (its own
// database: tenant settings are changed here).

interface Rule {
  id: string;
  title: string;
  enforcement: string;
  result: string;
  reasons: string[];
  fix: string;
  override_roles: string[];
  source: string;
}
interface DryRun {
  operation: string;
  profile: string;
  outcome: string;
  rules: Rule[];
  denying: string[];
  held: string[];
  advisories: string[];
  overrideRoles: string[];
  approvals: { required: number; reasons: string[]; review?: boolean; certification?: { required: boolean; status: string; allow: boolean }; steps?: { stepId: string }[]; perRun?: number };
  subject: { definitionId: string; version: string; risk: string };
  assumed: boolean;
  inputDigest: string;
}

let s: Stack;
let critical: string;
let internal: string;
let lowTemplate: string;
let instanceId: string;
const dry = (user: User, body: unknown) => call<DryRun>(s, user, 'POST', '/policy/dry-run', body);
const rule = (d: DryRun, id: string) => d.rules.find((r) => r.id === id);

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`dryrun_${randomUUID().slice(0, 8)}`) });
  critical = await publishCritical(s);
  // acme's own, never offered
  internal = await publishTemplate(s, templateSpec({ steps: [{ id: 'x', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }] }), { visibility: 'internal-only' });
  lowTemplate = await publishTemplate(s, templateSpec({ steps: [{ id: 'x', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }] }));
  instanceId = await install(s, 'gus', { templateId: lowTemplate, environment: 'dev' });
}, 600_000);

afterAll(async () => {
  await s?.close();
});

describe('the rule catalog', () => {
  it('lists every guardrail rule from its METADATA', async () => {
    const res = await call<{ items: (Rule & { operations: string[]; profile: string; description: string })[] }>(s, 'tina', 'GET', '/policy/rules');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((r) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'local.approval-before-side-effects',
        'local.critical-run-quota',
        'local.critical-business-hours',
        'local.pii-endpoint-in-region',
        'marketplace.prod-needs-certification',
        'marketplace.critical-not-public',
        'marketplace.external-risk-cap',
        'marketplace.no-unrestricted-egress',
      ]),
    );
    expect(new Set(ids).size).toBe(ids.length);
    const cert = res.body.items.find((r) => r.id === 'marketplace.prod-needs-certification')!;
    expect(cert).toMatchObject({ enforcement: 'hard', profile: 'marketplace_workflow', operations: expect.arrayContaining(['install', 'upgrade']) as string[] });
    expect(cert.fix.length).toBeGreaterThan(10);
    const hours = res.body.items.find((r) => r.id === 'local.critical-business-hours')!;
    expect(hours).toMatchObject({ enforcement: 'soft', profile: 'local_workflow', override_roles: ['tenant-admin'] });
  });
});

describe('install', () => {
  it('names the denying rule and its fix for prod, passes for staging, and reports the approvals', async () => {
    const prod = await dry('gus', { operation: 'install', templateId: critical, environment: 'prod' });
    expect(prod.status, JSON.stringify(prod.body)).toBe(200);
    expect(prod.body).toMatchObject({ operation: 'install', profile: 'marketplace_workflow', outcome: 'deny', assumed: false });
    expect(prod.body.denying).toContain('marketplace.prod-needs-certification');
    const r = rule(prod.body, 'marketplace.prod-needs-certification')!;
    expect(r).toMatchObject({ enforcement: 'hard', result: 'hard-deny', source: 'guardrails' });
    expect(r.reasons.length).toBeGreaterThan(0);
    expect(r.fix).toMatch(/certif/i);
    expect(prod.body.approvals.required).toBe(2);
    expect(prod.body.approvals.certification).toMatchObject({ status: 'none' });
    expect(prod.body.inputDigest).toMatch(/^[0-9a-f]{64}$|^sha256:/);

    const staging = await dry('gus', { operation: 'install', templateId: critical, environment: 'staging' });
    expect(staging.status).toBe(200);
    expect(staging.body.denying).toEqual([]);
    expect(staging.body.held).toEqual([]);
    expect(staging.body.outcome).toBe('allow');
    expect(rule(staging.body, 'marketplace.prod-needs-certification')!.result).toBe('pass');
    expect(rule(staging.body, 'local.approval-before-side-effects')!.result).toBe('pass');
    expect(staging.body.approvals.required).toBeGreaterThanOrEqual(1);
  });

  it('what-if: assumed settings change the outcome, say so, and store nothing', async () => {
    const before = await s.sql`select * from tenant_setting where tenant_id = 'globex'`;
    const capped = await dry('gus', { operation: 'install', templateId: critical, environment: 'staging', assume: { settings: { max_external_risk: 'high' } } });
    expect(capped.status, JSON.stringify(capped.body)).toBe(200);
    expect(capped.body).toMatchObject({ outcome: 'hold', assumed: true, held: ['marketplace.external-risk-cap'] });
    expect(capped.body.overrideRoles).toContain('tenant-admin');
    expect(rule(capped.body, 'marketplace.external-risk-cap')).toMatchObject({ enforcement: 'soft', result: 'soft-deny', override_roles: ['tenant-admin'] });
    const egress = await dry('gus', { operation: 'install', templateId: critical, environment: 'staging', assume: { settings: { egress_allow: ['*'] } } });
    expect(egress.body.denying).toContain('marketplace.no-unrestricted-egress');
    expect(await s.sql`select * from tenant_setting where tenant_id = 'globex'`).toEqual(before);
  });

  it('a template the tenant may not see answers 404 exactly as a missing one', async () => {
    const hidden = await dry('gus', { operation: 'install', templateId: internal, environment: 'dev' });
    const missing = await dry('gus', { operation: 'install', templateId: 'acme.no-such-template', environment: 'dev' });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body.code).toBe(missing.body.code);
    expect(JSON.stringify(hidden.body)).not.toContain('transform');
    // the real route agrees
    expect((await call(s, 'gus', 'GET', `/templates/${internal}`)).status).toBe(404);
    // a version that does not exist
    expect((await dry('gus', { operation: 'install', templateId: critical, version: '9.9.9', environment: 'dev' })).body.code).toBe('VERSION_NOT_FOUND');
  });
});

describe('publish', () => {
  it('names marketplace.critical-not-public and the approvals and review the lifecycle would require', async () => {
    const spec = testSpec({ risk: 'critical', scope: 'global' });
    const { body: draft } = await s.as('pat').createDraft(spec);
    const pub = await dry('pat', { operation: 'publish', definitionId: draft.definitionId, version: '1.0.0', visibility: 'public-ecosystem' });
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
    expect(pub.body).toMatchObject({ profile: 'marketplace_workflow', outcome: 'deny' });
    expect(pub.body.denying).toContain('marketplace.critical-not-public');
    expect(pub.body.approvals).toMatchObject({ required: 2, review: true });
    const internalOnly = await dry('pat', { operation: 'publish', definitionId: draft.definitionId, version: '1.0.0', visibility: 'internal-only' });
    expect(internalOnly.body).toMatchObject({ profile: 'local_workflow', approvals: { review: false } });
    expect(internalOnly.body.denying).not.toContain('marketplace.critical-not-public');
    // the lifecycle's own policy, as a rule: alice (author) may not publish a critical workflow
    const alice = await dry('alice', { operation: 'publish', definitionId: draft.definitionId, version: '1.0.0', visibility: 'internal-only' });
    expect(alice.body.denying).toContain('publish.base');
    expect(rule(alice.body, 'publish.base')!.reasons.join()).toMatch(/publisher/);
    // another tenant's definition: 404, as for a missing one
    const other = await dry('carol', { operation: 'publish', definitionId: draft.definitionId, version: '1.0.0' });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe((await dry('carol', { operation: 'publish', definitionId: 'acme.nothing-here', version: '1.0.0' })).body.code);
  });
});

describe('run and upgrade', () => {
  it('run: the spec\'s approval steps, and the quota as a what-if', async () => {
    const res = await dry('pat', { operation: 'run', definitionId: critical, version: '1.0.0' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.approvals.steps?.map((st) => st.stepId)).toEqual(['gate']);
    expect(res.body.approvals.required).toBe(1);
    const quota = await dry('pat', { operation: 'run', definitionId: critical, version: '1.0.0', assume: { settings: { critical_runs_per_day: 0 } } });
    expect(quota.body.denying).toContain('local.critical-run-quota');
    // globex may see the curated version: a run of another tenant's template is marketplace_workflow
    expect((await dry('gus', { operation: 'run', definitionId: critical, version: '1.0.0' })).body.profile).toBe('marketplace_workflow');
    // initech-like probing: acme's internal version is not globex's to see
    const hidden = await dry('gus', { operation: 'run', definitionId: internal, version: '1.0.0' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('VERSION_NOT_FOUND');
    // through an instance
    const byInstance = await dry('gus', { operation: 'run', instanceId });
    expect(byInstance.status, JSON.stringify(byInstance.body)).toBe(200);
    expect(byInstance.body).toMatchObject({ approvals: { perRun: 0 }, subject: { definitionId: lowTemplate } });
    expect((await dry('pat', { operation: 'run', instanceId })).status).toBe(404);
  });

  it('upgrade: an instance of the tenant only', async () => {
    const res = await dry('gus', { operation: 'upgrade', instanceId, toVersion: '1.0.0' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ operation: 'upgrade', profile: 'marketplace_workflow', outcome: 'allow' });
    expect(res.body.approvals.required).toBe(0);
    // a non-admin requester needs a tenant admin's approval
    expect((await dry('carol', { operation: 'upgrade', instanceId, toVersion: '1.0.0' })).body.approvals.reasons.join()).toMatch(/not a tenant admin/);
    const other = await dry('pat', { operation: 'upgrade', instanceId, toVersion: '1.0.0' });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('INSTANCE_NOT_FOUND');
    expect((await dry('gus', { operation: 'upgrade', instanceId, toVersion: '7.0.0' })).status).toBe(404);
  });
});

describe('hostile input', () => {
  const raw = (body: string, user: User = 'gus') => s.request('POST', '/api/policy/dry-run', { user, body });
  it('answers 4xx with stable codes, never 500', async () => {
    const cases: [unknown, number][] = [
      [{ operation: 'delete', templateId: critical }, 422],
      [{ operation: 'install', templateId: critical, environment: 'moon' }, 422],
      [{ operation: 'install', templateId: critical, environment: 'dev', extra: 1 }, 422],
      [{ operation: 'install', templateId: '../../etc', environment: 'dev' }, 422],
      [{ operation: 'install', templateId: critical, environment: 'dev', parameters: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, i])) }, 422],
      [{ operation: 'install', templateId: critical, environment: 'dev', assume: { settings: { business_hours: { days: ['Mon'], start_hour: 9, end_hour: 17, timezone: 'Mars/Olympus' } } } }, 422],
      [{ operation: 'install', templateId: critical, environment: 'dev', assume: { settings: { require_certification: 'off' } } }, 422],
      [{ operation: 'install', templateId: critical, environment: 'dev', assume: { settings: { endpoint_regions: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`h${i}.example`, 'eu-west-1'])) } } }, 422],
      [{ operation: 'run' }, 422],
      [{ operation: 'run', definitionId: critical }, 422],
      [[1, 2, 3], 422],
      [null, 422],
    ];
    for (const [body, status] of cases) {
      const res = await raw(JSON.stringify(body));
      const answer = (await res.json()) as { code?: string };
      expect(res.status, JSON.stringify([body, answer]).slice(0, 300)).toBe(status);
      expect(answer.code).toMatch(/^[A-Z_]+$/);
    }
    let deep: unknown = 'x';
    for (let i = 0; i < 500; i++) deep = { a: deep };
    const deepRes = await raw(JSON.stringify({ operation: 'install', templateId: critical, environment: 'dev', parameters: { deep } }));
    expect(deepRes.status).toBeGreaterThanOrEqual(400);
    expect(deepRes.status).toBeLessThan(500);
    const big = await raw(JSON.stringify({ operation: 'install', templateId: critical, environment: 'dev', parameters: { big: 'x'.repeat(1_100_000) } }));
    expect(big.status).toBe(413);
    const notJson = await raw('{"operation":');
    expect(notJson.status).toBe(400);
    expect((await s.request('POST', '/api/policy/dry-run', { body: '{}' })).status).toBe(401);
  });
});
