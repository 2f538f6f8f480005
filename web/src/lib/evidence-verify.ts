/**
 * A review's evidence bundle verified in the browser: signed by a platform key over a
 * review-evidence statement whose subject is the version's name with the evidence bundle's
 * digest, the signed predicate equal to the evidence bundle shown (and downloaded), and the
 * bundle about the version's content digest.
 */
import { canonicalJson } from '../../../domain/canonical-json.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type EvidenceBundle, type SigningKeyView, type SigstoreBundleJson, type VerificationResult } from '../../../domain/trust.ts';
import { digestHex, shortDigest, verifyBundleInBrowser } from './dsse.ts';

const canonical = (v: unknown) => {
  try {
    return canonicalJson(v);
  } catch {
    return undefined;
  }
};

export async function verifyEvidenceInBrowser(
  evidence: EvidenceBundle,
  signature: SigstoreBundleJson,
  keys: readonly SigningKeyView[],
  expect: { subjectName: string; evidenceDigest: string; versionDigest?: string },
): Promise<VerificationResult> {
  const { statement, ...result } = await verifyBundleInBrowser(signature, keys, {
    keyOwner: PLATFORM_KEY_OWNER,
    predicateType: PREDICATE_TYPES.evidence,
    subjectName: expect.subjectName,
    subjectDigest: expect.evidenceDigest,
  });
  if (!result.ok) return result;
  const predicate = (statement as { predicate?: unknown } | undefined)?.predicate;
  const same = predicate !== undefined && canonical(predicate) !== undefined && canonical(predicate) === canonical(evidence);
  const checks: VerificationResult['checks'] = [
    ...result.checks,
    same
      ? { check: 'statement', ok: true, message: 'the signed evidence is the evidence shown' }
      : { check: 'statement', ok: false, message: 'the evidence shown differs from the signed evidence' },
  ];
  if (same && expect.versionDigest !== undefined) {
    const about = digestHex(evidence.subject.digest) === digestHex(expect.versionDigest);
    checks.push(
      about
        ? { check: 'subject', ok: true, message: `the evidence is about the version's content ${shortDigest(expect.versionDigest)}` }
        : { check: 'subject', ok: false, message: `the evidence is about ${shortDigest(evidence.subject.digest)}, not the version's ${shortDigest(expect.versionDigest)}` },
    );
  }
  return { ...result, ok: checks.every((c) => c.ok), checks };
}
