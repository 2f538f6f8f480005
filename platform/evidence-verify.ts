/**
 * The one check of a stored review evidence bundle, for the certification checklist and for
 * GET …/review/evidence-bundle: the bundle hashes to its recorded digest, names the
 * version's digest, and its platform signature is over this version's name, that digest,
 * and the very bundle (its predicate). Each failure names what did not match.
 */
import { contentDigest } from './digest.ts';
import { decodeStatement, verifyBundle } from './signing.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type EvidenceBundle, type SigningKeyView, type VerificationResult } from '../domain/trust.ts';

export interface StoredEvidence {
  bundle: EvidenceBundle;
  digest: string;
  signature: unknown;
}

export function verifyStoredEvidence(
  stored: StoredEvidence,
  keys: readonly SigningKeyView[],
  expect: { subjectName: string; versionDigest: string; trusted?: (k: SigningKeyView) => boolean },
): VerificationResult {
  const actual = contentDigest(stored.bundle);
  if (actual !== stored.digest) {
    return { ok: false, checks: [{ check: 'subject', ok: false, message: `the stored evidence bundle hashes to ${actual}, not its recorded ${stored.digest}` }] };
  }
  if (stored.bundle.subject?.digest !== expect.versionDigest) {
    return { ok: false, checks: [{ check: 'subject', ok: false, message: 'the evidence bundle names another digest than the version' }] };
  }
  if (!stored.signature) return { ok: false, checks: [{ check: 'bundle', ok: false, message: 'the evidence bundle is not signed' }] };
  const r = verifyBundle(stored.signature, keys, {
    subjectDigest: stored.digest,
    subjectName: expect.subjectName,
    keyOwner: PLATFORM_KEY_OWNER,
    predicateType: PREDICATE_TYPES.evidence,
    ...(expect.trusted ? { trusted: expect.trusted } : {}),
  });
  if (!r.ok) return r;
  const predicate = decodeStatement(stored.signature)?.predicate;
  const bound = predicate !== undefined && (contentDigest(predicate) === actual || (predicate as { evidenceDigest?: string }).evidenceDigest === actual);
  if (!bound) return { ...r, ok: false, checks: [...r.checks, { check: 'statement', ok: false, message: 'the signed evidence is not the stored evidence bundle' }] };
  return r;
}
