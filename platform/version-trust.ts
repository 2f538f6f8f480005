/**
 * What an install (and an upgrade to a version) verifies before anything is bound, in one
 * place: the version's stored spec hashes to its digest; its signature bundle verifies with
 * its publisher's key, among the installing tenant's trust roots, over that digest; another
 * tenant's version passed its marketplace review; and, when the tenant requires it
 * (policies/install.rego `certification`), it is certified. Each refusal carries a stable
 * TRUST_CODES code. The install and upgrade lifecycles call it from their activities (so it
 * is in their history), the API's pre-checks call it to refuse early.
 */
import type { Sql } from './db.ts';
import type { PolicyEngine, InstallPolicyInput } from './opa.ts';
import { contentDigest } from './digest.ts';
import { listPublicKeys, tenantTrust } from './signing.ts';
import { fetchHistory, verifyReceipt, type WorkflowService } from './receipts.ts';
import { publisherOf, verifyVersionSignature } from './version-signature.ts';
import { conflict, inputError, notFound, type DomainError } from '../domain/errors.ts';
import { PLATFORM_KEY_OWNER, TRUST_CODES, type KeyOwner, type ReceiptBody, type SigningKeyView, type SigstoreBundleJson, type VerificationResult } from '../domain/trust.ts';
import type { CertificationStatus } from '../domain/trust.ts';
import type { SpecV1 } from '../domain/spec-types.ts';

export interface VersionTrustRow {
  definition_id: string;
  version: string;
  tenant_id: string;
  status: string;
  digest: string;
  spec: SpecV1;
  signature_bundle: SigstoreBundleJson | null;
  signature_key_id: string | null;
  review_state: 'none' | 'pending' | 'passed' | 'failed' | 'expired';
  visibility: string;
}

/** The TRUST_CODES code of a failed verification: the first failed check names it. */
export function trustCodeOf(result: VerificationResult, keys: readonly SigningKeyView[], expectedOwner: KeyOwner): string {
  const failed = result.checks.find((c) => !c.ok);
  switch (failed?.check) {
    case 'bundle':
      return TRUST_CODES.bundleMalformed;
    case 'key': {
      const key = keys.find((k) => k.keyId === result.keyId);
      if (key && (key.owner.kind !== expectedOwner.kind || key.owner.id !== expectedOwner.id)) return TRUST_CODES.keyOwnerMismatch;
      return TRUST_CODES.keyUntrusted;
    }
    case 'signature':
      return TRUST_CODES.signatureInvalid;
    case 'statement':
      return TRUST_CODES.bundleMalformed;
    case 'subject':
      return TRUST_CODES.subjectDigestMismatch;
    case 'history':
      return TRUST_CODES.historyDigestMismatch;
    default:
      return TRUST_CODES.signatureInvalid;
  }
}

/** A stored version row's signature, verified as `tenant` accepts it (its trust roots), with the publisher as the key's owner. */
export function verifyVersionRow(row: Pick<VersionTrustRow, 'definition_id' | 'version' | 'tenant_id' | 'digest' | 'signature_bundle'>, keys: readonly SigningKeyView[], trusted?: (k: SigningKeyView) => boolean): VerificationResult {
  return verifyVersionSignature(row.signature_bundle, keys, { definitionId: row.definition_id, version: row.version, tenantId: row.tenant_id, digest: row.digest }, trusted);
}

export async function loadVersionTrustRow(sql: Sql, definitionId: string, version: string): Promise<VersionTrustRow | undefined> {
  const [row] = await sql<VersionTrustRow[]>`
    select definition_id, version, tenant_id, status, digest, spec, signature_bundle, signature_key_id, review_state, visibility
    from workflow_version where definition_id = ${definitionId} and version = ${version}`;
  return row;
}

export interface VersionTrustOutcome {
  digest: string;
  keyId: string;
  keyOwner: KeyOwner;
  /** the certification part of the install decision (policies/install.rego) */
  certification: { status: CertificationStatus | 'none'; required: boolean; warnings: string[] };
  /** the publish receipt's check, when the caller could reach Temporal */
  provenance?: PublishReceiptCheck;
}

/** Where the publish lifecycle's history is read to recompute its receipt's digest. */
export interface HistorySource {
  service: WorkflowService;
  namespace: string;
}

/** The version's current certification status ('none' without one); an expired certification is overdue even before its timer fires. */
export async function currentCertification(sql: Sql, definitionId: string, version: string): Promise<{ status: CertificationStatus | 'none'; expiresAt?: Date }> {
  const [c] = await sql<{ status: CertificationStatus; expires_at: Date | null }[]>`
    select status, expires_at from certification
    where definition_id = ${definitionId} and version = ${version} and status in ('certified', 'overdue') limit 1`;
  if (!c) return { status: 'none' };
  const expired = c.expires_at !== null && c.expires_at.getTime() <= Date.now();
  return { status: c.status === 'certified' && expired ? 'overdue' : c.status, ...(c.expires_at ? { expiresAt: c.expires_at } : {}) };
}

/**
 * Verifies `definitionId@version` for an install (or upgrade) into `tenant`. Throws a
 * DomainError with a TRUST_CODES code (or DIGEST_MISMATCH / VERSION_NOT_FOUND) when it
 * must be refused; returns what was verified otherwise.
 */
export async function verifyVersionForInstall(
  sql: Sql,
  policy: PolicyEngine,
  tenant: string,
  definitionId: string,
  version: string,
  policyFacts: InstallPolicyInput,
  temporal?: HistorySource,
): Promise<VersionTrustOutcome> {
  const signed = await verifyVersionSigned(sql, tenant, definitionId, version);
  // 4. provenance: the publish receipt, and the history it signed as Temporal keeps it
  const provenance = temporal ? await verifyPublishReceipt(sql, temporal, { definitionId, version, digest: signed.digest }) : undefined;
  // 5. certification, when the tenant requires it (install.rego)
  const cert = await currentCertification(sql, definitionId, version);
  const [setting] = await sql<{ require_certification: 'off' | 'elevated-risk' | 'always' }[]>`
    select require_certification from tenant_setting where tenant_id = ${tenant}`;
  const decision = policy.installCertification({
    ...policyFacts,
    settings: { require_certification: setting?.require_certification ?? 'off' },
    certification: { status: cert.status },
  });
  if (!decision.allow) throw conflict(TRUST_CODES.certificationRequired, decision.deny.join('; '));
  return { ...signed, certification: { status: cert.status, required: decision.required, warnings: decision.warnings }, ...(provenance ? { provenance } : {}) };
}

/**
 * Steps 1–3 of verifyVersionForInstall: digest, review (another tenant's version) and
 * signature. `sql` may be a transaction (the upgrade's apply re-verifies inside its own).
 */
export async function verifyVersionSigned(sql: Sql, tenant: string, definitionId: string, version: string): Promise<Omit<VersionTrustOutcome, 'certification'>> {
  const row = await loadVersionTrustRow(sql, definitionId, version);
  if (!row || row.status !== 'published') throw notFound('VERSION_NOT_FOUND', `${definitionId}@${version} is not a published version`);
  // 1. the content: the stored spec still hashes to the digest it was published (and signed) with
  if (contentDigest(row.spec) !== row.digest) {
    throw inputError('DIGEST_MISMATCH', `the stored spec of ${definitionId}@${version} does not match its published digest`);
  }
  // 2. another tenant's version: offered only after a passed marketplace review
  if (row.tenant_id !== tenant && row.review_state !== 'passed') {
    throw conflict(TRUST_CODES.reviewRequired, `${definitionId}@${version} has not passed its marketplace review (review ${row.review_state})`);
  }
  // 3. the signature: by the publisher's key, trusted by this tenant, over this digest
  if (!row.signature_bundle) throw inputError(TRUST_CODES.unsigned, `${definitionId}@${version} carries no signature`);
  const keys = await listPublicKeys(sql);
  const result = verifyVersionRow(row, keys, await tenantTrust(sql, tenant));
  if (!result.ok) {
    const failed = result.checks.find((c) => !c.ok);
    throw trustError(trustCodeOf(result, keys, publisherOf(row.tenant_id)), `the signature of ${definitionId}@${version} does not verify: ${failed?.message ?? 'unknown'}`);
  }
  return { digest: row.digest, keyId: result.keyId!, keyOwner: result.keyOwner! };
}

const trustError = (code: string, message: string): DomainError => inputError(code, message);

export interface PublishReceiptCheck {
  receiptId?: string;
  /** what the install should know but that does not refuse it */
  warnings: string[];
}

/**
 * The install's (and the upgrade's) provenance check: the version's publish receipt, signed
 * with the platform key over this version's name and digest, and the digest of the publish
 * lifecycle's history it signed, recomputed from Temporal. An edited history, a receipt for
 * another digest or a broken signature refuses with its TRUST_CODES code. A version published
 * before receipts existed, or whose history Temporal no longer keeps (namespace retention),
 * passes with a warning that says so.
 */
export async function verifyPublishReceipt(
  sql: Sql,
  temporal: HistorySource,
  version: { definitionId: string; version: string; digest: string },
): Promise<PublishReceiptCheck> {
  const subject = `${version.definitionId}@${version.version}`;
  const [r] = await sql<{ id: string; body: ReceiptBody | null; bundle: SigstoreBundleJson | null }[]>`
    select id, body, bundle from provenance_receipt
    where lifecycle = 'publish' and subject = ${subject} and bundle is not null
    order by created_at desc limit 1`;
  if (!r?.bundle || !r.body) return { warnings: [`${subject} has no publish receipt (published before receipts were signed)`] };
  const keys = await listPublicKeys(sql);
  const refuse = (result: ReturnType<typeof verifyReceipt>) => {
    const failed = result.checks.find((c) => !c.ok);
    return inputError(trustCodeOf(result, keys, PLATFORM_KEY_OWNER), `the publish receipt of ${subject} does not verify: ${failed?.message ?? 'unknown'}`);
  };
  // offline first: the platform's signature over this version's digest
  const offline = verifyReceipt({ body: r.body, bundle: r.bundle }, keys, { subjectDigest: version.digest });
  if (!offline.ok) throw refuse(offline);
  const last = Number(r.body.history.lastEventId);
  let events;
  try {
    events = await fetchHistory(temporal.service, { namespace: temporal.namespace, workflowId: r.body.workflowId, runId: r.body.runId }, (evs) => evs.length >= last);
  } catch (e) {
    if (isNotFound(e)) return { receiptId: r.id, warnings: [`the publish history of ${subject} is no longer kept by Temporal; its receipt's signature was verified, its history digest could not be recomputed`] };
    throw e;
  }
  const online = verifyReceipt({ body: r.body, bundle: r.bundle }, keys, { subjectDigest: version.digest, history: events });
  if (!online.ok) throw refuse(online);
  return { receiptId: r.id, warnings: [] };
}

/** gRPC NOT_FOUND (5): the execution is gone (retention) or never existed in this namespace. */
const isNotFound = (e: unknown) => (e as { code?: number } | null)?.code === 5 || /not found/i.test((e as Error | null)?.message ?? '');
