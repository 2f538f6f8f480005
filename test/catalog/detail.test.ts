import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDetail } from '../../domain/catalog.ts';
import { createTypesense, type CatalogDocument } from '../../platform/typesense.ts';
import { ensureSearchParentKey, tenantSearchKey } from '../../platform/search-keys.ts';
import { expectApiError } from '../support/expect-api-error.ts';
import { passReview } from '../review/support.ts';
import { openStack, testSpec, type DemoUser, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

/** The Temporal Web UI page of a workflow run, as an operator would type it. */
const historyUrl = (workflowId: string, runId: string) =>
  `${s.config.temporalUiUrl}/namespaces/${s.config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;

const detailOf = (user: DemoUser, id: string) => s.as(user).call<CatalogDetail>('GET', `/catalog/${id}`);

const parameters = {
  type: 'object',
  required: ['email'],
  properties: { email: { type: 'string', format: 'email', title: 'Employee email' }, site: { type: 'string', default: 'HQ' } },
};

/** A global, medium-risk spec with approval steps (one inside a parallel group) and a declared secret. */
function badgeSpec(name: string, version: string, extra: Record<string, unknown> = {}) {
  return testSpec({
    name,
    version,
    risk: 'medium',
    scope: 'global',
    description: 'Issues a wombat office badge after security and manager sign-off',
    extra: {
      parameters,
      secrets: [{ name: 'badge_api_token', description: 'Token of the badge system' }],
      steps: [
        { id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'email': email }", data: { email: '${{ params.email }}' } } },
        {
          id: 'checks',
          parallel: [
            { id: 'securitySignOff', name: 'Security sign-off', task: 'approval@1.0.0', with: { message: 'Badge ok?', approvers: { roles: ['reviewer'], users: ['pat'] }, count: 2 } },
            { id: 'token', task: 'transform@1.0.0', with: { expression: 'token', data: { token: '${{ secrets.badge_api_token }}' } } },
          ],
        },
        { id: 'managerApproval', task: 'approval@1.0.0', with: { message: 'Issue a badge for ${{ params.email }}?' } },
      ],
      ...extra,
    },
  });
}

describe('catalog detail', () => {
  let id: string;
  let publish: { workflowId: string; runId: string };
  let localId: string;
  const rationale = 'Badge flow reviewed: two sign-offs before anything is issued.';
  const secretValue = `wombat-secret-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    const pat = s.as('pat');
    const name = `badge-${s.suffix}`;
    const { body: draft } = await pat.createDraft(badgeSpec(name, '1.0.0'));
    id = draft.definitionId;
    const started = (await pat.requestPublish(id, '1.0.0')).body;
    publish = { workflowId: started.workflowId, runId: started.runId };
    expect(await pat.waitForPublish(id, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid'])).toBe('awaiting_approval');
    await s.as('bob').decide(id, '1.0.0', 'approve', rationale);
    expect(await pat.waitForPublish(id, '1.0.0', ['published', 'rejected'])).toBe('published');
    await passReview(s, id, '1.0.0');
    // a newer draft: the owner sees it among the versions, but runs (and the detail's parameters) use 1.0.0
    await pat.createDraft(badgeSpec(name, '1.1.0', { parameters: { ...parameters, properties: { ...parameters.properties, costCentre: { type: 'string' } } } }));
    // a tenant secret with the declared name: its value must never reach the detail
    await pat.call('PUT', '/secrets/badge_api_token', { value: secretValue });

    const local = testSpec({ name: `local-${s.suffix}` });
    const { body: localDraft } = await s.as('alice').createDraft(local);
    localId = localDraft.definitionId;
    await s.as('alice').requestPublish(localId, '1.0.0');
    expect(await s.as('alice').waitForPublish(localId, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
  });

  it('the search document carries the publish lifecycle as its provenance', async () => {
    const [request] = await s.sql<{ run_id: string }[]>`select run_id from publish_request where workflow_id = ${publish.workflowId}`;
    expect(request!.run_id).toBe(publish.runId);
    const doc = await s.typesense.collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION).documents(id).retrieve();
    expect(doc).toMatchObject({ provenance_workflow_id: `publish/${id}/1.0.0`, provenance_run_id: request!.run_id, author: 'pat' });
    // every tenant can read a global document with its scoped key: the approver (a person
    // of the owning tenant) is not in it, only that and when the entry was reviewed
    const [approval] = await s.sql<{ decided_at: Date }[]>`select decided_at from approval where definition_id = ${id}`;
    expect(doc.last_reviewed_at).toBe(Math.floor(approval!.decided_at.getTime() / 1000));
    expect(doc).not.toHaveProperty('reviewer');
    expect(JSON.stringify(doc)).not.toContain('bob');
  });

  it('shows the owner everything: parameters, approval requirements, versions, approvals, trust and provenance', async () => {
    const { status, body: d } = await detailOf('pat', id);
    expect(status).toBe(200);
    const [approval] = await s.sql<{ decided_at: Date }[]>`select decided_at from approval where definition_id = ${id}`;
    expect(d).toMatchObject({
      id,
      tenantId: 'acme',
      name: `badge-${s.suffix}`,
      risk: 'medium',
      scope: 'global',
      visibility: 'public-ecosystem',
      status: 'published',
      latestVersion: '1.0.0',
      tags: ['test'],
    });
    expect(d.parameters).toEqual({ version: '1.0.0', schema: parameters, secrets: [{ name: 'badge_api_token', description: 'Token of the badge system' }] });
    expect(d.approvalRequirements).toEqual([
      { stepId: 'securitySignOff', title: 'Security sign-off', roles: ['reviewer'], users: ['pat'], count: 2 },
      { stepId: 'managerApproval', roles: ['reviewer', 'tenant-admin'], users: [], count: 1 },
    ]);
    expect(d.versions.map((v) => [v.version, v.status])).toEqual([
      ['1.1.0', 'draft'],
      ['1.0.0', 'published'],
    ]);
    expect(d.versions[1]!.provenance).toEqual({ ...publish, temporalUiUrl: historyUrl(publish.workflowId, publish.runId) });
    expect(d.versions[0]!.provenance).toBeUndefined();
    expect(d.approvals).toEqual([
      { version: '1.0.0', approver: 'bob', approverTenant: 'acme', decision: 'approve', rationale, decidedAt: approval!.decided_at.toISOString(), workflowId: publish.workflowId, runId: publish.runId },
    ]);
    expect(d.trust).toEqual({
      author: 'pat',
      ownerTeam: 'platform',
      reviewer: 'bob',
      lastReviewedAt: approval!.decided_at.toISOString(),
      certified: false,
      certificationState: 'none',
      // the version's signature verifies with its publisher's key (issue 12's trust summary)
      signed: { keyId: expect.stringMatching(/^maestro-publisher-acme-/), owner: { kind: 'publisher', id: 'acme' }, verified: true },
      review: expect.objectContaining({ state: expect.any(String), reviewers: expect.any(Array) }),
      certification: { status: 'none', overdue: false },
      badges: ['reviewed', 'signed'],
      warnings: ['never run'],
    });
    expect(d.health).toEqual({ windowDays: 30, runCount: 0 });
    expect(d.provenance).toHaveLength(1);
    expect(d.provenance[0]).toMatchObject({ lifecycle: 'publish', ...publish, reason: 'published 1.0.0', temporalUiUrl: historyUrl(publish.workflowId, publish.runId) });
  });

  it('another tenant sees a global entry without its approvals or unpublished versions', async () => {
    const { body: d } = await detailOf('carol', id);
    expect(d.approvals).toEqual([]);
    expect(d.versions.map((v) => v.version)).toEqual(['1.0.0']);
    expect(d.parameters.version).toBe('1.0.0');
    expect(d.approvalRequirements.map((a) => a.stepId)).toEqual(['securitySignOff', 'managerApproval']);
    // reviewed, and when, but not by whom: approvals are the owning tenant's business
    const [approval] = await s.sql<{ decided_at: Date }[]>`select decided_at from approval where definition_id = ${id}`;
    expect(d.trust).toMatchObject({ badges: ['reviewed', 'signed'], lastReviewedAt: approval!.decided_at.toISOString(), author: 'pat', signed: { verified: true } });
    expect(d.trust).not.toHaveProperty('reviewer');
    expect(JSON.stringify(d)).not.toContain(rationale);
    expect(JSON.stringify(d)).not.toContain('bob');
  });

  it('a tenant-local entry of another tenant is indistinguishable from one that does not exist', async () => {
    const hidden = await s.request('GET', `/api/catalog/${localId}`, { user: 'carol' });
    const missing = await s.request('GET', `/api/catalog/acme.no-such-${s.suffix}`, { user: 'carol' });
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    const strip = ({ requestId: _, ...rest }: Record<string, unknown>) => rest;
    const [a, b] = [strip(await hidden.json()), strip(await missing.json())];
    expect(a).toEqual({ code: 'DEFINITION_NOT_FOUND', message: 'no such definition' });
    expect(a).toEqual(b);
    // its owner sees it
    expect((await detailOf('alice', localId)).body).toMatchObject({ id: localId, scope: 'tenant-local', visibility: 'internal-only' });
  });

  it('never carries a secret value', async () => {
    for (const user of ['pat', 'alice', 'carol'] as const) {
      const res = await s.request('GET', `/api/catalog/${id}`, { user });
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain(secretValue);
    }
  });

  it('has the API\'s error shape for bad ids and no token, and leaves dot-less sibling paths alone', async () => {
    await expectApiError(detailOf('pat', 'Acme.Bad'), 422, 'VALIDATION_FAILED');
    const anonymous = await s.request('GET', `/api/catalog/${id}`);
    expect(anonymous.status).toBe(401);
    // ids always contain a dot: /catalog/<word> is another route's (or none), never a definition lookup
    const sibling = await s.request('GET', '/api/catalog/no-dot-here', { user: 'pat' });
    expect(sibling.status).toBe(404);
    expect(await sibling.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('is described in the OpenAPI document under its plain path', async () => {
    const doc = (await (await s.request('GET', '/api/openapi.json')).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/catalog/{id}', '/catalog/health-rollups']));
    expect(Object.keys(doc.paths).filter((p) => p.includes('[^/]'))).toEqual([]);
    expect(doc.components.schemas).toHaveProperty('CatalogDetail');
  });
});

describe('catalog provenance of versions another tenant may not see', () => {
  // acme.x: 1.0.0 tenant-local, then 2.0.0 global, then 1.0.1 tenant-local (a fix of the old
  // line). Other tenants see the entry (2.0.0 is global and the newest) but not 1.0.0 or 1.0.1.
  let id: string;
  const runs: Record<string, { workflowId: string; runId: string }> = {};

  async function publish(version: string, scope: 'global' | 'tenant-local') {
    const pat = s.as('pat');
    await pat.createDraft(testSpec({ name: `lines-${s.suffix}`, version, scope }));
    const started = (await pat.requestPublish(id, version)).body;
    runs[version] = { workflowId: started.workflowId, runId: started.runId };
    const first = await pat.waitForPublish(id, version, ['awaiting_approval', 'published', 'denied', 'invalid']);
    if (first === 'awaiting_approval') await s.as('bob').decide(id, version, 'approve', `Line ${version} reviewed.`);
    expect(await pat.waitForPublish(id, version, ['published', 'rejected'])).toBe('published');
    if (scope === 'global') await passReview(s, id, version);
  }

  beforeAll(async () => {
    id = `acme.lines-${s.suffix}`;
    await publish('1.0.0', 'tenant-local');
    await publish('2.0.0', 'global');
    await publish('1.0.1', 'tenant-local');
  });

  const hidden = () => [runs['1.0.0']!, runs['1.0.1']!].flatMap((r) => [r.workflowId, r.runId]);

  it('records which version each publish wrote, with that version as its reason', async () => {
    const rows = await s.sql<{ version: string | null; reason: string; workflow_id: string; run_id: string }[]>`
      select version, reason, workflow_id, run_id from catalog_update where definition_id = ${id} and lifecycle = 'publish' order by id`;
    expect(rows.map((r) => ({ ...r }))).toEqual(
      ['1.0.0', '2.0.0', '1.0.1'].map((v) => ({ version: v, reason: `published ${v}`, workflow_id: runs[v]!.workflowId, run_id: runs[v]!.runId })),
    );
  });

  it('the owner sees every publish in the detail, newest first', async () => {
    const { body: d } = await detailOf('pat', id);
    expect(d.latestVersion).toBe('2.0.0');
    expect(d.provenance.map((p) => [p.lifecycle, p.workflowId, p.runId, p.reason])).toEqual(
      ['1.0.1', '2.0.0', '1.0.0'].map((v) => ['publish', runs[v]!.workflowId, runs[v]!.runId, `published ${v}`]),
    );
  });

  it('another tenant\'s detail names only the global version\'s publish', async () => {
    const { status, body: d } = await detailOf('carol', id);
    expect(status).toBe(200);
    expect(d.versions.map((v) => v.version)).toEqual(['2.0.0']);
    expect(d.provenance.map((p) => [p.lifecycle, p.workflowId, p.runId, p.reason])).toEqual([
      ['publish', runs['2.0.0']!.workflowId, runs['2.0.0']!.runId, 'published 2.0.0'],
    ]);
    const text = JSON.stringify(d);
    for (const secret of [...hidden(), '1.0.0', '1.0.1']) expect(text, secret).not.toContain(secret);
  });

  it('the search document (read with another tenant\'s scoped key) names the global version\'s publish', async () => {
    const parent = await ensureSearchParentKey(s.typesense, s.env.typesenseApiKey);
    const globex = createTypesense(s.env.typesenseUrl, tenantSearchKey(s.typesense, parent, 'globex'));
    const res = await globex
      .collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION)
      .documents()
      .search({ q: '*', query_by: 'name', filter_by: `id:=\`${id}\``, per_page: 10 });
    expect(res.hits?.map((h) => h.document.id)).toEqual([id]);
    const doc = res.hits![0]!.document;
    expect(doc).toMatchObject({ latest_version: '2.0.0', provenance_workflow_id: runs['2.0.0']!.workflowId, provenance_run_id: runs['2.0.0']!.runId });
    const text = JSON.stringify(doc);
    for (const secret of [...hidden(), '1.0.0', '1.0.1']) expect(text, secret).not.toContain(secret);
  });

  it('a tenant-local entry\'s document names its newest change (only its tenant reads it)', async () => {
    const local = `acme.local-lines-${s.suffix}`;
    const pat = s.as('pat');
    for (const version of ['1.0.0', '1.1.0']) {
      await pat.createDraft(testSpec({ name: `local-lines-${s.suffix}`, version }));
      await pat.requestPublish(local, version);
      expect(await pat.waitForPublish(local, version, ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
    }
    const [request] = await s.sql<{ run_id: string }[]>`select run_id from publish_request where workflow_id = ${`publish/${local}/1.1.0`}`;
    const doc = await s.typesense.collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION).documents(local).retrieve();
    expect(doc).toMatchObject({ provenance_workflow_id: `publish/${local}/1.1.0`, provenance_run_id: request!.run_id });
  });
});
