/**
 * Trust: signed bundles, receipts, reviews and certification (issue 12). The shared
 * contract of the signing, review, certification and install code and of the Switchboard.
 * Pure types and constants; the implementations live in platform/signing.ts,
 * platform/receipts.ts, workflows/review.ts and workflows/certify.ts.
 */
import type { Visibility } from './access.ts';

// ---------------------------------------------------------------------------------------
// Signing

/** Who a key signs for: the platform (evidence, receipts, certifications) or a publishing tenant (its versions). */
export type KeyOwner = { kind: 'platform'; id: 'platform' } | { kind: 'publisher'; id: string };

export const PLATFORM_KEY_OWNER: KeyOwner = { kind: 'platform', id: 'platform' };

/** A published public key: one of the trust roots (`GET /trust/keys`). */
export interface SigningKeyView {
  /** the bundle's public-key hint */
  keyId: string;
  owner: KeyOwner;
  algorithm: 'ecdsa-p256-sha256';
  /** SPKI, PEM */
  publicKeyPem: string;
  status: 'active' | 'retired';
  createdAt: string;
  retiredAt?: string;
}

/** A standard Sigstore bundle (v0.3, DSSE envelope with an in-toto statement), as JSON. */
export interface SigstoreBundleJson {
  mediaType: string;
  verificationMaterial: { publicKey?: { hint: string }; [k: string]: unknown };
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
}

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The predicate types Maestro signs. */
export const PREDICATE_TYPES = {
  version: 'https://maestro-conductor.dev/attestation/workflow-version/v1',
  evidence: 'https://maestro-conductor.dev/attestation/review-evidence/v1',
  certification: 'https://maestro-conductor.dev/attestation/certification/v1',
  receipt: 'https://maestro-conductor.dev/attestation/lifecycle-receipt/v1',
} as const;
export type PredicateKind = keyof typeof PREDICATE_TYPES;

export interface InTotoStatement<P = unknown> {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  /** name: `<definition>@<version>`, an instance id, a receipt id…; digest: { sha256: hex } */
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: P;
}

/** One check of a verification, named so a failure says what did not match. */
export type VerificationCheck = 'bundle' | 'key' | 'signature' | 'statement' | 'subject' | 'history';

export interface VerificationResult {
  ok: boolean;
  checks: { check: VerificationCheck; ok: boolean; message: string }[];
  keyId?: string;
  keyOwner?: KeyOwner;
  predicateType?: string;
  /** the subject the statement names */
  subject?: { name: string; digest: string };
}

/** Stable codes of refused verifications (install, upgrade, POST /trust/verify). */
export const TRUST_CODES = {
  bundleMalformed: 'BUNDLE_MALFORMED',
  signatureInvalid: 'SIGNATURE_INVALID',
  keyUntrusted: 'KEY_UNTRUSTED',
  keyOwnerMismatch: 'KEY_OWNER_MISMATCH',
  subjectDigestMismatch: 'SUBJECT_DIGEST_MISMATCH',
  historyDigestMismatch: 'HISTORY_DIGEST_MISMATCH',
  unsigned: 'VERSION_UNSIGNED',
  reviewRequired: 'REVIEW_REQUIRED',
  certificationRequired: 'CERTIFICATION_REQUIRED',
} as const;

// ---------------------------------------------------------------------------------------
// Receipts

export const RECEIPT_LIFECYCLES = ['publish', 'review', 'certify', 'install', 'upgrade', 'uninstall', 'curate'] as const;
export type ReceiptLifecycle = (typeof RECEIPT_LIFECYCLES)[number];

/** A decision as a receipt records it: the rationale only by its digest. */
export interface ReceiptDecision {
  actor: { sub: string; tenant: string };
  decision: string;
  at: string;
  rationaleDigest?: string;
}

/** The receipt's predicate (what is signed), and the body of `GET /receipts/{id}`. */
export interface ReceiptBody {
  receiptId: string;
  lifecycle: ReceiptLifecycle;
  tenantId: string;
  workflowId: string;
  runId: string;
  subject: { name: string; digest: string };
  decisions: ReceiptDecision[];
  /**
   * sha256 over the canonical JSON of history events 1..lastEventId (Temporal's proto JSON
   * of each event, payloads as stored, i.e. encrypted), so re-fetching the history
   * reproduces it; the receipt is written by an activity whose own scheduled event is lastEventId.
   */
  history: { algorithm: 'sha256-canonical-events-v1'; digest: string; lastEventId: number };
  /** sha256 of the canonical JSON of the lifecycle's own record of what it decided and bound (bindings, policy results…) */
  detailsDigest?: string;
  createdAt: string;
}

/** `GET /receipts/{id}`: the receipt, its bundle and the server's verification of it. */
export interface ReceiptView extends ReceiptBody {
  bundle: SigstoreBundleJson;
  keyId: string;
  verification: VerificationResult;
  temporalUrl: string;
}

// ---------------------------------------------------------------------------------------
// Reviews

export const REVIEW_KINDS = ['security', 'performance', 'docs'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
export type ReviewStatus = 'gathering' | 'open' | 'escalated' | 'passed' | 'failed' | 'expired';
export type ReviewRequestStatus = 'gathering' | 'in_review' | 'passed' | 'failed' | 'expired';

/** One automated check of a review's evidence. */
export interface EvidenceItem {
  /** stable, e.g. `security.literal-secrets`, `performance.p95`, `docs.parameters-documented` */
  id: string;
  kind: ReviewKind;
  title: string;
  ok: boolean;
  reason: string;
  /** the data the check looked at (bounded) */
  data?: unknown;
  /** sha256 of the canonical JSON of { id, ok, reason, data } */
  digest: string;
  producedBy: { workflowId: string; runId: string; activity?: string };
}

export interface ReviewDecisionRecord {
  reviewer: { sub: string; tenant: string; team?: string; name?: string };
  decision: 'approve' | 'reject';
  rationale: string;
  at: string;
  group: 'primary' | 'escalation';
}

/** A control of the control catalog (domain/controls.ts) and whether the evidence satisfies it. */
export interface ControlOutcome {
  id: string;
  title: string;
  satisfied: boolean;
  /** evidence item ids the control rests on */
  evidence: string[];
}

/** The canonical evidence bundle of a review request (signed with the platform key). */
export interface EvidenceBundle {
  subject: { name: string; digest: string };
  requestedVisibility: Exclude<Visibility, 'internal-only'>;
  outcome: 'passed' | 'failed' | 'expired';
  workflowId: string;
  runId: string;
  reviews: {
    kind: ReviewKind;
    workflowId: string;
    runId: string;
    status: ReviewStatus;
    quorum: number;
    evidence: EvidenceItem[];
    decisions: ReviewDecisionRecord[];
  }[];
  controls: ControlOutcome[];
  createdAt: string;
}

/** Validator codes of the review decision Update (the validator's message starts with one). */
export const REVIEW_CODES = {
  selfReview: 'SELF_REVIEW',
  rationaleRequired: 'RATIONALE_REQUIRED',
  notEligible: 'NOT_ELIGIBLE_REVIEWER',
  notOpen: 'REVIEW_NOT_OPEN',
  alreadyDecided: 'ALREADY_DECIDED',
} as const;

// ---------------------------------------------------------------------------------------
// Certification

export type CertificationStatus = 'checking' | 'certified' | 'refused' | 'overdue' | 'superseded' | 'revoked';

export interface ChecklistItem {
  /** stable, matches docs/certification.md */
  id: string;
  title: string;
  ok: boolean;
  reason: string;
  evidence?: string[];
}

/** Trust facts of a version, as list rows, cards and details show them. */
export interface TrustSummary {
  signed: { keyId: string; owner: KeyOwner; verified: boolean } | null;
  review: { state: 'none' | 'pending' | 'passed' | 'failed' | 'expired'; reviewers: string[]; reviewedAt?: string; requestId?: string };
  certification: { status: CertificationStatus | 'none'; certifiedBy?: string; certifiedAt?: string; expiresAt?: string; overdue: boolean };
}
