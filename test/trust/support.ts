import { expect } from 'vitest';
import type { Stack } from '../support/stack.ts';
import { testSpec } from '../support/stack.ts';
import { call, publishTemplate } from '../marketplace/support.ts';
import type { CertificationView } from '../../domain/certification.ts';

/** A spec whose docs are complete (description, every parameter documented, changelog): the certification checklist's docs item passes. */
export function documentedSpec(overrides: Parameters<typeof testSpec>[0] = {}) {
  const spec = testSpec({ scope: 'global', ...overrides });
  spec.parameters = { type: 'object', properties: { email: { type: 'string', description: 'Where the greeting goes' } as never } };
  return spec;
}

/**
 * pat publishes the spec as a marketplace template; the publish passes the marketplace
 * review (sam, perry, dora) through test/marketplace/support.ts. Returns the definition id.
 */
export async function reviewedTemplate(s: Stack, spec: ReturnType<typeof testSpec>, visibility: 'public-ecosystem' | 'partner-curated' = 'public-ecosystem'): Promise<string> {
  const id = await publishTemplate(s, spec, { visibility });
  await interimReviewAndSignature(s, id, spec.metadata.version, visibility);
  const [v] = await s.sql<{ review_state: string; signature_bundle: unknown }[]>`
    select review_state, signature_bundle from workflow_version where definition_id = ${id} and version = ${spec.metadata.version}`;
  expect(v?.review_state).toBe('passed');
  expect(v?.signature_bundle).toBeTruthy();
  return id;
}

export const TERMINAL_CERTIFICATION = ['certified', 'refused', 'overdue', 'superseded', 'revoked'];

/** Polls GET …/certification as cid until its status is one of `until` (and it belongs to `workflowId` when given). */
export async function waitForCertification(s: Stack, id: string, version: string, until: string[] = TERMINAL_CERTIFICATION, workflowId?: string): Promise<CertificationView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await call<CertificationView>(s, 'cid', 'GET', `/definitions/${id}/versions/${version}/certification`);
    if (res.status === 200 && until.includes(res.body.status) && (!workflowId || res.body.workflowId === workflowId)) return res.body;
    if (Date.now() > deadline) throw new Error(`certification of ${id}@${version} did not reach ${until.join('|')}: ${JSON.stringify(res)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A certification's row, by its workflow id (the read model GET …/certification picks one of a version's rows). */
export interface CertificationRow {
  status: string;
  checklist: { id: string; ok: boolean; reason: string }[];
  decision: { outcome: string; carriedFrom?: string; reasons: string[] } | null;
  expires_at: Date | null;
  certified_at: Date | null;
  carried_from: string | null;
  statement_bundle: unknown;
  receipt_id: string | null;
}

/** cid certifies the version and waits until the certify lifecycle recorded its outcome (and its receipt). */
export async function certify(s: Stack, id: string, version: string, rationale = 'Checklist run for the marketplace.'): Promise<CertificationRow & { workflowId: string }> {
  const res = await call<{ workflowId: string }>(s, 'cid', 'POST', `/definitions/${id}/versions/${version}/certifications`, { rationale });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const workflowId = res.body.workflowId;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [row] = await s.sql<CertificationRow[]>`
      select status, checklist, decision, expires_at, certified_at, carried_from, statement_bundle, receipt_id from certification where workflow_id = ${workflowId}`;
    if (row && row.status !== 'checking' && row.receipt_id) return { ...row, workflowId };
    if (Date.now() > deadline) throw new Error(`certification ${workflowId} did not finish: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

// TEMPORARY until the publish signs (H1) and the review gate (H2) are merged: sign and "review" by SQL.
import { createKeyRing, signStatement, statementFor } from '../../platform/signing.ts';
import { contentDigest } from '../../platform/digest.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES } from '../../domain/trust.ts';
async function interimReviewAndSignature(s: Stack, id: string, version: string, visibility: string) {
  const ring = createKeyRing(s.sql, s.env.secretsKey);
  const [v] = await s.sql<{ digest: string; tenant_id: string; signature_bundle: unknown; review_state: string }[]>`
    select digest, tenant_id, signature_bundle, review_state from workflow_version where definition_id = ${id} and version = ${version}`;
  const subject = { name: `${id}@${version}`, digest: v!.digest };
  if (!v!.signature_bundle) {
    const bundle = await signStatement(ring, { kind: 'publisher', id: v!.tenant_id }, statementFor(subject, PREDICATE_TYPES.version, { note: 'interim' }));
    await s.sql`update workflow_version set signature_bundle = ${s.sql.json(bundle as never)}, signature_key_id = ${bundle.verificationMaterial.publicKey!.hint}
                where definition_id = ${id} and version = ${version}`;
  }
  if (v!.review_state !== 'passed') {
    const wf = `review/${id}@${version}/1`;
    const evidence = { subject, requestedVisibility: visibility, outcome: 'passed', workflowId: wf, runId: 'r', reviews: [], controls: [{ id: 'documented-parameters', title: 'Documented parameters', satisfied: true, evidence: [] }], createdAt: new Date().toISOString() };
    const sig = await signStatement(ring, PLATFORM_KEY_OWNER, statementFor(subject, PREDICATE_TYPES.evidence, evidence));
    await s.sql`insert into review_request (workflow_id, run_id, tenant_id, definition_id, version, requested_visibility, risk, status, requested_by, evidence_bundle, evidence_digest, evidence_signature)
                values (${wf}, 'r', ${v!.tenant_id}, ${id}, ${version}, ${visibility}, 'low', 'passed', 'pat', ${s.sql.json(evidence as never)}, ${contentDigest(evidence)}, ${s.sql.json(sig as never)})`;
    await s.sql`update workflow_version set review_state = 'passed', reviewed_at = now() where definition_id = ${id} and version = ${version}`;
  }
}
