/**
 * A review's evidence bundle verified in the browser: signed by a platform key over a
 * review-evidence statement naming the version and its content digest, and the signed
 * predicate equal to the evidence bundle shown (and downloaded).
 */
import { canonicalJson } from '../../../domain/canonical-json.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type EvidenceBundle, type SigningKeyView, type SigstoreBundleJson, type VerificationResult } from '../../../domain/trust.ts';
import { verifyBundleInBrowser } from './dsse.ts';

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
  expect: { subjectName: string; subjectDigest?: string },
): Promise<VerificationResult> {
  const { statement, ...result } = await verifyBundleInBrowser(signature, keys, { keyOwner: PLATFORM_KEY_OWNER, predicateType: PREDICATE_TYPES.evidence, ...expect });
  if (!result.ok) return result;
  const predicate = (statement as { predicate?: unknown } | undefined)?.predicate;
  const same = predicate !== undefined && canonical(predicate) !== undefined && canonical(predicate) === canonical(evidence);
  return {
    ...result,
    ok: same,
    checks: [
      ...result.checks,
      same
        ? { check: 'statement', ok: true, message: 'the signed evidence is the evidence shown' }
        : { check: 'statement', ok: false, message: 'the evidence shown differs from the signed evidence' },
    ],
  };
}
