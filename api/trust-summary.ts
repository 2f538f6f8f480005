/**
 * The trust summary of versions (domain/trust.ts TrustSummary) as list rows, cards and
 * details show it: the signature (verified here, against the viewing tenant's trust roots,
 * with the publisher as the key's owner — never just "a signature exists"), the review and
 * who approved it, the certification and whether it is overdue. One query per page of rows.
 */
import type { Sql } from '../platform/db.ts';
import { visibleVersionSql } from '../platform/access.ts';
import { listPublicKeys, tenantTrust } from '../platform/signing.ts';
import { verifyVersionRow } from '../platform/version-trust.ts';
import { trustSummary } from '../domain/certification.ts';
import type { CertificationStatus, KeyOwner, ReviewDecisionRecord, SigstoreBundleJson, TrustSummary } from '../domain/trust.ts';

export interface VersionRef {
  definitionId: string;
  version: string;
}

interface Row {
  definition_id: string;
  version: string;
  tenant_id: string;
  digest: string;
  signature_bundle: SigstoreBundleJson | null;
  signature_key_id: string | null;
  review_state: TrustSummary['review']['state'];
  reviewed_at: Date | null;
  request_id: string | null;
  decisions: ReviewDecisionRecord[][] | null;
  cert_status: CertificationStatus | null;
  certified_by: string | null;
  certified_at: Date | null;
  expires_at: Date | null;
}

export const trustKey = (r: VersionRef) => `${r.definitionId}@${r.version}`;

/** Trust summaries of the given versions for a viewer of `tenant`. */
export async function loadTrustSummaries(sql: Sql, tenant: string, refs: readonly VersionRef[]): Promise<Map<string, TrustSummary>> {
  const out = new Map<string, TrustSummary>();
  const wanted = refs.filter((r) => r.version).slice(0, 500);
  if (!wanted.length) return out;
  // Only versions the viewer may see are summarized: a row whose latest version is not
  // offered to the viewer (a new version still in review is internal-only) is summarized by
  // the newest published version the viewer may see, keyed as asked.
  const rows = await sql<(Row & { asked_version: string })[]>`
    select v.definition_id, w.version as asked_version, v.version, v.tenant_id, v.digest, v.signature_bundle, v.signature_key_id, v.review_state, v.reviewed_at,
           rr.workflow_id as request_id,
           (select array_agg(rv.decisions) from review rv where rv.request_id = rr.workflow_id) as decisions,
           c.status as cert_status, c.certified_by, c.certified_at, c.expires_at
    from unnest(${wanted.map((r) => r.definitionId)}::text[], ${wanted.map((r) => r.version)}::text[]) as w(definition_id, version)
    join workflow_definition d on d.id = w.definition_id
    join lateral (
      select x.* from workflow_version x
      where x.definition_id = w.definition_id and (x.version = w.version or x.status = 'published')
        and ${visibleVersionSql(sql, tenant, 'x', 'd')}
      order by (x.version = w.version) desc, x.published_at desc nulls last limit 1) v on true
    left join lateral (
      select workflow_id from review_request q where q.definition_id = v.definition_id and q.version = v.version
      order by q.created_at desc limit 1) rr on true
    left join lateral (
      select status, certified_by, certified_at, expires_at from certification x
      where x.definition_id = v.definition_id and x.version = v.version and x.status in ('certified', 'overdue', 'revoked')
      order by case x.status when 'revoked' then 1 else 0 end, x.created_at desc limit 1) c on true`;
  const keys = rows.some((r) => r.signature_bundle) ? await listPublicKeys(sql) : [];
  const trusted = await tenantTrust(sql, tenant);
  const now = new Date();
  for (const r of rows) {
    const verification = r.signature_bundle ? verifyVersionRow(r, keys, trusted) : undefined;
    const reviewers = [
      ...new Set(
        (r.decisions ?? [])
          .flatMap((d) => (Array.isArray(d) ? d : []))
          .filter((d) => d?.decision === 'approve')
          .map((d) => d.reviewer?.sub)
          .filter((x): x is string => typeof x === 'string'),
      ),
    ].sort();
    const owner: KeyOwner = verification?.keyOwner ?? { kind: 'publisher', id: r.tenant_id };
    out.set(
      trustKey({ definitionId: r.definition_id, version: r.asked_version }),
      trustSummary(
        {
          signatureKeyId: r.signature_bundle ? (verification?.keyId ?? r.signature_key_id ?? 'unknown') : null,
          signatureOwner: owner,
          signatureVerified: !!verification?.ok,
          reviewState: r.review_state,
          reviewers,
          ...(r.reviewed_at ? { reviewedAt: r.reviewed_at.toISOString() } : {}),
          ...(r.request_id ? { reviewRequestId: r.request_id } : {}),
          ...(r.cert_status
            ? {
                certification: {
                  status: r.cert_status,
                  ...(r.certified_by ? { certifiedBy: r.certified_by } : {}),
                  ...(r.certified_at ? { certifiedAt: r.certified_at.toISOString() } : {}),
                  ...(r.expires_at ? { expiresAt: r.expires_at.toISOString() } : {}),
                },
              }
            : {}),
        },
        now,
      ),
    );
  }
  return out;
}

/** The summary of a version that has none on record (no such version, or not loaded). */
export const emptyTrust = (): TrustSummary => trustSummary(undefined, new Date());
