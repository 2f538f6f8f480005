/**
 * Certification of a workflow version (issue 12): the checklist of docs/certification.md,
 * the lifecycle's input and result, and the pure rules the workflow, the API and the
 * read models share. Pure: imported by workflow code too.
 */
import type { Actor } from './actor.ts';
import type { CertificationStatus, ChecklistItem, KeyOwner, TrustSummary } from './trust.ts';

/**
 * The checklist's items, by their stable ids (docs/certification.md documents each: what it
 * checks and the evidence it rests on). `carry` marks the items a patch version must still
 * pass itself when it carries over the certification of the version it patches.
 */
export const CHECKLIST = [
  { id: 'review-passed', title: 'The version passed the security, performance and docs reviews', carry: true },
  { id: 'signature-verifies', title: "The version's signature verifies with its publisher's key", carry: true },
  { id: 'evidence-verifies', title: "The review's signed evidence bundle verifies and names this version", carry: true },
  { id: 'controls-satisfied', title: 'Every control of the evidence bundle is satisfied', carry: false },
  { id: 'health-within-budget', title: 'Runs fail less often than the failing threshold', carry: false },
  { id: 'docs-complete', title: 'Description, every parameter and a changelog entry are documented', carry: false },
  { id: 'no-critical-warnings', title: 'No open critical warning (deprecated, archived, revoked)', carry: true },
  { id: 'certifier-independent', title: 'The certifier is neither the author nor the publish requester', carry: true },
] as const;
export type ChecklistItemId = (typeof CHECKLIST)[number]['id'];

export const CERTIFY_CODES = {
  inProgress: 'CERTIFICATION_IN_PROGRESS',
  rationaleRequired: 'RATIONALE_REQUIRED',
  versionNotPublished: 'VERSION_NOT_PUBLISHED',
  notFound: 'CERTIFICATION_NOT_FOUND',
} as const;

/** A certifier's rationale: required, trimmed, bounded. */
export const CERTIFY_RATIONALE_MAX = 4_000;

/** Default certification lifetime (CERTIFICATION_TTL). */
export const DEFAULT_CERTIFICATION_TTL = '180d';

/** `certify/<definition>@<version>/<n>`: n counts the version's certification attempts from 1. */
export const certifyWorkflowId = (definitionId: string, version: string, attempt: number) => `certify/${definitionId}@${version}/${attempt}`;

export function parseCertifyWorkflowId(id: string): { definitionId: string; version: string; attempt: number } | undefined {
  const m = /^certify\/([^/@]+)@([^/]+)\/(\d+)$/.exec(id);
  return m ? { definitionId: m[1]!, version: m[2]!, attempt: Number(m[3]) } : undefined;
}

export interface CertifyInput {
  definitionId: string;
  version: string;
  /** the n of the workflow id */
  attempt: number;
  requestedBy: Actor;
  rationale: string;
  /** CERTIFICATION_TTL in milliseconds, fixed when the certification starts */
  ttlMs: number;
}

/** What certify.rego decides from the checklist. */
export interface CertifyDecision {
  outcome: 'certified' | 'refused';
  /** a patch that carries over the certification of this earlier version */
  carriedFrom?: string;
  reasons: string[];
}

export interface CertifyResult {
  status: Extract<CertificationStatus, 'certified' | 'refused' | 'overdue' | 'superseded' | 'revoked'>;
  definitionId: string;
  version: string;
  checklist: ChecklistItem[];
  decision?: CertifyDecision;
  certifiedAt?: string;
  expiresAt?: string;
  carriedFrom?: string;
  receiptId?: string;
  /** the certification that superseded this one */
  supersededBy?: string;
}

/** The live state of a certify workflow (its `state` query). */
export interface CertifyState {
  status: CertificationStatus;
  checklist: ChecklistItem[];
  certifiedAt?: string;
  expiresAt?: string;
  carriedFrom?: string;
}

/** `GET /definitions/{id}/versions/{version}/certification`. */
export interface CertificationView {
  status: CertificationStatus;
  checklist: ChecklistItem[];
  certifiedBy?: string;
  certifiedAt?: string;
  expiresAt?: string;
  carriedFrom?: string;
  rationale?: string;
  workflowId: string;
  runId: string;
  temporalUrl: string;
  receiptId?: string;
}

/** Milliseconds of a CERTIFICATION_TTL such as `180d`, `4320h`, `30m`. */
export function ttlMs(value: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) throw new Error(`not a duration: ${value}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}

/** The catalog's certification state of a version's certification row (workflow_template.certification_state). */
export function templateCertificationState(status: CertificationStatus | 'none'): 'none' | 'certified' | 'stale' | 'revoked' {
  if (status === 'certified') return 'certified';
  if (status === 'overdue') return 'stale';
  if (status === 'revoked') return 'revoked';
  return 'none';
}

/** A version's trust facts as the read models load them (platform/trust-summary.ts). */
export interface TrustFacts {
  signatureKeyId: string | null;
  signatureOwner: KeyOwner;
  signatureVerified: boolean;
  reviewState: TrustSummary['review']['state'];
  reviewers: string[];
  reviewedAt?: string;
  reviewRequestId?: string;
  certification?: { status: CertificationStatus; certifiedBy?: string; certifiedAt?: string; expiresAt?: string };
}

/** The summary list rows, cards and details show. A certification past its expiry is overdue even before its timer fired. */
export function trustSummary(f: TrustFacts | undefined, now: Date): TrustSummary {
  if (!f) return { signed: null, review: { state: 'none', reviewers: [] }, certification: { status: 'none', overdue: false } };
  const c = f.certification;
  const live = c && (c.status === 'certified' || c.status === 'overdue');
  const expired = !!c?.expiresAt && Date.parse(c.expiresAt) <= now.getTime();
  const status: TrustSummary['certification']['status'] = !c ? 'none' : c.status === 'certified' && expired ? 'overdue' : c.status;
  return {
    signed: f.signatureKeyId ? { keyId: f.signatureKeyId, owner: f.signatureOwner, verified: f.signatureVerified } : null,
    review: {
      state: f.reviewState,
      reviewers: f.reviewers,
      ...(f.reviewedAt ? { reviewedAt: f.reviewedAt } : {}),
      ...(f.reviewRequestId ? { requestId: f.reviewRequestId } : {}),
    },
    certification: {
      status,
      ...(c?.certifiedBy ? { certifiedBy: c.certifiedBy } : {}),
      ...(c?.certifiedAt ? { certifiedAt: c.certifiedAt } : {}),
      ...(c?.expiresAt ? { expiresAt: c.expiresAt } : {}),
      overdue: !!live && status === 'overdue',
    },
  };
}

/** The install warning of an overdue certification (install read model and install page). */
export const overdueWarning = (definitionId: string, version: string, expiresAt?: string) =>
  `review overdue: the certification of ${definitionId}@${version} expired${expiresAt ? ` on ${expiresAt.slice(0, 10)}` : ''} and awaits recertification`;
