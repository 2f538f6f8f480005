import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../support/expect-api-error.ts';
import { passReview } from '../review/support.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());


describe('publish lifecycle through the API', () => {
  it('publishes a low-risk tenant-local workflow without review and makes it searchable', async () => {
    const spec = testSpec({ description: 'Rotates the quarterly payroll export for zebrafinch audits' });
    const alice = s.as('alice');
    const draft = await alice.createDraft(spec);
    expect(draft.status).toBe(201);
    expect(draft.body.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const id = draft.body.definitionId;
    expect(id).toBe(`acme.${spec.metadata.name}`);

    const started = await alice.requestPublish(id, '1.0.0');
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toBe(`publish/${id}/1.0.0`);
    expect(await alice.waitForPublish(id, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');

    const state = await alice.publishState(id, '1.0.0');
    expect(state.body).toMatchObject({ status: 'published', decision: { allow: true, reviewRequired: false, requiredApprovals: 0 } });

    const [version] = await s.sql`select status, digest, published_by_workflow_id from workflow_version where definition_id = ${id}`;
    expect(version).toMatchObject({ status: 'published', digest: draft.body.digest, published_by_workflow_id: `publish/${id}/1.0.0` });
    const [receipt] = await s.sql`select subject, subject_digest from provenance_receipt where workflow_id = ${`publish/${id}/1.0.0`}`;
    expect(receipt).toMatchObject({ subject: `${id}@1.0.0`, subject_digest: draft.body.digest });

    const found = await alice.searchCatalog('zebrafinch');
    expect(found.body.items.map((i) => i.id)).toEqual([id]);
    // typo tolerance
    expect((await alice.searchCatalog('zebrafnch')).body.items.map((i) => i.id)).toContain(id);
    // a tenant-local entry of acme is invisible to globex, by search and by id
    expect((await s.as('carol').searchCatalog('zebrafinch')).body.found).toBe(0);
    await expectApiError(s.as('carol').getDefinition(id), 404, 'DEFINITION_NOT_FOUND');
  });

  it('creating the same draft twice is idempotent; different content under the same version conflicts', async () => {
    const spec = testSpec();
    const alice = s.as('alice');
    const first = await alice.createDraft(spec);
    const again = await alice.createDraft(spec);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ definitionId: first.body.definitionId, digest: first.body.digest, created: false });
    const changed = { ...spec, metadata: { ...spec.metadata, description: 'something else entirely' } };
    await expectApiError(alice.createDraft(changed), 409, 'VERSION_EXISTS');
    const rows = await s.sql`select count(*)::int as n from workflow_version where definition_id = ${first.body.definitionId}`;
    expect(rows[0]!.n).toBe(1);
  });

  it('a publish that needs review waits for a reviewer; self-approval and empty rationale are refused at once', async () => {
    const spec = testSpec({ risk: 'medium', description: 'Quarterly vendor questionnaire with okapi scoring' });
    const alice = s.as('alice');
    const bob = s.as('bob');
    const { body: draft } = await alice.createDraft(spec);
    const id = draft.definitionId;
    const first = await alice.requestPublish(id, '1.0.0');
    expect(await alice.waitForPublish(id, '1.0.0', ['awaiting_approval', 'published'])).toBe('awaiting_approval');

    // a double submit joins the running lifecycle instead of starting a second one
    const twice = await alice.requestPublish(id, '1.0.0');
    expect(twice.body).toMatchObject({ workflowId: first.body.workflowId, runId: first.body.runId });

    const pending = await bob.call<{ items: { definitionId: string; canDecide: boolean; reviewReasons: string[] }[] }>('GET', '/approvals/pending');
    const item = pending.body.items.find((i) => i.definitionId === id);
    expect(item).toMatchObject({ canDecide: true, reviewReasons: ['risk is medium: a reviewer must approve'] });
    // not in another tenant's queue
    const globex = await s.as('dave').call<{ items: { definitionId: string }[] }>('GET', '/approvals/pending');
    expect(globex.body.items.map((i) => i.definitionId)).not.toContain(id);

    await expectApiError(alice.decide(id, '1.0.0', 'approve', 'looks fine to me'), 403, 'SELF_APPROVAL');
    await expectApiError(bob.decide(id, '1.0.0', 'approve', '   '), 422, 'RATIONALE_REQUIRED');
    await expectApiError(s.as('carol').decide(id, '1.0.0', 'approve', 'other tenant'), 404, 'PUBLISH_REQUEST_NOT_FOUND');
    const refused = await s.sql`select count(*)::int as n from approval where definition_id = ${id}`;
    expect(refused[0]!.n).toBe(0);
    expect((await alice.searchCatalog('okapi')).body.found).toBe(0);

    const ok = await bob.decide(id, '1.0.0', 'approve', 'Questionnaire scoring reviewed; no secrets in the spec.');
    expect(ok.status).toBe(200);
    expect(await alice.waitForPublish(id, '1.0.0', ['published'])).toBe('published');
    await expectApiError(bob.decide(id, '1.0.0', 'approve', 'again'), 409, 'NOT_AWAITING_APPROVAL');

    const approvals = await s.sql`select approver, decision, rationale from approval where definition_id = ${id}`;
    expect(approvals).toEqual([{ approver: 'bob', decision: 'approve', rationale: 'Questionnaire scoring reviewed; no secrets in the spec.' }]);
    expect((await alice.searchCatalog('okapi')).body.items.map((i) => i.id)).toEqual([id]);
    await expectApiError(alice.requestPublish(id, '1.0.0'), 409, 'ALREADY_PUBLISHED');

    const detail = await alice.call<{ versions: { status: string; provenance?: { workflowId: string } }[]; approvals: unknown[] }>('GET', `/definitions/${id}`);
    expect(detail.body.versions[0]).toMatchObject({ status: 'published', provenance: { workflowId: `publish/${id}/1.0.0` } });
    expect(detail.body.approvals).toHaveLength(1);
  });

  it('a rejected publish leaves the version unpublished and out of the catalog', async () => {
    const spec = testSpec({ risk: 'high', description: 'Grants narwhal admin rights' });
    const { body: draft } = await s.as('alice').createDraft(spec);
    await s.as('alice').requestPublish(draft.definitionId, '1.0.0');
    await s.as('alice').waitForPublish(draft.definitionId, '1.0.0', ['awaiting_approval']);
    await s.as('bob').decide(draft.definitionId, '1.0.0', 'reject', 'Admin rights are too broad; scope them to one system.');
    expect(await s.as('alice').waitForPublish(draft.definitionId, '1.0.0', ['rejected'])).toBe('rejected');
    const [v] = await s.sql`select status from workflow_version where definition_id = ${draft.definitionId}`;
    expect(v!.status).toBe('rejected');
    expect((await s.as('alice').searchCatalog('narwhal')).body.found).toBe(0);
  });

  it('a global workflow needs review even at low risk and then becomes visible to other tenants', async () => {
    const spec = testSpec({ scope: 'global', description: 'Shared capybara checklist for every tenant' });
    const { body: draft } = await s.as('pat').createDraft(spec);
    await s.as('pat').requestPublish(draft.definitionId, '1.0.0');
    expect(await s.as('pat').waitForPublish(draft.definitionId, '1.0.0', ['awaiting_approval', 'published'])).toBe('awaiting_approval');
    await s.as('bob').decide(draft.definitionId, '1.0.0', 'approve', 'Checklist reviewed for all tenants.');
    await s.as('pat').waitForPublish(draft.definitionId, '1.0.0', ['published']);
    // internal-only until the platform's marketplace review passes
    expect((await s.as('carol').searchCatalog('capybara')).body.found).toBe(0);
    await passReview(s, draft.definitionId, '1.0.0');
    const seen = await s.as('carol').searchCatalog('capybara');
    expect(seen.body.items.map((i) => i.id)).toEqual([draft.definitionId]);
  });

  it('policy denials are reasons, recorded, and publish nothing', async () => {
    const spec = testSpec({ risk: 'critical' });
    const { body: draft } = await s.as('alice').createDraft(spec);
    await s.as('alice').requestPublish(draft.definitionId, '1.0.0');
    expect(await s.as('alice').waitForPublish(draft.definitionId, '1.0.0', ['denied', 'published', 'awaiting_approval'])).toBe('denied');
    const state = await s.as('alice').publishState(draft.definitionId, '1.0.0');
    expect(state.body.error).toEqual({ code: 'POLICY_DENIED', message: 'only a publisher may publish a critical-risk workflow' });
  });

  it('a reviewer without an author role cannot create drafts', async () => {
    await expectApiError(s.as('bob').createDraft(testSpec()), 403, 'ROLE_REQUIRED');
  });
});
