// The marketplace's templates API and the curate lifecycle, against the real stack in a
// database of this file's own (it adds a third tenant, initech, with a tenant admin of its own).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDocument } from '../../platform/typesense.ts';
import { createTypesense } from '../../platform/typesense.ts';
import { ensureSearchParentKey, tenantSearchKey } from '../../platform/search-keys.ts';
import { ApiError, apiClient } from '../../platform/api-client.ts';
import type { CurateTemplateResult, TemplateAudience, TemplateDetail, TemplateListItem, TemplateUsage } from '../../domain/templates.ts';
import { MAX_AUDIENCE } from '../../domain/templates.ts';
import { expectApiError } from '../support/expect-api-error.ts';
import { providerSignedToken } from '../support/oidc.ts';
import { passReview } from '../review/support.ts';
import { openStack, prepareDatabase, testSpec, type DemoUser, type Stack } from '../support/stack.ts';

let s: Stack;
/** a user of a third tenant: a token signed by the embedded provider for an account it does not have */
let initech: ReturnType<typeof apiClient>;
const ids = { public: '', curated: '', internal: '' };
const CANARY = `canary-${randomUUID()}`;

function marketSpec(name: string, scope: 'global' | 'tenant-local') {
  return testSpec({
    name,
    scope,
    description: `Marketplace test workflow ${name}`,
    extra: {
      parameters: {
        type: 'object',
        required: ['email'],
        properties: {
          email: { type: 'string', description: 'who to notify' },
          callback: { type: 'string', format: 'uri', default: 'https://hooks.example.internal/done' },
          fail: { type: 'boolean', default: false },
        },
      },
      secrets: [{ name: 'api_token', description: 'the installer\'s API token' }],
      steps: [{ id: 'work', task: 'transform@1.0.0', with: { expression: 'fail ? $error("asked to fail") : email', data: { fail: '${{ params.fail }}', email: '${{ params.email }}' } } }],
    },
  });
}

async function publish(user: DemoUser, name: string, scope: 'global' | 'tenant-local', visibility?: string) {
  const api = s.as(user);
  const { body } = await api.createDraft(marketSpec(name, scope));
  await api.call('POST', `/definitions/${body.definitionId}/publish-requests`, {
    version: '1.0.0',
    ...(visibility ? { visibility } : {}),
    offer: { summary: `Offer of ${name}`, environments: ['dev', 'staging', 'prod'], regions: ['eu-west-1'] },
  });
  return { id: body.definitionId, status: await api.waitForPublish(body.definitionId, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid']) };
}

async function approve(id: string) {
  await s.as('bob').decide(id, '1.0.0', 'approve', 'Checked the offer and its bindings.');
  expect(await s.as('pat').waitForPublish(id, '1.0.0', ['published', 'rejected', 'denied', 'invalid'])).toBe('published');
  // a marketplace profile is offered once the platform review passes
  await passReview(s, id, '1.0.0');
}

const market = async (api: ReturnType<typeof apiClient>, query = '') =>
  (await api.call<{ items: TemplateListItem[]; found: number }>('GET', `/templates?view=marketplace${query}`)).body;
const marketIds = async (api: ReturnType<typeof apiClient>) => (await market(api)).items.map((i) => i.id);

async function curate(tenants: string[]): Promise<CurateTemplateResult> {
  const started = await s.as('cora').call<{ workflowId: string; runId: string; temporalUrl: string }>('PUT', `/templates/${ids.curated}/audience`, { tenants });
  expect(started.status).toBe(202);
  expect(started.body.workflowId).toMatch(new RegExp(`^curate/${ids.curated.replace('.', '\\.')}/`));
  expect(started.body.temporalUrl).toContain(encodeURIComponent(started.body.workflowId));
  return (await s.client.workflow.getHandle(started.body.workflowId, started.body.runId).result()) as CurateTemplateResult;
}

/** What the tenant's scoped Typesense key finds, with no filter of its own. */
async function scopedKeyIds(tenant: string) {
  const parent = await ensureSearchParentKey(s.typesense, s.env.typesenseApiKey);
  const client = createTypesense(s.env.typesenseUrl, tenantSearchKey(s.typesense, parent, tenant));
  const res = await client.collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION).documents().search({ q: '*', query_by: 'name', per_page: 250 });
  return (res.hits ?? []).map((h) => h.document.id);
}

const catalogIds = async (api: ReturnType<typeof apiClient>) => {
  const res = await api.call<{ items: { id: string }[]; source: string }>('GET', `/catalog?q=${encodeURIComponent('Marketplace test workflow')}&perPage=100`);
  expect(res.body.source).toBe('typesense');
  return res.body.items.map((i) => i.id);
};

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`templates_${randomUUID().slice(0, 8)}`) });
  await s.sql`insert into tenant (id, name) values ('initech', 'Initech') on conflict (id) do nothing`;
  await s.sql`insert into tenant_setting (tenant_id, egress_allow) values ('initech', '{*.example.internal}') on conflict (tenant_id) do nothing`;
  const token = await providerSignedToken(s.env, { sub: 'ivan', tenant: 'initech', roles: ['tenant-admin', 'author'], team: 'it', name: 'Ivan Initech' });
  initech = apiClient('http://test', token, (input, init) => Promise.resolve(s.app.request(input, init)));

  const suffix = s.suffix;
  // a publisher may offer beyond the tenant, with a review
  const pub = await publish('pat', `mk-public-${suffix}`, 'global', 'public-ecosystem');
  expect(pub.status).toBe('awaiting_approval');
  await approve(pub.id);
  const cur = await publish('pat', `mk-curated-${suffix}`, 'global', 'partner-curated');
  expect(cur.status).toBe('awaiting_approval');
  await approve(cur.id);
  // a tenant-local workflow stays in its tenant (internal-only, no review at low risk)
  const int = await publish('alice', `mk-internal-${suffix}`, 'tenant-local');
  expect(int.status).toBe('published');
  Object.assign(ids, { public: pub.id, curated: cur.id, internal: int.id });
});
afterAll(async () => s?.close());

describe('publishing into the marketplace', () => {
  it('a plain author cannot offer a workflow to every tenant: the publish policy denies it, with the reason', async () => {
    const denied = await publish('alice', `mk-denied-${s.suffix}`, 'global', 'public-ecosystem');
    expect(denied.status).toBe('denied');
    const state = await s.as('alice').publishState(denied.id, '1.0.0');
    expect(state.body.error).toEqual({ code: 'POLICY_DENIED', message: 'only a publisher or the platform curator may offer a workflow as public-ecosystem' });
    const [t] = await s.sql`select id from workflow_template where id = ${denied.id}`;
    expect(t).toBeUndefined();
  });

  it('the template carries the offer, the bindings an installer must give, the versions and the publish', async () => {
    const t = (await s.as('pat').call<TemplateDetail>('GET', `/templates/${ids.public}`)).body;
    expect(t).toMatchObject({
      id: ids.public,
      definitionId: ids.public,
      publisherTenant: 'acme',
      publisher: 'pat',
      visibility: 'public-ecosystem',
      latestVersion: '1.0.0',
      summary: `Offer of mk-public-${s.suffix}`,
      environments: ['dev', 'staging', 'prod'],
      regions: ['eu-west-1'],
      certified: false,
      installs: 0,
      myInstances: [],
      audience: [],
    });
    // (in the stored spec's key order)
    expect([...t.bindings.parameters].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'callback', required: false, default: 'https://hooks.example.internal/done', type: 'string', endpoint: true },
      { name: 'email', required: true, type: 'string', description: 'who to notify', endpoint: false },
      { name: 'fail', required: false, default: false, type: 'boolean', endpoint: false },
    ]);
    expect(t.bindings.secrets).toEqual([{ name: 'api_token', description: 'the installer\'s API token' }]);
    expect(t.versions).toEqual([{ version: '1.0.0', publishedAt: expect.any(String) as string, digest: expect.stringMatching(/^sha256:/) as string, visibility: 'public-ecosystem', changeKind: 'initial', changeReasons: [] }]);
    expect(t.temporalUrl).toContain(encodeURIComponent(`publish/${ids.public}/1.0.0`));
    // another tenant sees the template, not its curated list
    const seen = (await s.as('carol').call<TemplateDetail>('GET', `/templates/${ids.public}`)).body;
    expect(seen.id).toBe(ids.public);
    expect(seen.audience).toBeUndefined();
  });

  it('separates my templates from the marketplace, filters by profile, publisher and text', async () => {
    const mine = (await s.as('pat').call<{ items: TemplateListItem[] }>('GET', '/templates?view=mine&perPage=100')).body.items.map((i) => i.id);
    expect(mine).toEqual(expect.arrayContaining([ids.public, ids.curated, ids.internal]));
    // the owner's marketplace holds its shared templates, not its internal one
    const own = await marketIds(s.as('alice'));
    expect(own).toEqual(expect.arrayContaining([ids.public, ids.curated]));
    expect(own).not.toContain(ids.internal);
    expect((await s.as('carol').call<{ items: TemplateListItem[] }>('GET', '/templates?view=mine')).body.items.map((i) => i.id)).toEqual([]);
    expect((await market(s.as('pat'), '&visibility=partner-curated')).items.map((i) => i.id)).toEqual([ids.curated]);
    expect((await market(s.as('carol'), '&publisher=acme')).items.map((i) => i.id)).toEqual([ids.public]);
    expect((await market(s.as('carol'), '&publisher=globex')).found).toBe(0);
    expect((await market(s.as('pat'), `&q=${encodeURIComponent(`mk-curated-${s.suffix}`)}`)).items.map((i) => i.id)).toEqual([ids.curated]);
    const page = await market(s.as('pat'), '&perPage=1&page=2');
    expect(page.found).toBe(2);
    expect(page.items).toHaveLength(1);
    for (const bad of ['view=all', 'visibility=public', 'publisher=Acme', 'perPage=101', 'tenant=globex']) {
      expect((await s.request('GET', `/api/templates?${bad}`, { user: 'carol' })).status, bad).toBe(422);
    }
  });
});

describe('a partner-curated template and its curated list', () => {
  it('is offered only to the tenants a curator puts on its list: marketplace, catalog search and scoped key agree', async () => {
    // before: globex sees the public template only, everywhere
    expect(await marketIds(s.as('carol'))).toEqual([ids.public]);
    await expectApiError(s.as('carol').call('GET', `/templates/${ids.curated}`), 404, 'TEMPLATE_NOT_FOUND');
    expect(await catalogIds(s.as('carol'))).not.toContain(ids.curated);
    expect(await scopedKeyIds('globex')).not.toContain(ids.curated);

    const result = await curate(['globex']);
    expect(result).toMatchObject({ status: 'applied', templateId: ids.curated, audience: ['globex'], added: ['globex'], removed: [], receiptId: expect.stringMatching(/^rcpt_/) as string });

    expect(await marketIds(s.as('carol'))).toEqual(expect.arrayContaining([ids.public, ids.curated]));
    expect((await s.as('carol').call<TemplateDetail>('GET', `/templates/${ids.curated}`)).body).toMatchObject({ id: ids.curated, visibility: 'partner-curated' });
    expect(await catalogIds(s.as('carol'))).toContain(ids.curated);
    expect(await scopedKeyIds('globex')).toContain(ids.curated);
    // the third tenant never does
    expect(await marketIds(initech)).toEqual([ids.public]);
    await expectApiError(initech.call('GET', `/templates/${ids.curated}`), 404, 'TEMPLATE_NOT_FOUND');
    expect(await catalogIds(initech)).not.toContain(ids.curated);
    expect(await scopedKeyIds('initech')).not.toContain(ids.curated);
  });

  it('the change is a lifecycle with a receipt, and the search document names it as its provenance', async () => {
    const audience = (await s.as('pat').call<TemplateAudience>('GET', `/templates/${ids.curated}/audience`)).body;
    expect(audience.tenants).toEqual([{ tenantId: 'globex', addedBy: 'cora', addedAt: expect.any(String) as string }]);
    expect(audience.lastChange).toMatchObject({ by: 'cora', workflowId: expect.stringMatching(/^curate\//) as string });
    const { workflowId, runId } = audience.lastChange!;
    const [receipt] = await s.sql`select tenant_id, subject, decisions from provenance_receipt where workflow_id = ${workflowId} and run_id = ${runId} and lifecycle = 'curate'`;
    expect(receipt).toMatchObject({ tenant_id: 'acme', subject: ids.curated, decisions: { audience: ['globex'], added: ['globex'], removed: [], curator: 'cora' } });
    const doc = await s.typesense.collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION).documents(ids.curated).retrieve();
    expect(doc).toMatchObject({ provenance_workflow_id: workflowId, provenance_run_id: runId, audience: ['globex'], visibility: 'partner-curated' });
    // the entry's provenance lists it for the tenants that see it, without naming anyone on the list
    const detail = await s.as('carol').call<{ provenance: { lifecycle: string; workflowId: string; reason?: string }[] }>('GET', `/catalog/${ids.curated}`);
    expect(detail.body.provenance[0]).toMatchObject({ lifecycle: 'curate', workflowId, reason: 'curated list changed' });
    const history = JSON.stringify(await s.client.workflow.getHandle(workflowId).fetchHistory());
    expect(history).toContain('applyTemplateAudience');
    expect(history).toContain('indexCatalogChange');
  });

  it('only a curator changes the list; tenants must exist, the owner is never on it, the list is bounded', async () => {
    await expectApiError(s.as('pat').call('PUT', `/templates/${ids.curated}/audience`, { tenants: ['globex'] }), 403, 'ROLE_REQUIRED');
    await expectApiError(s.as('carol').call('PUT', `/templates/${ids.curated}/audience`, { tenants: ['globex'] }), 403, 'ROLE_REQUIRED');
    const cora = s.as('cora');
    await expectApiError(cora.call('PUT', `/templates/${ids.curated}/audience`, { tenants: ['globex', 'nosuch'] }), 422, 'TENANT_UNKNOWN');
    await expectApiError(cora.call('PUT', `/templates/${ids.curated}/audience`, { tenants: ['acme'] }), 422, 'AUDIENCE_OWNER');
    await expectApiError(cora.call('PUT', `/templates/${ids.curated}/audience`, { tenants: ['globex', 'globex'] }), 422, 'VALIDATION_FAILED');
    await expectApiError(cora.call('PUT', `/templates/${ids.curated}/audience`, { tenants: ['Not A Tenant'] }), 422, 'VALIDATION_FAILED');
    const tooMany = Array.from({ length: MAX_AUDIENCE + 1 }, (_, i) => `t${i}-x`);
    await expectApiError(cora.call('PUT', `/templates/${ids.curated}/audience`, { tenants: tooMany }), 422, 'VALIDATION_FAILED');
    await expectApiError(cora.call('PUT', `/templates/${ids.public}/audience`, { tenants: ['globex'] }), 409, 'TEMPLATE_NOT_PARTNER_CURATED');
    await expectApiError(cora.call('PUT', `/templates/${ids.internal}/audience`, { tenants: ['globex'] }), 409, 'TEMPLATE_NOT_PARTNER_CURATED');
    await expectApiError(cora.call('PUT', '/templates/acme.no-such-template/audience', { tenants: [] }), 404, 'TEMPLATE_NOT_FOUND');
    // nothing of that changed the list
    const [row] = await s.sql<{ n: number }[]>`select count(*)::int as n from template_audience where template_id = ${ids.curated}`;
    expect(row!.n).toBe(1);
  });

  it('the lifecycle checks again what the API checked: a refused change writes nothing', async () => {
    // a request the API would refuse, started directly (as after a race with a publish that changed the profile)
    const handle = await s.client.workflow.start('curateTemplateWorkflow', {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: `curate/${ids.public}/race-${s.suffix}`,
      args: [{ templateId: ids.public, tenants: ['globex'], actor: { sub: 'cora', tenant: 'acme', roles: ['platform-curator'] } }],
    });
    expect(await handle.result()).toMatchObject({ status: 'refused', error: { code: 'TEMPLATE_NOT_PARTNER_CURATED' } });
    const unknown = await s.client.workflow.execute('curateTemplateWorkflow', {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: `curate/${ids.curated}/race-${s.suffix}`,
      args: [{ templateId: ids.curated, tenants: ['nosuch'], actor: { sub: 'cora', tenant: 'acme', roles: ['platform-curator'] } }],
    });
    expect(unknown).toMatchObject({ status: 'refused', error: { code: 'TENANT_UNKNOWN' } });
    expect(await s.sql`select tenant_id from template_audience where template_id = ${ids.curated}`).toEqual([{ tenant_id: 'globex' }]);
    expect(await s.sql`select 1 from template_audience where template_id = ${ids.public}`).toHaveLength(0);
  });
});

describe('usage seen by the publisher', () => {
  // globex and initech install the templates through the install lifecycle and run their
  // instances; each binds a secret of its own and parameters with a canary that must never
  // reach the publisher.
  const instances: Record<string, string> = {};
  const runsOf = async (api: ReturnType<typeof apiClient>, instanceId: string, fails: boolean[]) => {
    for (const fail of fails) {
      const started = await api.call<{ runId: string }>('POST', `/instances/${instanceId}/runs`, { params: { fail } });
      for (let i = 0; ; i++) {
        const r = await api.call<{ status: string }>('GET', `/runs/${started.body.runId}`);
        if (r.body.status !== 'running') {
          expect(r.body.status).toBe(fail ? 'failed' : 'completed');
          break;
        }
        expect(i, `run ${started.body.runId} did not finish`).toBeLessThan(300);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  };
  async function installAs(api: ReturnType<typeof apiClient>, tenant: string, templateId: string, environment: string): Promise<string> {
    await api.call('PUT', `/secrets/mk_token`, { value: `${CANARY}-${tenant}-secret` });
    const started = await api.call<{ instanceId: string }>('POST', '/installs', {
      templateId,
      environment,
      region: 'eu-west-1',
      parameters: { email: `${CANARY}@${tenant}.example` },
      secrets: { api_token: 'mk_token' },
    });
    expect(started.status).toBe(202);
    for (let i = 0; ; i++) {
      // the read model's row is written by the lifecycle's first activity: 404 until then
      const state = await api
        .call<{ status: string; error?: unknown }>('GET', `/installs/${started.body.instanceId}`)
        .catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? { body: { status: 'checking', error: undefined } } : Promise.reject(e)));
      if (!['checking', 'awaiting_approval', 'installing'].includes(state.body.status)) {
        expect(state.body.status, JSON.stringify(state.body.error)).toBe('installed');
        return started.body.instanceId;
      }
      expect(i, 'the install did not finish').toBeLessThan(300);
      await new Promise((res) => setTimeout(res, 150));
    }
  }

  beforeAll(async () => {
    const gus = s.as('gus');
    instances.gxDev = await installAs(gus, 'globex', ids.public, 'dev');
    instances.gxStaging = await installAs(gus, 'globex', ids.public, 'staging');
    instances.inDev = await installAs(initech, 'initech', ids.public, 'dev');
    instances.inStaging = await installAs(initech, 'initech', ids.public, 'staging');
    instances.gxCurated = await installAs(gus, 'globex', ids.curated, 'dev');
    await runsOf(gus, instances.gxDev, [false, false, true]);
    await runsOf(initech, instances.inDev, [false]);
    await runsOf(gus, instances.gxCurated, [true]);
    // an uninstalled instance is no longer counted
    const removed = await initech.call<{ workflowId: string }>('DELETE', `/instances/${instances.inStaging}?inFlight=finish`);
    expect(await s.client.workflow.getHandle(removed.body.workflowId).result()).toMatchObject({ status: 'uninstalled' });
  }, 180_000);

  it('aggregates per version, names no installer of a public template, and never shows their data', async () => {
    const res = await s.as('pat').call<TemplateUsage>('GET', `/templates/${ids.public}/usage`);
    // 4 runs, 1 failed of 4 finished
    expect(res.body).toEqual({
      templateId: ids.public,
      visibility: 'public-ecosystem',
      versions: [{ version: '1.0.0', installingTenants: 2, instances: 3, runs: 4, failedRuns: 1, failureRate: 0.25 }],
      latestVersion: '1.0.0',
      instances: 3,
      lagging: 0,
    });
    expect(JSON.stringify(res.body)).not.toContain(CANARY);
    expect(JSON.stringify(res.body)).not.toContain('globex');
    expect(JSON.stringify(res.body)).not.toContain('initech');
  });

  it('names the installers of a partner-curated template (its list is the publisher\'s own)', async () => {
    const res = await s.as('alice').call<TemplateUsage>('GET', `/templates/${ids.curated}/usage`);
    expect(res.body).toEqual({
      templateId: ids.curated,
      visibility: 'partner-curated',
      versions: [{ version: '1.0.0', installingTenants: 1, instances: 1, runs: 1, failedRuns: 1, failureRate: 1 }],
      latestVersion: '1.0.0',
      instances: 1,
      lagging: 0,
      installers: ['globex'],
    });
    expect(JSON.stringify(res.body)).not.toContain(CANARY);
  });

  it('the marketplace counts installing tenants and shows the caller its own instances only', async () => {
    const carol = (await market(s.as('carol'))).items.find((i) => i.id === ids.public)!;
    expect(carol.installs).toBe(2);
    expect(carol.myInstances.map((i) => i.id).sort()).toEqual([instances.gxDev, instances.gxStaging].sort());
    expect(carol.myInstances.find((i) => i.id === instances.gxStaging)).toEqual({ id: instances.gxStaging, environment: 'staging', version: '1.0.0', status: 'active' });
    const theirs = (await market(initech)).items.find((i) => i.id === ids.public)!;
    expect(theirs.myInstances.map((i) => i.id)).toEqual([instances.inDev]);
    const owner = (await market(s.as('pat'))).items.find((i) => i.id === ids.public)!;
    expect(owner).toMatchObject({ installs: 2, myInstances: [] });
    for (const body of [carol, theirs, owner]) expect(JSON.stringify(body)).not.toContain(CANARY);
  });
});

describe('isolation', () => {
  it('another tenant\'s token against an internal template: 404 for the template, its usage and its list, as for none at all', async () => {
    for (const api of [s.as('carol'), s.as('dave'), initech]) {
      for (const path of [`/templates/${ids.internal}`, `/templates/${ids.internal}/usage`, `/templates/${ids.internal}/audience`]) {
        await expectApiError(api.call('GET', path), 404, 'TEMPLATE_NOT_FOUND');
      }
    }
    for (const path of ['/templates/acme.no-such-template', '/templates/acme.no-such-template/usage', '/templates/acme.no-such-template/audience']) {
      await expectApiError(s.as('carol').call('GET', path), 404, 'TEMPLATE_NOT_FOUND');
    }
    // the owner sees all three
    for (const path of [`/templates/${ids.internal}`, `/templates/${ids.internal}/usage`, `/templates/${ids.internal}/audience`]) {
      expect((await s.as('alice').call('GET', path)).status, path).toBe(200);
    }
  });

  it('a template offered to another tenant still keeps its usage and its list from it', async () => {
    for (const id of [ids.public, ids.curated]) {
      await expectApiError(s.as('carol').call('GET', `/templates/${id}/usage`), 404, 'TEMPLATE_NOT_FOUND');
      await expectApiError(s.as('carol').call('GET', `/templates/${id}/audience`), 404, 'TEMPLATE_NOT_FOUND');
    }
  });

  it('a curator reads any partner-curated list; removing a tenant withdraws the offer everywhere', async () => {
    expect((await s.as('cora').call<TemplateAudience>('GET', `/templates/${ids.curated}/audience`)).body.tenants.map((t) => t.tenantId)).toEqual(['globex']);
    const result = await curate([]);
    expect(result).toMatchObject({ status: 'applied', audience: [], added: [], removed: ['globex'] });
    expect(await marketIds(s.as('carol'))).not.toContain(ids.curated);
    await expectApiError(s.as('carol').call('GET', `/templates/${ids.curated}`), 404, 'TEMPLATE_NOT_FOUND');
    expect(await catalogIds(s.as('carol'))).not.toContain(ids.curated);
    expect(await scopedKeyIds('globex')).not.toContain(ids.curated);
    // its instance stays the installer's (uninstalling is the installer's lifecycle), and the publisher still sees the count
    expect((await s.as('pat').call<TemplateUsage>('GET', `/templates/${ids.curated}/usage`)).body.installers).toEqual(['globex']);
  });
});
