import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, type Stack } from '../support/stack.ts';
import { call, publishTemplate, templateSpec } from '../marketplace/support.ts';
import { allOpen, ended, waitForReview, type ReviewView } from './support.ts';
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

    const eb = await call<{ bundle: { outcome: string; controls: unknown[]; reviews: unknown[] }; digest: string }>(s, 'gus', 'GET', `/definitions/${id}/versions/1.0.0/review/evidence-bundle`);
    expect(eb.status).toBe(200);
    expect(eb.body.bundle.outcome).toBe('passed');
    expect(eb.body.digest).toMatch(/^sha256:/);
  }, 180_000);

  it('makes marketplace visibility without a passed review impossible in the database', async () => {
    const spec = reviewSpec();
    const id = await publishTemplate(s, spec, { visibility: 'partner-curated', review: false });
    const err = await s.sql`update workflow_version set visibility = 'partner-curated' where definition_id = ${id}`.catch((e: { code?: string; constraint_name?: string }) => e);
    expect((err as { code?: string }).code).toBe(PG.checkViolation);
    expect((err as { constraint_name?: string }).constraint_name).toBe('workflow_version_marketplace_reviewed');
  }, 120_000);
});
