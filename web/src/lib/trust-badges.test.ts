import { describe, expect, it } from 'vitest';
import type { TrustSummary } from '../../../domain/trust.ts';
import { trustBadges } from './trust-badges.ts';

const trust = (over: Partial<TrustSummary> = {}): TrustSummary => ({
  signed: null,
  review: { state: 'none', reviewers: [] },
  certification: { status: 'none', overdue: false },
  ...over,
});
const ids = (b: { id: string }[]) => b.map((x) => x.id);

describe('trustBadges', () => {
  it('earns nothing without a review, certification or signature', () => {
    expect(trustBadges({ trust: trust() })).toEqual([]);
    expect(trustBadges({ trust: undefined })).toEqual([]);
  });

  it('says who reviewed, who certified until when, and whose key signed', () => {
    const b = trustBadges({
      trust: trust({
        review: { state: 'passed', reviewers: ['sam', 'perry', 'dora'], reviewedAt: '2026-12-05T09:00:00Z' },
        certification: { status: 'certified', certifiedBy: 'cid', certifiedAt: '2026-12-05T10:00:00Z', expiresAt: '2027-06-03T10:00:00Z', overdue: false },
        signed: { keyId: 'k1', owner: { kind: 'publisher', id: 'acme' }, verified: true },
      }),
    });
    expect(ids(b)).toEqual(['reviewed', 'certified', 'signed']);
    expect(b[0]!.detail).toContain('sam, perry, dora');
    expect(b[1]!.label).toMatch(/^certified until /);
    expect(b[1]!.detail).toContain('cid');
    expect(b[2]!.label).toBe('signed · acme');
    expect(b[2]!.detail).toContain('k1');
  });

  it('turns an expired certification into "review overdue", never "certified"', () => {
    const b = trustBadges({ trust: trust({ certification: { status: 'overdue', expiresAt: '2026-01-01T00:00:00Z', overdue: true } }) });
    expect(ids(b)).toEqual(['review-overdue']);
    expect(b[0]!.tone).toBe('warn');
  });

  it("takes the browser's verification over the API's, both ways", () => {
    const signed = trust({ signed: { keyId: 'k1', owner: { kind: 'platform', id: 'platform' }, verified: true } });
    expect(ids(trustBadges({ trust: signed, browserVerified: false }))).toEqual(['signature-invalid']);
    const unverified = trust({ signed: { keyId: 'k1', owner: { kind: 'publisher', id: 'acme' }, verified: false } });
    expect(ids(trustBadges({ trust: unverified }))).toEqual(['signature-invalid']);
    expect(ids(trustBadges({ trust: unverified, browserVerified: true }))).toEqual(['signed']);
  });

  it('shows review states, deprecated and failing; unsigned only where asked', () => {
    expect(ids(trustBadges({ trust: trust({ review: { state: 'pending', reviewers: [] } }), status: 'deprecated', failing: true }))).toEqual([
      'review-pending',
      'deprecated',
      'failing',
    ]);
    expect(ids(trustBadges({ trust: trust(), showAbsent: true }))).toEqual(['unsigned']);
  });
});
