import { action, query } from '@solidjs/router';
import type {
  CertificationStatus,
  ReceiptLifecycle,
  ReceiptView,
  SigningKeyView,
  SigstoreBundleJson,
  VerificationResult,
} from '../../../domain/trust.ts';
import type { CertificationView } from '../../../domain/certification.ts';
import { apiFetch } from './api.ts';

export type { ReceiptView, SigningKeyView, VerificationResult };

const versionPath = (id: string, version: string) => `/api/definitions/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`;

/** The published trust roots: every signing key, active and retired (anonymous). */
export const trustKeys = query(() => apiFetch<{ keys: SigningKeyView[] }>('/api/trust/keys'), 'trustKeys');

/** `GET …/signature`: a version's bundle, its key, the digest it names and the API's verification. */
export interface VersionSignature {
  bundle: SigstoreBundleJson;
  keyId: string;
  keyOwner: SigningKeyView['owner'];
  digest: string;
  verification: VerificationResult;
}

export const versionSignature = query((id: string, version: string) => apiFetch<VersionSignature>(`${versionPath(id, version)}/signature`), 'versionSignature');

export interface ReceiptFilter {
  subject?: string;
  workflowId?: string;
  lifecycle?: ReceiptLifecycle;
  limit?: number;
}

export function receiptsPath(f: ReceiptFilter): string {
  const p = new URLSearchParams();
  if (f.subject) p.set('subject', f.subject);
  if (f.workflowId) p.set('workflowId', f.workflowId);
  if (f.lifecycle) p.set('lifecycle', f.lifecycle);
  if (f.limit) p.set('limit', String(f.limit));
  const qs = p.toString();
  return `/api/receipts${qs ? `?${qs}` : ''}`;
}

export const receipts = query((f: ReceiptFilter) => apiFetch<{ items: ReceiptView[] }>(receiptsPath(f)), 'receipts');

/** `GET …/certification`: the version's newest certification and its checklist. */
export type { CertificationView };

export const certification = query((id: string, version: string) => apiFetch<CertificationView>(`${versionPath(id, version)}/certification`), 'certification');

export interface CertifyStarted {
  workflowId: string;
  runId: string;
  status: string;
  temporalUrl: string;
}

/** A platform certifier runs the checklist over a reviewed version (409 REVIEW_REQUIRED when it is not). */
export const certifyVersion = action(
  (input: { definitionId: string; version: string; rationale: string }) =>
    apiFetch<CertifyStarted>(`${versionPath(input.definitionId, input.version)}/certifications`, { method: 'POST', body: { rationale: input.rationale } }),
  'certifyVersion',
);

export const CERTIFICATION_LABELS: Record<CertificationStatus | 'none', string> = {
  none: 'not certified',
  checking: 'checking',
  certified: 'certified',
  refused: 'refused',
  overdue: 'review overdue',
  superseded: 'superseded',
  revoked: 'revoked',
};
