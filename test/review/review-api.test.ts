import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, type Stack } from '../support/stack.ts';
import { call, publishTemplate, templateSpec } from '../marketplace/support.ts';
import { allOpen, ended, passReview, waitForReview, type ReviewView } from './support.ts';
import { contentDigest } from '../../platform/digest.ts';
import { listPublicKeys, verifyBundle } from '../../platform/signing.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type EvidenceBundle, type SigstoreBundleJson } from '../../domain/trust.ts';
import { PG } from '../../platform/db.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
}, 120_000);
afterAll(async () => s?.close());

/** A documented global spec with an example input (transform only: dry runs call it). */
const reviewSpec = (risk = 'low') =>
  templateSpec(
    {
      parameters: { type: 'object', properties: { email: { type: 'string', title: 'Email' } }, examples: [{ email: 'a@example.com' }] },
      steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'email': email }", data: { email: '${{ params.email }}' } } }],
    },
    { risk },
  );

const decide = (user: Parameters<typeof call>[1], id: string, kind: string, body: unknown) => call(s, user, 'POST', `/definitions/${id}/versions/1.0.0/review/${kind}/decisions`, body);

describe('the marketplace review gate', () => {
  it('publishes a marketplace version internal-only until its review passes, then offers it', async () => {
    const spec = reviewSpec('medium');
    const id = await publishTemplate(s, spec, { visibility: 'public-ecosystem', review: false });
    const [pending] = await s.sql<{ visibility: string; requested_visibility: string; review_state: string }[]>`
      select visibility, requested_visibility, review_state from workflow_version where definition_id = ${id}`;
    expect(pending).toEqual({ visibility: 'internal-only', requested_visibility: 'public-ecosystem', review_state: 'pending' });
    const [template] = await s.sql`select visibility from workflow_template where id = ${id}`;
    expect(template!.visibility).toBe('internal-only');
    // another tenant sees nothing of it, not even its pending review
    expect((await call(s, 'gus', 'GET', `/definitions/${id}/versions/1.0.0/review`)).status).toBe(404);
    expect((await call(s, 'gus', 'GET', `/catalog/${id}`)).status).toBe(404);

    const open = await waitForReview(s, id, '1.0.0', allOpen);
    expect(open.reviews.map((r) => r.kind)).toEqual(['security', 'performance', 'docs']);
    // the queue lists it for the reviewers, not for tenant users
    const q = await call<{ items: { requestId: string; kind: string }[] }>(s, 'sam', 'GET', '/reviews?kind=security');
    expect(q.body.items.some((i) => i.requestId === open.requestId)).toBe(true);
    expect((await call(s, 'gus', 'GET', '/reviews')).status).toBe(403);

    // self-review, hostile rationales, the wrong team, spoofed reviewers
    expect((await decide('pat', id, 'security', { decision: 'approve', rationale: 'mine' })).status).toBe(403); // ROLE_REQUIRED: pat is no platform reviewer
    const blank = await decide('sam', id, 'security', { decision: 'approve', rationale: '   \n ' });
    expect([blank.status, blank.body.code]).toEqual([422, 'RATIONALE_REQUIRED']);
    const long = await decide('sam', id, 'security', { decision: 'approve', rationale: 'x'.repeat(4001) });
    expect([long.status, long.body.code]).toEqual([422, 'RATIONALE_REQUIRED']);
    const wrongTeam = await decide('dora', id, 'security', { decision: 'approve', rationale: 'Looks fine.' });
    expect([wrongTeam.status, wrongTeam.body.code]).toEqual([403, 'NOT_ELIGIBLE_REVIEWER']);
    // asking again is refused by the validator: no new activity, the history does not grow
    const securityId = `${open.requestId}/security`;
    const checks = async () => {
      const { events } = await s.client.workflow.getHandle(securityId).fetchHistory();
      return (events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkReviewer').length;
    };
    const before = await checks();
    for (let i = 0; i < 3; i++) {
      const again = await decide('dora', id, 'security', { decision: 'approve', rationale: 'Looks fine, really.' });
      expect([again.status, again.body.code]).toEqual([403, 'NOT_ELIGIBLE_REVIEWER']);
    }
    expect(await checks()).toBe(before);
    const ownTeam = await decide('pia', id, 'performance', { decision: 'approve', rationale: 'Fast enough.' });
    expect([ownTeam.status, ownTeam.body.code]).toEqual([403, 'NOT_ELIGIBLE_REVIEWER']);
    const spoof = await decide('sam', id, 'security', { decision: 'approve', rationale: 'ok', reviewer: { sub: 'sky' } });
    // the body's reviewer is ignored (the token decides who decides)
    expect(spoof.status).toBe(200);
    expect((spoof.body as unknown as { reviewer: { sub: string } }).reviewer.sub).toBe('sam');
    // one approval is a medium version's security quorum: that kind is decided
    const again = await decide('sky', id, 'security', { decision: 'approve', rationale: 'again' });
    expect([again.status, again.body.code]).toEqual([409, 'REVIEW_NOT_OPEN']);
    // own team may review docs: pia (pat's team) approves the docs
    expect((await decide('pia', id, 'docs', { decision: 'approve', rationale: 'Documented.' })).status).toBe(200);
    expect((await decide('perry', id, 'performance', { decision: 'approve', rationale: 'Within budget.' })).status).toBe(200);

    const done: ReviewView = await waitForReview(s, id, '1.0.0', ended);
    expect(done.status).toBe('passed');
    const [after] = await s.sql<{ visibility: string; review_state: string; reviewed_at: Date | null }[]>`
      select visibility, review_state, reviewed_at from workflow_version where definition_id = ${id}`;
    expect(after!.visibility).toBe('public-ecosystem');
    expect(after!.review_state).toBe('passed');
    expect(after!.reviewed_at).not.toBeNull();
    expect((await s.sql`select visibility from workflow_template where id = ${id}`)[0]!.visibility).toBe('public-ecosystem');
    expect((await call(s, 'gus', 'GET', `/definitions/${id}/versions/1.0.0/review`)).status).toBe(200);
    const closed = await decide('sky', id, 'security', { decision: 'approve', rationale: 'late' });
    expect([closed.status, closed.body.code]).toEqual([409, 'REVIEW_NOT_OPEN']);

    const eb = await call<{ bundle: EvidenceBundle; digest: string; signature: SigstoreBundleJson; verification: { ok: boolean } }>(s, 'gus', 'GET', `/definitions/${id}/versions/1.0.0/review/evidence-bundle`);
    expect(eb.status).toBe(200);
    expect(eb.body.bundle.outcome).toBe('passed');
    expect(eb.body.digest).toBe(contentDigest(eb.body.bundle));
    expect(eb.body.verification.ok).toBe(true);
    // the signed evidence bundle verifies with the published keys (H1's verifyBundle) …
    const keys = await listPublicKeys(s.sql);
    const expectPlatform = { subjectDigest: eb.body.digest, keyOwner: PLATFORM_KEY_OWNER, predicateType: PREDICATE_TYPES.evidence };
    expect(verifyBundle(eb.body.signature, keys, expectPlatform).ok).toBe(true);
    // … and not once a decision in it is changed, nor as a publisher's signature
    const tampered = structuredClone(eb.body.bundle);
    tampered.reviews[0]!.decisions[0]!.rationale = 'Approved blind.';
    const t = verifyBundle(eb.body.signature, keys, { ...expectPlatform, subjectDigest: contentDigest(tampered) });
    expect(t.ok).toBe(false);
    expect(t.checks.find((c) => !c.ok)?.check).toBe('subject');
    expect(verifyBundle(eb.body.signature, keys, { ...expectPlatform, keyOwner: { kind: 'publisher', id: 'acme' } }).ok).toBe(false);
    // every item carries its digest and the workflow/run that produced it; the controls name their evidence
    for (const r of eb.body.bundle.reviews) {
      for (const item of r.evidence) {
        expect(item.digest).toBe(contentDigest({ id: item.id, ok: item.ok, reason: item.reason, ...(item.data !== undefined ? { data: item.data } : {}) }));
        expect(item.producedBy.workflowId).toBe(`${open.requestId}/${r.kind}`);
      }
    }
    expect(eb.body.bundle.controls.map((c) => c.id)).toEqual(expect.arrayContaining(['no-literal-secrets', 'egress-declared-hosts', 'p95-under-budget', 'documented-parameters']));
    // the route checks the stored bundle itself, not only its signature: a changed row does not show as verified
    await s.sql`update review_request set evidence_bundle = jsonb_set(evidence_bundle, '{outcome}', '"failed"') where workflow_id = ${open.requestId}`;
    const changed = await call<{ verification: { ok: boolean; checks: { check: string; ok: boolean; message: string }[] } }>(s, 'gus', 'GET', `/definitions/${id}/versions/1.0.0/review/evidence-bundle`);
    expect(changed.body.verification.ok).toBe(false);
    expect(changed.body.verification.checks.find((c) => !c.ok)).toMatchObject({ check: 'subject', message: expect.stringContaining('not its recorded') });
    await s.sql`update review_request set evidence_bundle = ${s.sql.json(eb.body.bundle as never)} where workflow_id = ${open.requestId}`;
    // the review's receipt: sealed, signed with the platform key
    expect(done.receiptId).toBeDefined();
    const receipt = await call<{ lifecycle: string; verification: { ok: boolean }; decisions: { decision: string }[] }>(s, 'pat', 'GET', `/receipts/${done.receiptId}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body.lifecycle).toBe('review');
    expect(receipt.body.verification.ok).toBe(true);
    expect(receipt.body.decisions.map((d) => d.decision)).toEqual(expect.arrayContaining(['security:approve', 'performance:approve', 'docs:approve']));
  }, 180_000);

  it('enforces the quorum per risk: a critical version needs two security reviewers', async () => {
    const spec = reviewSpec('critical');
    const pat = s.as('pat');
    const { body: draft } = await pat.createDraft(spec);
    const id = draft.definitionId;
    await call(s, 'pat', 'POST', `/definitions/${id}/publish-requests`, { version: '1.0.0', visibility: 'partner-curated' });
    expect(await pat.waitForPublish(id, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid'])).toBe('awaiting_approval');
    // a critical publish takes two tenant approvals (publish.rego), then the platform review
    await s.as('bob').decide(id, '1.0.0', 'approve', 'Tenant approval one.');
    await s.as('root').decide(id, '1.0.0', 'approve', 'Tenant approval two.');
    expect(await pat.waitForPublish(id, '1.0.0', ['published', 'rejected'])).toBe('published');
    const open = await waitForReview(s, id, '1.0.0', allOpen);
    expect(open.reviews.map((r) => [r.kind, r.quorum])).toEqual([['security', 2], ['performance', 1], ['docs', 1]]);

    expect((await decide('sam', id, 'security', { decision: 'approve', rationale: 'First security approval.' })).status).toBe(200);
    const one = await waitForReview(s, id, '1.0.0', (r) => r.reviews[0]!.decisions.length === 1);
    expect(one.reviews[0]!.status).toBe('open');
    const twice = await decide('sam', id, 'security', { decision: 'approve', rationale: 'Me again.' });
    expect([twice.status, twice.body.code]).toEqual([409, 'ALREADY_DECIDED']);
    expect((await decide('perry', id, 'performance', { decision: 'approve', rationale: 'Within budget.' })).status).toBe(200);
    expect((await decide('dora', id, 'docs', { decision: 'approve', rationale: 'Documented.' })).status).toBe(200);
    // one security approval short: still in review, still internal-only
    expect((await waitForReview(s, id, '1.0.0', (r) => r.reviews.slice(1).every((k) => k.status === 'passed'))).status).toBe('in_review');
    expect((await s.sql`select visibility from workflow_version where definition_id = ${id}`)[0]!.visibility).toBe('internal-only');
    expect((await decide('sky', id, 'security', { decision: 'approve', rationale: 'Second security approval.' })).status).toBe(200);
    const done = await waitForReview(s, id, '1.0.0', ended);
    expect(done.status).toBe('passed');
    expect(done.reviews[0]!.decisions.map((d) => d.reviewer.sub)).toEqual(['sam', 'sky']);
  }, 180_000);

  it('a failed review is re-requested by the publisher as a new attempt; another tenant cannot', async () => {
    const id = await publishTemplate(s, reviewSpec(), { visibility: 'public-ecosystem', review: false });
    await waitForReview(s, id, '1.0.0', allOpen);
    expect((await decide('sam', id, 'security', { decision: 'reject', rationale: 'Calls an undeclared host.' })).status).toBe(200);
    const failed = await waitForReview(s, id, '1.0.0', ended);
    expect([failed.status, failed.reason]).toEqual(['failed', 'the security review failed']);
    expect(failed.reviews.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect((await call(s, 'gus', 'POST', `/definitions/${id}/versions/1.0.0/review-requests`, { visibility: 'public-ecosystem' })).status).toBe(403);
    // only the profile the publish asked for (and its policy allowed)
    const other = await call(s, 'pat', 'POST', `/definitions/${id}/versions/1.0.0/review-requests`, { visibility: 'partner-curated' });
    expect([other.status, other.body.code]).toEqual([409, 'PROFILE_MISMATCH']);
    const again = await call<{ workflowId: string; status: string }>(s, 'pat', 'POST', `/definitions/${id}/versions/1.0.0/review-requests`, { visibility: 'public-ecosystem' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ workflowId: `review/${id}@1.0.0/2`, status: 'started' });
    // a second request while it runs joins it
    const join = await call<{ workflowId: string; status: string }>(s, 'pat', 'POST', `/definitions/${id}/versions/1.0.0/review-requests`, { visibility: 'public-ecosystem' });
    expect(join.body).toMatchObject({ workflowId: `review/${id}@1.0.0/2`, status: 'pending' });
    const passed = await passReview(s, id, '1.0.0');
    expect(passed.requestId).toBe(`review/${id}@1.0.0/2`);
    const after = await call(s, 'pat', 'POST', `/definitions/${id}/versions/1.0.0/review-requests`, { visibility: 'partner-curated' });
    expect([after.status, after.body.code]).toEqual([409, 'ALREADY_REVIEWED']);
  }, 180_000);

  it("the own-team rule covers the author's team (from the draft's token), not only the requester's", async () => {
    // alice (people-ops) drafts, pat (platform) publishes
    const id = await publishTemplate(s, reviewSpec('medium'), { visibility: 'public-ecosystem', review: false, author: 'alice' });
    const open = await waitForReview(s, id, '1.0.0', allOpen);
    const [req] = await s.sql<{ own_teams: string[] }[]>`select own_teams from review_request where workflow_id = ${open.requestId}`;
    expect(req!.own_teams).toEqual(['people-ops', 'platform']);
    expect((await s.sql`select created_by, created_by_team from workflow_version where definition_id = ${id}`)[0]).toEqual({ created_by: 'alice', created_by_team: 'people-ops' });
    expect((await decide('sam', id, 'security', { decision: 'reject', rationale: 'Closing this test review.' })).status).toBe(200);
    await waitForReview(s, id, '1.0.0', ended);
  }, 180_000);

  it('a version published internal-only cannot be offered through a review request', async () => {
    const id = await publishTemplate(s, reviewSpec(), { visibility: 'internal-only' });
    const res = await call(s, 'pat', 'POST', `/definitions/${id}/versions/1.0.0/review-requests`, { visibility: 'public-ecosystem' });
    expect([res.status, res.body.code]).toEqual([409, 'NO_MARKETPLACE_PROFILE']);
    expect((await s.sql`select review_state, review_workflow_id from workflow_version where definition_id = ${id}`)[0]).toEqual({ review_state: 'none', review_workflow_id: null });
  }, 120_000);

  it('makes marketplace visibility without a passed review impossible in the database', async () => {
    const spec = reviewSpec();
    const id = await publishTemplate(s, spec, { visibility: 'partner-curated', review: false });
    const err = await s.sql`update workflow_version set visibility = 'partner-curated' where definition_id = ${id}`.catch((e: { code?: string; constraint_name?: string }) => e);
    expect((err as { code?: string }).code).toBe(PG.checkViolation);
    expect((err as { constraint_name?: string }).constraint_name).toBe('workflow_version_marketplace_reviewed');
  }, 120_000);
});
