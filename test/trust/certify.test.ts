import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { call, publishTemplate } from '../marketplace/support.ts';
import { decodeStatement, listPublicKeys, verifyBundle } from '../../platform/signing.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type TrustSummary } from '../../domain/trust.ts';
import { CHECKLIST, type CertificationView } from '../../domain/certification.ts';
import { certify, documentedSpec, reviewedTemplate, waitForCertification } from './support.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

const ids = CHECKLIST.map((c) => c.id);

describe('certify lifecycle', () => {
  it('certifies a reviewed, signed, documented version: checklist, expiry, signed statement, receipt, template mirror', async () => {
    const spec = documentedSpec();
    const id = await reviewedTemplate(s, spec);
    const before = Date.now();
    const c = await certify(s, id, '1.0.0');
    expect(c.status, JSON.stringify(c.checklist)).toBe('certified');
    expect(c.checklist.map((i) => i.id)).toEqual(ids);
    expect(c.checklist.filter((i) => !i.ok)).toEqual([]);
    expect(c.decision).toMatchObject({ outcome: 'certified', reasons: ['every checklist item passed'] });
    // CERTIFICATION_TTL defaults to 180 days
    const ttl = c.expires_at!.getTime() - c.certified_at!.getTime();
    expect(ttl).toBe(180 * 86_400_000);
    expect(c.certified_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // the statement is signed with the platform key and names the version's digest
    const [v] = await s.sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${id} and version = '1.0.0'`;
    const keys = await listPublicKeys(s.sql);
    const verified = verifyBundle(c.statement_bundle, keys, {
      subjectDigest: v!.digest,
      subjectName: `${id}@1.0.0`,
      keyOwner: PLATFORM_KEY_OWNER,
      predicateType: PREDICATE_TYPES.certification,
    });
    expect(verified.ok, JSON.stringify(verified.checks)).toBe(true);
    expect(decodeStatement(c.statement_bundle)?.predicate).toMatchObject({ certifiedBy: 'cid', status: 'certified', workflowId: c.workflowId });

    // the receipt
    const [receipt] = await s.sql<{ lifecycle: string; subject_digest: string }[]>`select lifecycle, subject_digest from provenance_receipt where id = ${c.receipt_id}`;
    expect(receipt).toEqual({ lifecycle: 'certify', subject_digest: v!.digest });

    // the template mirrors it
    const [t] = await s.sql<{ certification_state: string; certified_at: Date; last_reviewed_at: Date | null }[]>`
      select certification_state, certified_at, last_reviewed_at from workflow_template where id = ${id}`;
    expect(t!.certification_state).toBe('certified');
    expect(t!.certified_at.getTime()).toBe(c.certified_at!.getTime());
    expect(t!.last_reviewed_at).not.toBeNull();

    // GET …/certification for another tenant that sees the version
    const view = await call<CertificationView>(s, 'gus', 'GET', `/definitions/${id}/versions/1.0.0/certification`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ status: 'certified', certifiedBy: 'cid', workflowId: c.workflowId, receiptId: c.receipt_id });
    expect(view.body.expiresAt).toBe(c.expires_at!.toISOString());

    // the workflow waits for the expiry
    const state = await s.client.workflow.getHandle(c.workflowId).describe();
    expect(state.status.name).toBe('RUNNING');
  });

  it('refuses a version whose docs are incomplete, naming the failed item; nothing is certified', async () => {
    const id = await reviewedTemplate(s, testSpec({ scope: 'global' })); // its parameter has no description
    const c = await certify(s, id, '1.0.0');
    expect(c.status).toBe('refused');
    // the review's docs control and the certification's own docs check both see it
    expect(c.checklist.filter((i) => !i.ok).map((i) => i.id)).toEqual(['controls-satisfied', 'docs-complete']);
    expect(c.checklist.find((i) => i.id === 'controls-satisfied')!.reason).toContain('documented-parameters');
    expect(c.checklist.find((i) => i.id === 'docs-complete')!.reason).toContain('undocumented parameters: email');
    expect(c.decision!.reasons).toContain('checklist item docs-complete failed');
    expect(c.statement_bundle).toBeNull();
    const [t] = await s.sql<{ certification_state: string }[]>`select certification_state from workflow_template where id = ${id}`;
    expect(t!.certification_state).toBe('none');
    // the workflow ended
    expect(await s.client.workflow.getHandle(c.workflowId).result()).toMatchObject({ status: 'refused' });
  });

  it('refuses to start without a passed review (REVIEW_REQUIRED), without a rationale, or for a non-certifier', async () => {
    // a tenant-local version: published without a marketplace review
    const spec = documentedSpec({ scope: 'tenant-local' });
    const pat = s.as('pat');
    const { body } = await pat.createDraft(spec);
    await pat.requestPublish(body.definitionId, '1.0.0');
    expect(await pat.waitForPublish(body.definitionId, '1.0.0', ['published', 'awaiting_approval', 'invalid', 'denied'])).toBe('published');
    const path = `/definitions/${body.definitionId}/versions/1.0.0/certifications`;
    const unreviewed = await call(s, 'cid', 'POST', path, { rationale: 'Please.' });
    expect(unreviewed.status).toBe(409);
    expect(unreviewed.body.code).toBe('REVIEW_REQUIRED');

    const id = await reviewedTemplate(s, documentedSpec());
    const ok = `/definitions/${id}/versions/1.0.0/certifications`;
    const blank = await call(s, 'cid', 'POST', ok, { rationale: '   ' });
    expect([blank.status, blank.body.code]).toEqual([422, 'RATIONALE_REQUIRED']);
    for (const user of ['pat', 'sam', 'gus'] as const) {
      const r = await call(s, user, 'POST', ok, { rationale: 'I would like to.' });
      expect([user, r.status, r.body.code]).toEqual([user, 403, 'ROLE_REQUIRED']);
    }
    const missing = await call(s, 'cid', 'POST', `/definitions/${id}/versions/9.9.9/certifications`, { rationale: 'Nothing there.' });
    expect(missing.status).toBe(404);
    expect(await s.sql`select 1 from certification where definition_id = ${id}`).toHaveLength(0);
  });

  it('a recertification supersedes the current certification and ends its wait', async () => {
    const id = await reviewedTemplate(s, documentedSpec());
    const first = await certify(s, id, '1.0.0');
    expect(first.status).toBe('certified');
    const second = await certify(s, id, '1.0.0', 'Recertified after the yearly check.');
    expect(second.status).toBe('certified');
    expect(second.workflowId).toMatch(new RegExp(`^certify/${id.replace('.', '\\.')}@1\\.0\\.0/2$`));
    expect(await s.client.workflow.getHandle(first.workflowId).result()).toMatchObject({ status: 'superseded', supersededBy: second.workflowId });
    const rows = await s.sql<{ workflow_id: string; status: string }[]>`select workflow_id, status from certification where definition_id = ${id} order by created_at`;
    expect(rows.map((r) => r.status)).toEqual(['superseded', 'certified']);
    const view = await waitForCertification(s, id, '1.0.0', ['certified']);
    expect(view.workflowId).toBe(second.workflowId);
  });

  it('a patch carries over the certification by policy; a minor version does not inherit it', async () => {
    const name = `cert-carry-${s.suffix}`;
    const id = await reviewedTemplate(s, documentedSpec({ name }));
    const base = await certify(s, id, '1.0.0');
    expect(base.status).toBe('certified');

    // 1.0.1: a docs-only change (patch) that drops the parameter's description (docs-complete fails): carried over
    const patch = documentedSpec({ name, version: '1.0.1' });
    patch.parameters = { type: 'object', properties: { email: { type: 'string' } } as never };
    await reviewedTemplate(s, patch);
    const carried = await certify(s, id, '1.0.1');
    expect(carried.status, JSON.stringify(carried.decision)).toBe('certified');
    expect(carried.carried_from).toBe('1.0.0');
    expect(carried.checklist.filter((i) => !i.ok).map((i) => i.id)).toEqual(['controls-satisfied', 'docs-complete']);
    // carried, not renewed: the same expiry
    expect(carried.expires_at!.getTime()).toBe(base.expires_at!.getTime());

    // 1.1.0: a new optional parameter (non-breaking), the same gap: no carry-over across a minor version
    const minor = documentedSpec({ name, version: '1.1.0' });
    minor.parameters = { type: 'object', properties: { email: { type: 'string' }, note: { type: 'string', description: 'A note' } } as never };
    await reviewedTemplate(s, minor);
    const refused = await certify(s, id, '1.1.0');
    expect(refused.status).toBe('refused');
    expect(refused.decision!.reasons).toEqual(expect.arrayContaining(['no carry-over: 1.1.0 is not a patch of 1.0.1', 'no carry-over: 1.1.0 is classified non-breaking, not patch']));

    // the template's mirror follows its latest version (1.1.0, not certified)
    const [t] = await s.sql<{ certification_state: string; latest_version: string }[]>`select certification_state, latest_version from workflow_template where id = ${id}`;
    expect(t).toEqual({ certification_state: 'none', latest_version: '1.1.0' });
  });
});

describe('trust summary in the read models', () => {
  it('catalog search rows, catalog detail and template list/detail carry reviewed, certified and signed', async () => {
    const id = await reviewedTemplate(s, documentedSpec());
    await certify(s, id, '1.0.0');
    const expectTrust = (trust: TrustSummary | undefined, where: string) => {
      expect(trust, where).toBeDefined();
      expect(trust!.review.state, where).toBe('passed');
      expect(trust!.certification, where).toMatchObject({ status: 'certified', certifiedBy: 'cid', overdue: false });
      expect(trust!.signed, where).toMatchObject({ owner: { kind: 'publisher', id: 'acme' }, verified: true });
    };
    const detail = await call<{ trust: TrustSummary }>(s, 'gus', 'GET', `/catalog/${id}`);
    expect(detail.status).toBe(200);
    expectTrust(detail.body.trust, 'catalog detail');
    const template = await call<{ trust: TrustSummary }>(s, 'gus', 'GET', `/templates/${id}`);
    expect(template.status).toBe(200);
    expectTrust(template.body.trust, 'template detail');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const search = await call<{ items: { id: string; trust: TrustSummary }[] }>(s, 'gus', 'GET', `/catalog?q=${encodeURIComponent(id.split('.')[1]!)}&certified=true&signed=true&reviewed=true`);
      const row = search.body.items?.find((r) => r.id === id);
      if (row) {
        expectTrust(row.trust, 'catalog search row');
        break;
      }
      if (Date.now() > deadline) throw new Error(`not found by the trust facets: ${JSON.stringify(search.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const list = await call<{ items: { id: string; trust: TrustSummary }[] }>(s, 'gus', 'GET', `/templates?q=${encodeURIComponent(id.split('.')[1]!)}`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const listed = list.body.items.find((r) => r.id === id);
    expect(listed, JSON.stringify(list.body)).toBeDefined();
    expectTrust(listed!.trust, 'template list row');
  });

  it("another tenant's view never summarizes a version it may not see (a new version still in review)", async () => {
    const name = `trust-pending-${s.suffix}`;
    const id = await reviewedTemplate(s, documentedSpec({ name }));
    // 1.0.1 waits for its review: internal-only, invisible to globex
    await publishTemplate(s, documentedSpec({ name, version: '1.0.1' }), { review: false });
    const [v] = await s.sql<{ review_state: string; visibility: string }[]>`select review_state, visibility from workflow_version where definition_id = ${id} and version = '1.0.1'`;
    expect(v).toEqual({ review_state: 'pending', visibility: 'internal-only' });
    const [request] = await s.sql<{ workflow_id: string }[]>`select workflow_id from review_request where definition_id = ${id} and version = '1.0.0'`;
    const template = await call<{ trust: TrustSummary }>(s, 'gus', 'GET', `/templates/${id}`);
    expect(template.body.trust.review).toMatchObject({ state: 'passed', requestId: request!.workflow_id });
    // the entry's latest version is the pending 1.0.1: the row is summarized by 1.0.0, which globex may see
    const [d] = await s.sql<{ latest_version: string }[]>`select latest_version from workflow_definition where id = ${id}`;
    expect(d!.latest_version).toBe('1.0.1');
    const search = await call<{ items: { id: string; latestVersion: string; trust: TrustSummary }[] }>(s, 'gus', 'GET', `/catalog?q=${encodeURIComponent(name)}`);
    const row = search.body.items.find((r) => r.id === id);
    expect(row?.latestVersion).toBe('1.0.1');
    expect(row!.trust.review).toMatchObject({ state: 'passed', requestId: request!.workflow_id });
    // the owner sees its pending version's state
    const own = await call<{ latestVersion: string; trust: TrustSummary }>(s, 'pat', 'GET', `/catalog/${id}`);
    expect(own.body.trust.review.state).toBe('pending');
  });

  it('an unreviewed own version reads unreviewed and uncertified', async () => {
    const pat = s.as('pat');
    const { body } = await pat.createDraft(documentedSpec({ scope: 'tenant-local' }));
    await pat.requestPublish(body.definitionId, '1.0.0');
    await pat.waitForPublish(body.definitionId, '1.0.0', ['published', 'invalid', 'denied']);
    const detail = await call<{ trust: TrustSummary }>(s, 'pat', 'GET', `/catalog/${body.definitionId}`);
    expect(detail.body.trust.review.state).toBe('none');
    expect(detail.body.trust.certification).toEqual({ status: 'none', overdue: false });
  });
});
