import type { Sql } from './db.ts';
import { signStatement, statementFor, verifyBundle, type KeyRing } from './signing.ts';
import { PREDICATE_TYPES, type KeyOwner, type SigningKeyView, type SigstoreBundleJson, type VerificationResult } from '../domain/trust.ts';

/** What a published version's signature states about it (the statement's predicate). */
export interface VersionPredicate {
  definitionId: string;
  version: string;
  /** the content digest, `sha256:<hex>` of the canonical spec */
  digest: string;
  /** the visibility the publish asked for */
  requestedVisibility: string;
  publishWorkflowId: string | null;
  publishRunId: string | null;
  publishedAt: string | null;
}

/** The statement subject of a version: `<definition>@<version>`. */
export const versionSubject = (definitionId: string, version: string) => `${definitionId}@${version}`;

/** A version's signer: the key of the tenant that owns (publishes) it. */
export const publisherOf = (tenantId: string): KeyOwner => ({ kind: 'publisher', id: tenantId });

interface VersionRow {
  tenant_id: string;
  digest: string;
  status: string;
  visibility: string;
  requested_visibility: string | null;
  published_by_workflow_id: string | null;
  published_by_run_id: string | null;
  published_at: Date | null;
  signature_bundle: SigstoreBundleJson | null;
  signature_key_id: string | null;
}

/**
 * Signs a published version with its publisher tenant's key, once: a version that is
 * signed already keeps its signature (the column is immutable once set). Safe to retry.
 */
export async function signVersion(sql: Sql, keyRing: KeyRing, definitionId: string, version: string): Promise<{ bundle: SigstoreBundleJson; keyId: string }> {
  const [v] = await sql<VersionRow[]>`
    select tenant_id, digest, status, visibility, requested_visibility, published_by_workflow_id, published_by_run_id, published_at,
           signature_bundle, signature_key_id
    from workflow_version where definition_id = ${definitionId} and version = ${version}`;
  if (!v) throw new Error(`signVersion: ${definitionId}@${version} does not exist`);
  if (v.signature_bundle && v.signature_key_id) return { bundle: v.signature_bundle, keyId: v.signature_key_id };
  if (v.status !== 'published') throw new Error(`signVersion: ${definitionId}@${version} is ${v.status}, not published`);
  const predicate: VersionPredicate = {
    definitionId,
    version,
    digest: v.digest,
    requestedVisibility: v.requested_visibility ?? v.visibility,
    publishWorkflowId: v.published_by_workflow_id,
    publishRunId: v.published_by_run_id,
    publishedAt: v.published_at?.toISOString() ?? null,
  };
  const bundle = await signStatement(keyRing, publisherOf(v.tenant_id), statementFor({ name: versionSubject(definitionId, version), digest: v.digest }, PREDICATE_TYPES.version, predicate));
  const keyId = bundle.verificationMaterial.publicKey!.hint;
  await sql`
    update workflow_version set signature_bundle = ${sql.json(bundle as never)}, signature_key_id = ${keyId}
    where definition_id = ${definitionId} and version = ${version} and signature_bundle is null`;
  const [stored] = await sql<{ signature_bundle: SigstoreBundleJson; signature_key_id: string }[]>`
    select signature_bundle, signature_key_id from workflow_version where definition_id = ${definitionId} and version = ${version}`;
  return { bundle: stored!.signature_bundle, keyId: stored!.signature_key_id };
}

/**
 * Verifies a version's signature as an installer must: signed by its publisher's key (no
 * other key will do), a key the verifier trusts, over this version's name and digest.
 */
export function verifyVersionSignature(
  bundle: unknown,
  keys: readonly SigningKeyView[],
  version: { definitionId: string; version: string; tenantId: string; digest: string },
  trusted?: (k: SigningKeyView) => boolean,
): VerificationResult {
  return verifyBundle(bundle, keys, {
    keyOwner: publisherOf(version.tenantId),
    subjectName: versionSubject(version.definitionId, version.version),
    subjectDigest: version.digest,
    predicateType: PREDICATE_TYPES.version,
    ...(trusted ? { trusted } : {}),
  });
}

/**
 * Signs the published versions that have no signature yet — those published before
 * signing existed — with their publishers' keys, oldest first, at most `limit` per call.
 * Safe to run from several processes at once (each version is signed once).
 */
export async function signUnsignedVersions(sql: Sql, keyRing: KeyRing, limit = 1000): Promise<number> {
  const rows = await sql<{ definition_id: string; version: string }[]>`
    select definition_id, version from workflow_version
    where status = 'published' and signature_bundle is null order by published_at nulls first, definition_id, version limit ${limit}`;
  for (const r of rows) await signVersion(sql, keyRing, r.definition_id, r.version);
  return rows.length;
}
