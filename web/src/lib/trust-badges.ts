/**
 * Which trust badges a version earns, from its TrustSummary (the read models) and what the
 * list already knows (status, health), with the line each badge says on hover. One
 * definition for catalog rows, marketplace cards and details.
 */
import type { KeyOwner, TrustSummary } from '../../../domain/trust.ts';
import { formatDate } from './format.ts';

export type TrustBadgeId =
  | 'reviewed'
  | 'review-pending'
  | 'review-failed'
  | 'review-expired'
  | 'certified'
  | 'review-overdue'
  | 'signed'
  | 'signature-invalid'
  | 'unsigned'
  | 'deprecated'
  | 'failing';

export type Tone = 'ok' | 'info' | 'warn' | 'danger';

export interface TrustBadge {
  id: TrustBadgeId;
  label: string;
  tone: Tone;
  /** the longer sentence: by whom, when, until when, which key */
  detail: string;
}

export interface TrustBadgeInput {
  trust?: TrustSummary | null;
  /** the entry's status (`deprecated`, `archived` …) */
  status?: string;
  /** a failure rate at or above the catalog's "failing" threshold (catalog-rules) */
  failing?: boolean;
  /** the signature as the browser verified it, when it did: overrides the API's `verified` */
  browserVerified?: boolean;
  /** show badges for a missing review/signature (details pages), not only the ones earned (lists) */
  showAbsent?: boolean;
}

const owner = (o: KeyOwner) => (o.kind === 'platform' ? 'the platform' : o.id);
const people = (names: string[]) => (names.length ? names.join(', ') : 'platform reviewers');

export function trustBadges(input: TrustBadgeInput): TrustBadge[] {
  const out: TrustBadge[] = [];
  const t = input.trust;
  const r = t?.review;
  const c = t?.certification;

  if (r?.state === 'passed') {
    const when = r.reviewedAt ? ` on ${formatDate(r.reviewedAt)}` : '';
    out.push({ id: 'reviewed', label: 'reviewed', tone: 'ok', detail: `Security, performance and docs review passed${when}, by ${people(r.reviewers)}` });
  } else if (r?.state === 'pending') {
    out.push({ id: 'review-pending', label: 'in review', tone: 'info', detail: 'A security, performance and docs review is under way' });
  } else if (r?.state === 'failed') {
    out.push({ id: 'review-failed', label: 'review failed', tone: 'danger', detail: 'A reviewer rejected the latest review request' });
  } else if (r?.state === 'expired') {
    out.push({ id: 'review-expired', label: 'review expired', tone: 'warn', detail: 'The review ran past its deadline without a decision' });
  }

  if (c && (c.overdue || c.status === 'overdue')) {
    const since = c.expiresAt ? ` since ${formatDate(c.expiresAt)}` : '';
    out.push({ id: 'review-overdue', label: 'review overdue', tone: 'warn', detail: `The certification expired${since}: it needs recertifying` });
  } else if (c?.status === 'certified') {
    const until = c.expiresAt ? ` until ${formatDate(c.expiresAt)}` : '';
    const by = c.certifiedBy ? ` by ${c.certifiedBy}` : '';
    out.push({ id: 'certified', label: c.expiresAt ? `certified until ${formatDate(c.expiresAt)}` : 'certified', tone: 'ok', detail: `Certified${by}${c.certifiedAt ? ` on ${formatDate(c.certifiedAt)}` : ''}${until}` });
  }

  const s = t?.signed;
  if (s) {
    const verified = input.browserVerified ?? s.verified;
    out.push(
      verified
        ? { id: 'signed', label: `signed · ${owner(s.owner)}`, tone: 'ok', detail: `Signed with ${owner(s.owner)}'s key ${s.keyId}; the signature verifies${input.browserVerified ? ' in this browser' : ''}` }
        : { id: 'signature-invalid', label: 'signature fails', tone: 'danger', detail: `The signature by ${owner(s.owner)}'s key ${s.keyId} does not verify` },
    );
  } else if (input.showAbsent && t) {
    out.push({ id: 'unsigned', label: 'unsigned', tone: 'warn', detail: 'This version carries no signature' });
  }

  if (input.status === 'deprecated' || input.status === 'archived') {
    out.push({ id: 'deprecated', label: input.status, tone: 'warn', detail: `The publisher ${input.status} this workflow` });
  }
  if (input.failing) out.push({ id: 'failing', label: 'failing', tone: 'danger', detail: 'Many of its recent runs failed' });
  return out;
}

