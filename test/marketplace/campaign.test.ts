import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { openStack, prepareDatabase, testSpec, type Stack } from '../support/stack.ts';
import { call, install, publishTemplate, type User } from './support.ts';
import { instanceRow, waitForUpgrade } from './upgrade-support.ts';
import { startLifecycleWith } from '../../platform/lifecycle-start.ts';
import { campaignLifecycle } from '../../workflows/contracts/campaign.ts';
import { campaignWorkflowId, type CampaignProgress } from '../../domain/upgrade.ts';
import { TERMINAL_CAMPAIGN_STATUSES } from '../../domain/campaign.ts';
import type { TemplateUsage, TenantUsage } from '../../domain/templates.ts';

// Upgrade campaigns against the real stack, in a database of its own. acme (pat) publishes;
// globex (gus) and acme (tina) install and choose their instances' upgrade policies; each
// publish of a non-breaking or patch version starts the version's campaign by itself.

let s: Stack;

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`campaign_${randomUUID().slice(0, 8)}`) });
}, 180_000);
afterAll(async () => s?.close());

/** A version of the template `name`: a global spec with a changelog (a published version needs one). */
function version(name: string, v: string, extra: Record<string, unknown>, description?: string) {
  const spec = testSpec({ scope: 'global', name, version: v, ...(description ? { description } : {}), extra: { parameters: { type: 'object', properties: {} }, ...extra } });
  (spec.metadata as Record<string, unknown>).changelog = `Release ${v}.`;
  return spec;
}

const setPolicy = async (user: User, instanceId: string, upgradePolicy: string) => {
  const res = await call(s, user, 'PATCH', `/instances/${instanceId}`, { upgradePolicy });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};

/** Polls the publisher's view of the campaign until it ends. */
async function campaignEnd(templateId: string, v: string, timeoutMs = 120_000): Promise<CampaignProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call<CampaignProgress>(s, 'pat', 'GET', `/templates/${templateId}/campaigns/${v}`);
    if (res.status === 200 && TERMINAL_CAMPAIGN_STATUSES.includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`campaign of ${templateId}@${v} did not end; last: ${JSON.stringify(res)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const upgradesOf = async (instanceId: string) =>
  (await s.sql<{ to_version: string; status: string; campaign_id: string | null }[]>`
    select to_version, status, campaign_id from instance_upgrade where instance_id = ${instanceId} order by created_at`);

describe('auto-upgrade within policy, once per new version', () => {
  const name = `cmp-policy-${randomUUID().slice(0, 8)}`;
  const params = { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } } };
  const step = { id: 'greet', task: 'transform@1.0.0', with: { expression: "greeting & '!'", data: { greeting: '${{ params.greeting }}' } } };
  let template: string;
  const inst: Record<'minor' | 'patch' | 'pinned' | 'acme', string> = { minor: '', patch: '', pinned: '', acme: '' };

  beforeAll(async () => {
    template = await publishTemplate(s, version(name, '1.0.0', { parameters: params, steps: [step] }));
    inst.minor = await install(s, 'gus', { templateId: template, environment: 'dev', parameters: { greeting: 'hi' } });
    inst.patch = await install(s, 'gus', { templateId: template, environment: 'staging' });
    inst.pinned = await install(s, 'tina', { templateId: template, environment: 'prod' });
    inst.acme = await install(s, 'tina', { templateId: template, environment: 'dev' });
    await setPolicy('gus', inst.minor, 'minor');
    await setPolicy('gus', inst.patch, 'patch');
    await setPolicy('tina', inst.acme, 'minor');
  }, 240_000);

  it('a patch version (docs only) moves the patch- and minor-policy instances, never the pinned one', async () => {
    await publishTemplate(s, version(name, '1.0.1', { parameters: params, steps: [step] }, `Docs only: ${name} greets.`));
    const c = await campaignEnd(template, '1.0.1');
    expect(c).toMatchObject({ campaignId: campaignWorkflowId(template, '1.0.1'), changeKind: 'patch', status: 'completed', eligible: 3 });
    expect(c.waves.reduce((n, w) => n + w.upgraded, 0)).toBe(3);
    expect(c.waves[0]).toMatchObject({ index: 0, instances: 1, status: 'passed' });
    expect((await instanceRow(s, inst.minor)).version).toBe('1.0.1');
    expect((await instanceRow(s, inst.patch)).version).toBe('1.0.1');
    expect((await instanceRow(s, inst.acme)).version).toBe('1.0.1');
    expect((await instanceRow(s, inst.pinned)).version).toBe('1.0.0');
    // the bindings came along
    expect((await instanceRow(s, inst.minor)).parameters).toEqual({ greeting: 'hi' });
  }, 180_000);

  it('a non-breaking minor version moves only the minor-policy instances', async () => {
    const extended = { type: 'object', properties: { ...params.properties, punctuation: { type: 'string', default: '!' } } };
    await publishTemplate(s, version(name, '1.1.0', { parameters: extended, steps: [step] }));
    const c = await campaignEnd(template, '1.1.0');
    expect(c).toMatchObject({ changeKind: 'non-breaking', status: 'completed', eligible: 2 });
    expect((await instanceRow(s, inst.minor)).version).toBe('1.1.0');
    expect((await instanceRow(s, inst.acme)).version).toBe('1.1.0');
    expect((await instanceRow(s, inst.patch)).version).toBe('1.0.1');
    expect((await instanceRow(s, inst.pinned)).version).toBe('1.0.0');
  }, 180_000);

  it('each instance upgraded once per version, through its own upgrade lifecycle, which its tenant sees', async () => {
    expect(await upgradesOf(inst.minor)).toEqual([
      { to_version: '1.0.1', status: 'upgraded', campaign_id: campaignWorkflowId(template, '1.0.1') },
      { to_version: '1.1.0', status: 'upgraded', campaign_id: campaignWorkflowId(template, '1.1.0') },
    ]);
    expect(await upgradesOf(inst.pinned)).toEqual([]);
    const seen = await waitForUpgrade(s, 'gus', inst.minor, '1.1.0');
    expect(seen).toMatchObject({ status: 'upgraded', fromVersion: '1.0.1', toVersion: '1.1.0' });
  });

  it('a second trigger of the same version\'s campaign starts nothing and upgrades nothing again', async () => {
    const input = { definitionId: template, toVersion: '1.1.0', changeKind: 'non-breaking' as const, requestedBy: { sub: 'pat', tenant: 'acme', roles: ['publisher' as const] } };
    await expect(startLifecycleWith(s.client, s.config.TEMPORAL_TASK_QUEUE, campaignLifecycle, input)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    // the publish's own start activity says so too, and the instance keeps its one upgrade
    const again = await s.sql`select count(*)::int as n from instance_upgrade where instance_id = ${inst.minor} and to_version = '1.1.0'`;
    expect(again[0]!.n).toBe(1);
    const campaigns = await call<{ items: CampaignProgress[] }>(s, 'pat', 'GET', `/templates/${template}/campaigns`);
    expect(campaigns.body.items.map((c) => c.toVersion)).toEqual(['1.1.0', '1.0.1']);
  });

  it('a breaking version starts no campaign', async () => {
    const renamed = { type: 'object', properties: { salutation: { type: 'string', default: 'hello' } } };
    const step2 = { id: 'greet', task: 'transform@1.0.0', with: { expression: "salutation & '!'", data: { salutation: '${{ params.salutation }}' } } };
    await publishTemplate(s, version(name, '2.0.0', { parameters: renamed, steps: [step2] }));
    const res = await call(s, 'pat', 'GET', `/templates/${template}/campaigns/2.0.0`);
    expect(res.status).toBe(404);
    expect((await instanceRow(s, inst.minor)).version).toBe('1.1.0');
  }, 120_000);

  it('usage: the publisher sees counts per version and what lags; a tenant its own instances', async () => {
    const u = await call<TemplateUsage>(s, 'pat', 'GET', `/templates/${template}/usage`);
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ latestVersion: '2.0.0', instances: 4, lagging: 4 });
    const count = (v: string) => u.body.versions.find((x) => x.version === v)?.instances;
    expect([count('2.0.0'), count('1.1.0'), count('1.0.1'), count('1.0.0')]).toEqual([0, 2, 1, 1]);
    expect(JSON.stringify(u.body)).not.toContain('globex');

    const mine = await call<TenantUsage>(s, 'gus', 'GET', '/usage');
    expect(mine.status).toBe(200);
    const t = mine.body.templates.find((x) => x.templateId === template)!;
    expect(t).toMatchObject({ latestVersion: '2.0.0', lagging: 2, versions: [{ version: '1.1.0', instances: 1 }, { version: '1.0.1', instances: 1 }] });
    expect(t.instances.map((i) => [i.id, i.version, i.upgradePolicy, i.lagging]).sort()).toEqual(
      [
        [inst.minor, '1.1.0', 'minor', true],
        [inst.patch, '1.0.1', 'patch', true],
      ].sort(),
    );
    // its own instances only (the pinned one is acme's: prod takes certified marketplace versions only)
    expect(JSON.stringify(mine.body)).not.toContain(inst.acme);
    expect(JSON.stringify(mine.body)).not.toContain(inst.pinned);
    const owner = (await call<TenantUsage>(s, 'tina', 'GET', '/usage')).body.templates.find((x) => x.templateId === template)!;
    expect(owner.instances.map((i) => [i.id, i.version, i.upgradePolicy]).sort()).toEqual(
      [
        [inst.acme, '1.1.0', 'minor'],
        [inst.pinned, '1.0.0', 'pinned'],
      ].sort(),
    );
  });

  it('isolation: the campaign is the publisher\'s, in counts; never another tenant\'s instance', async () => {
    const view = await call<{ items: CampaignProgress[] }>(s, 'pat', 'GET', `/templates/${template}/campaigns`);
    const text = JSON.stringify(view.body);
    for (const id of Object.values(inst)) expect(text).not.toContain(id);
    expect(text).not.toContain('globex');
    // globex's author: the template is not its tenant's → 404, as for none at all
    for (const path of [`/templates/${template}/campaigns`, `/templates/${template}/campaigns/1.1.0`]) {
      const res = await call(s, 'carol', 'GET', path);
      expect(res.status, path).toBe(404);
    }
    // a tenant admin (no publisher role) may not read campaigns at all
    expect((await call(s, 'gus', 'GET', `/templates/${template}/campaigns`)).body.code).toBe('ROLE_REQUIRED');
    // the owning tenant's curator may
    expect((await call(s, 'cora', 'GET', `/templates/${template}/campaigns/1.1.0`)).status).toBe(200);
    // pat's own usage view names none of globex's instances
    const mine = await call<TenantUsage>(s, 'pat', 'GET', '/usage');
    for (const id of [inst.minor, inst.patch]) expect(JSON.stringify(mine.body)).not.toContain(id);
  });
});

describe('a failing wave stops the campaign and goes back', () => {
  const name = `cmp-wave-${randomUUID().slice(0, 8)}`;
  const params = { type: 'object', properties: { target: { type: 'string', default: 'https://ok.example.internal' } } };
  // the smoke run fails for an instance whose binding points at the failing fake endpoint
  const step = {
    id: 'call',
    task: 'transform@1.0.0',
    with: { expression: "$contains(target, 'failing') ? $error('endpoint refused the call') : 'called ' & target", data: { target: '${{ params.target }}' } },
  };
  let template: string;
  let ordered: string[] = [];

  beforeAll(async () => {
    template = await publishTemplate(s, version(name, '1.0.0', { parameters: params, steps: [step] }));
    const ids = [
      await install(s, 'gus', { templateId: template, environment: 'dev' }),
      await install(s, 'gus', { templateId: template, environment: 'staging' }),
      await install(s, 'tina', { templateId: template, environment: 'staging' }),
      await install(s, 'tina', { templateId: template, environment: 'dev' }),
    ];
    for (const id of ids) await setPolicy(id.startsWith('globex') ? 'gus' : 'tina', id, 'minor');
    // the campaign orders its instances by md5(id || campaign id): with 4 eligible, wave 1
    // holds the first, wave 2 the other three. The second one's tenant bound it to the
    // failing endpoint, so wave 1 passes and wave 2 fails after two of its upgrades passed.
    ordered = (
      await s.sql<{ id: string }[]>`
        select id from workflow_instance where id = any(${ids}::text[]) order by md5(id || ${campaignWorkflowId(template, '1.1.0')}), id`
    ).map((r) => r.id);
    await s.sql`update workflow_instance set parameters = ${s.sql.json({ target: 'https://failing.example.internal' })} where id = ${ordered[1]!}`;
  }, 240_000);

  it('halts with the wave rolled back: its upgraded instances back on their version and bindings', async () => {
    const before = Object.fromEntries(await Promise.all(ordered.map(async (id) => [id, await instanceRow(s, id)] as const)));
    const extended = { type: 'object', properties: { ...params.properties, timeout: { type: 'integer', default: 30 } } };
    await publishTemplate(s, version(name, '1.1.0', { parameters: extended, steps: [step], upgrade: { smoke: { parameters: {}, timeout: '2m' } } }));
    const c = await campaignEnd(template, '1.1.0', 180_000);
    expect(c).toMatchObject({ status: 'halted', eligible: 4, error: { code: 'CAMPAIGN_WAVE_FAILED' } });
    expect(c.waves).toEqual([
      { index: 0, instances: 1, upgraded: 1, rolledBack: 0, failed: 0, skipped: 0, reverted: 0, status: 'passed' },
      { index: 1, instances: 3, upgraded: 0, rolledBack: 1, failed: 0, skipped: 0, reverted: 2, status: 'rolled_back' },
    ]);
    // wave 1 keeps its upgrade; every instance of wave 2 is as it was
    expect((await instanceRow(s, ordered[0]!)).version).toBe('1.1.0');
    for (const id of ordered.slice(1)) expect(await instanceRow(s, id)).toEqual(before[id]);
    // the failing one rolled itself back (its smoke run); the others were reverted by the campaign
    expect((await upgradesOf(ordered[1]!)).map((u) => u.status)).toEqual(['rolled_back']);
    for (const id of ordered.slice(2)) {
      const [u] = await s.sql<{ status: string; rollback_code: string }[]>`select status, rollback_code from instance_upgrade where instance_id = ${id}`;
      expect(u).toEqual({ status: 'rolled_back', rollback_code: 'CAMPAIGN_WAVE_FAILED' });
    }
    const members = await s.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from upgrade_campaign_instance where campaign_id = ${c.campaignId} group by status order by status`;
    expect(members).toEqual([
      { status: 'reverted', n: 2 },
      { status: 'rolled_back', n: 1 },
      { status: 'upgraded', n: 1 },
    ]);
  }, 240_000);
});
