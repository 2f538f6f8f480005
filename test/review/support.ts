import { expect } from 'vitest';
import type { Stack } from '../support/stack.ts';
import { call, type User } from '../marketplace/support.ts';
import type { EvidenceItem, ReviewDecisionRecord, ReviewKind } from '../../domain/trust.ts';

export interface ReviewView {
  requestId: string;
  status: string;
  requestedVisibility: string;
  reason?: string;
  workflowId: string;
  runId: string;
  reviews: { kind: ReviewKind; status: string; quorum: number; group: string; workflowId: string; evidence: EvidenceItem[]; decisions: ReviewDecisionRecord[]; deadlineAt?: string; escalatedAt?: string }[];
  controls: { id: string; satisfied: boolean; evidence: string[] }[];
  evidenceDigest?: string;
  receiptId?: string;
}

/** Polls GET …/review (as `user`, default sam) until `ready` holds for it. */
export async function waitForReview(s: Stack, id: string, version: string, ready: (r: ReviewView) => boolean, user: User = 'sam', timeoutMs = 90_000): Promise<ReviewView> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const res = await call<ReviewView>(s, user, 'GET', `/definitions/${id}/versions/${version}/review`);
    last = res;
    if (res.status === 200 && ready(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`review of ${id}@${version} not ready; last: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every kind open for decisions (its evidence gathered). */
export const allOpen = (r: ReviewView) => r.reviews.length === 3 && r.reviews.every((k) => k.status === 'open' || k.status === 'escalated');
/** The request decided and its lifecycle done: the receipt is its last step. */
export const ended = (r: ReviewView) => ['passed', 'failed', 'expired'].includes(r.status) && !!r.receiptId;

/** The demo reviewers of each kind: two security reviewers for a critical version's quorum. */
export const DEMO_REVIEWERS: Record<ReviewKind, User[]> = { security: ['sam', 'sky'], performance: ['perry'], docs: ['dora'] };

/**
 * Drives the version's pending marketplace review to a pass: waits until each kind is open,
 * then the demo reviewers approve (sam, and sky when two are needed; perry; dora). Returns
 * the passed review.
 */
export async function passReview(s: Stack, id: string, version: string): Promise<ReviewView> {
  const open = await waitForReview(s, id, version, allOpen);
  for (const k of open.reviews) {
    for (const user of DEMO_REVIEWERS[k.kind].slice(0, k.quorum)) {
      const res = await call(s, user, 'POST', `/definitions/${id}/versions/${version}/review/${k.kind}/decisions`, { decision: 'approve', rationale: `${k.kind} evidence reviewed by ${user}.` });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  }
  const done = await waitForReview(s, id, version, ended);
  expect(done.status, done.reason).toBe('passed');
  return done;
}
