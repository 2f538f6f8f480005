import { expect } from 'vitest';
import type { Stack } from '../support/stack.ts';
import { testSpec } from '../support/stack.ts';
import { call, publishTemplate } from '../marketplace/support.ts';
import type { CertificationView } from '../../domain/certification.ts';

/** A spec whose docs are complete (description, every parameter documented, changelog): the certification checklist's docs item passes. */
export function documentedSpec(overrides: Parameters<typeof testSpec>[0] = {}) {
  const spec = testSpec({
    scope: 'global',
    description: 'Shapes a greeting for a new colleague from their e-mail address, so that onboarding tools can send it on the first day.',
    ...overrides,
  });
  spec.parameters = {
    type: 'object',
    properties: { email: { type: 'string', description: 'Where the greeting goes' } as never },
    examples: [{ email: 'ada@example.com' }],
  } as never;
  return spec;
}

/**
 * pat publishes the spec as a marketplace template; the publish passes the marketplace
 * review (sam, perry, dora) through test/marketplace/support.ts. Returns the definition id.
 */
export async function reviewedTemplate(s: Stack, spec: ReturnType<typeof testSpec>, visibility: 'public-ecosystem' | 'partner-curated' = 'public-ecosystem'): Promise<string> {
  const id = await publishTemplate(s, spec, { visibility });
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
