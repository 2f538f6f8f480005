import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Sql } from '../platform/db.ts';
import { PG, pgCode } from '../platform/db.ts';
import type { PolicyEngine } from '../platform/opa.ts';
import { contentDigest } from '../platform/digest.ts';
import { listPublicKeys, signStatement, statementFor, type KeyRing } from '../platform/signing.ts';
import { verifyVersionRow } from '../platform/version-trust.ts';
import { verifyStoredEvidence } from '../platform/evidence-verify.ts';
import { CERTIFY_CODES, CHECKLIST, templateCertificationState, type CertifyDecision, type CertifyInput, type ChecklistItemId } from '../domain/certification.ts';
import { FAILING_MIN_FAILURE_RATE } from '../domain/catalog-rules.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { compareSemver, SEMVER } from '../domain/semver.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type ChecklistItem, type EvidenceBundle, type ReviewDecisionRecord, type SigstoreBundleJson } from '../domain/trust.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { certificationSupersededSignal } from '../workflows/contracts/certify.ts';
import { asFailure } from './errors.ts';
import { sealOwnReceipt } from './receipts.ts';
import { rationaleDigest } from '../platform/receipts.ts';

export interface CertifyDeps {
  sql: Sql;
  policy: PolicyEngine;
  /** the platform's signing key signs the certification statement and the receipt */
  keyRing: KeyRing;
}

function execution() {
  const e = activityInfo().workflowExecution;
  if (!e) throw new Error('certify activities run inside a workflow');
  return e;
}

interface VersionRow {
  definition_id: string;
  version: string;
  tenant_id: string;
  status: string;
  digest: string;
  spec: SpecV1;
  changelog: string | null;
  change_kind: string | null;
  signature_bundle: SigstoreBundleJson | null;
  review_state: string;
  reviewed_at: Date | null;
  created_by: string;
  definition_status: string;
}

interface RequestRow {
  workflow_id: string;
  status: string;
  requested_by: string;
  evidence_bundle: EvidenceBundle | null;
  evidence_digest: string | null;
  evidence_signature: SigstoreBundleJson | null;
}

/** What certify.rego decides on besides the checklist (activities gather it, so it is in history). */
export interface CertifyFacts {
  version: { version: string; change_kind: string; risk: string };
  previous?: { version: string; status: string; expired: boolean; patch_of: boolean; risk: string; expiresAt: string };
}

const item = (id: ChecklistItemId, ok: boolean, reason: string, evidence?: string[]): ChecklistItem => ({
  id,
  title: CHECKLIST.find((c) => c.id === id)!.title,
  ok,
  reason,
  ...(evidence?.length ? { evidence } : {}),
});

/** Is `version` a later patch of `of` (same major.minor, higher patch, neither a pre-release)? */
export function isPatchOf(version: string, of: string): boolean {
  const a = SEMVER.exec(version);
  const b = SEMVER.exec(of);
  if (!a || !b || a[4] !== undefined || b[4] !== undefined) return false;
  return a[1] === b[1] && a[2] === b[2] && compareSemver(version, of) > 0;
}

export function createCertifyActivities({ sql, policy, keyRing }: CertifyDeps) {
  async function loadVersion(db: Sql, input: Pick<CertifyInput, 'definitionId' | 'version'>): Promise<VersionRow> {
    const [v] = await db<VersionRow[]>`
      select v.definition_id, v.version, v.tenant_id, v.status, v.digest, v.spec, v.changelog, v.change_kind, v.signature_bundle,
             v.review_state, v.reviewed_at, v.created_by, d.status as definition_status
      from workflow_version v join workflow_definition d on d.id = v.definition_id
      where v.definition_id = ${input.definitionId} and v.version = ${input.version}`;
    if (!v) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.version} does not exist`);
    return v;
  }

  /** The template mirrors its latest version's certification (the catalog shows it). */
  async function mirrorTemplate(db: Sql, definitionId: string, version: string) {
    const [c] = await db<{ status: 'certified' | 'overdue'; certified_at: Date }[]>`
      select status, certified_at from certification
      where definition_id = ${definitionId} and version = ${version} and status in ('certified', 'overdue') limit 1`;
    const [v] = await db<{ reviewed_at: Date | null }[]>`select reviewed_at from workflow_version where definition_id = ${definitionId} and version = ${version}`;
    await db`
      update workflow_template set
        certification_state = ${templateCertificationState(c?.status ?? 'none')},
        certified_at = ${c?.certified_at ?? null},
        last_reviewed_at = greatest(last_reviewed_at, ${v?.reviewed_at ?? null}::timestamptz),
        updated_at = now()
      where definition_id = ${definitionId} and latest_version = ${version}`;
  }

  return {
    /**
     * Opens the certification (status checking). Refused: the version is not published, or
     * another certification of it is being checked (CERTIFICATION_IN_PROGRESS). Idempotent:
     * a retry finds its own row.
     */
    beginCertification: (input: CertifyInput) =>
      asFailure(async (): Promise<void> => {
        const { workflowId, runId } = execution();
        const v = await loadVersion(sql, input);
        if (v.status !== 'published') throw conflict(CERTIFY_CODES.versionNotPublished, `${input.definitionId}@${input.version} is ${v.status}, not published`);
        try {
          await sql`
            insert into certification (workflow_id, run_id, tenant_id, definition_id, version, status, certified_by, rationale)
            values (${workflowId}, ${runId}, ${v.tenant_id}, ${input.definitionId}, ${input.version}, 'checking', ${input.requestedBy.sub},
                    ${input.rationale.trim().slice(0, 4000)})
            on conflict (workflow_id) do update set run_id = excluded.run_id, updated_at = now()`;
        } catch (e) {
          if (pgCode(e) === PG.uniqueViolation) throw conflict(CERTIFY_CODES.inProgress, `a certification of ${input.definitionId}@${input.version} is already being checked`);
          throw e;
        }
      }),

    /** The checklist of docs/certification.md, each item with its reason and evidence, and the facts certify.rego needs. */
    gatherCertificationChecklist: (input: CertifyInput) =>
      asFailure(async (): Promise<{ checklist: ChecklistItem[]; facts: CertifyFacts }> => {
        const v = await loadVersion(sql, input);
        const subject = `${v.definition_id}@${v.version}`;
        const keys = await listPublicKeys(sql);
        const [request] = await sql<RequestRow[]>`
          select workflow_id, status, requested_by, evidence_bundle, evidence_digest, evidence_signature from review_request
          where definition_id = ${v.definition_id} and version = ${v.version} order by created_at desc limit 1`;
        const checklist: ChecklistItem[] = [];

        // review-passed
        const reviewers = request
          ? (await sql<{ decisions: ReviewDecisionRecord[] }[]>`select decisions from review where request_id = ${request.workflow_id}`).flatMap((r) =>
              (Array.isArray(r.decisions) ? r.decisions : []).filter((d) => d.decision === 'approve').map((d) => d.reviewer.sub),
            )
          : [];
        const passed = v.review_state === 'passed' && request?.status === 'passed';
        checklist.push(
          item(
            'review-passed',
            passed,
            passed
              ? `review ${request!.workflow_id} passed${v.reviewed_at ? ` on ${v.reviewed_at.toISOString()}` : ''} (approved by ${[...new Set(reviewers)].join(', ') || 'nobody recorded'})`
              : `the version's review is ${v.review_state}${request ? ` (newest request ${request.workflow_id}: ${request.status})` : ' (never requested)'}`,
            request ? [request.workflow_id] : [],
          ),
        );

        // signature-verifies: by the publisher's key, over the version's digest
        const sig = v.signature_bundle ? verifyVersionRow(v, keys) : undefined;
        checklist.push(
          item(
            'signature-verifies',
            !!sig?.ok,
            !sig ? 'the version carries no signature' : sig.ok ? `signed by key ${sig.keyId} of publisher ${v.tenant_id}` : (sig.checks.find((c) => !c.ok)?.message ?? 'does not verify'),
            sig?.keyId ? [sig.keyId] : [],
          ),
        );

        // evidence-verifies: the stored bundle hashes to its digest, its platform signature names this version
        let evidence: { ok: boolean; reason: string } = { ok: false, reason: 'the review produced no evidence bundle' };
        if (request?.evidence_bundle && request.evidence_digest) {
          const r = verifyStoredEvidence({ bundle: request.evidence_bundle, digest: request.evidence_digest, signature: request.evidence_signature }, keys, { subjectName: subject, versionDigest: v.digest });
          evidence = r.ok
            ? { ok: true, reason: `evidence ${request.evidence_digest} signed by the platform key ${r.keyId}` }
            : { ok: false, reason: r.checks.find((c) => !c.ok)?.message ?? 'the evidence does not verify' };
        }
        checklist.push(item('evidence-verifies', evidence.ok, evidence.reason, request?.evidence_digest ? [request.evidence_digest] : []));

        // controls-satisfied
        const controls = request?.evidence_bundle?.controls ?? [];
        const unmet = controls.filter((c) => !c.satisfied);
        checklist.push(
          item(
            'controls-satisfied',
            controls.length > 0 && unmet.length === 0,
            !controls.length ? 'the evidence bundle links no control' : unmet.length ? `unsatisfied: ${unmet.map((c) => c.id).join(', ')}` : `${controls.length} controls satisfied`,
            controls.map((c) => c.id),
          ),
        );

        // health-within-budget: the entry's latest health rollup, and the review's performance evidence
        const [h] = await sql<{ run_count: number; failure_rate: string | null; window_end: Date }[]>`
          select run_count, failure_rate, window_end from health_snapshot where definition_id = ${v.definition_id} order by window_end desc limit 1`;
        const rate = h?.failure_rate === null || h?.failure_rate === undefined ? undefined : Number(h.failure_rate);
        const perf = controls.filter((c) => c.id === 'p95-under-budget' || c.id === 'failure-rate-under-budget');
        const perfUnmet = perf.filter((c) => !c.satisfied);
        const healthOk = (rate === undefined || rate < FAILING_MIN_FAILURE_RATE) && perfUnmet.length === 0;
        checklist.push(
          item(
            'health-within-budget',
            healthOk,
            [
              rate === undefined ? 'no rated runs in the health window' : `${Math.round(rate * 100)}% of ${h!.run_count} runs failed (budget: under ${FAILING_MIN_FAILURE_RATE * 100}%)`,
              perf.length ? (perfUnmet.length ? `performance controls unmet: ${perfUnmet.map((c) => c.id).join(', ')}` : 'performance controls met') : 'no performance controls in the evidence',
            ].join('; '),
            h ? [`health_snapshot:${h.window_end.toISOString()}`] : [],
          ),
        );

        // docs-complete: from the version itself
        const props = v.spec.parameters?.properties ?? {};
        const undocumented = Object.entries(props)
          .filter(([, s]) => typeof (s as { description?: unknown }).description !== 'string' || !String((s as { description?: unknown }).description).trim())
          .map(([k]) => k);
        const changelog = (v.changelog ?? v.spec.metadata.changelog ?? '').trim();
        const docsProblems = [
          ...(v.spec.metadata.description?.trim() ? [] : ['no description']),
          ...(undocumented.length ? [`undocumented parameters: ${undocumented.slice(0, 10).join(', ')}`] : []),
          ...(changelog ? [] : ['no changelog entry']),
        ];
        checklist.push(item('docs-complete', docsProblems.length === 0, docsProblems.length ? docsProblems.join('; ') : 'description, parameters and changelog documented'));

        // no-critical-warnings
        const [revoked] = await sql<{ n: number }[]>`
          select count(*)::int as n from certification where definition_id = ${v.definition_id} and version = ${v.version} and status = 'revoked'`;
        const warnings = [
          ...(v.definition_status === 'deprecated' || v.definition_status === 'archived' ? [`the entry is ${v.definition_status}`] : []),
          ...(revoked!.n > 0 ? ['a certification of this version was revoked'] : []),
        ];
        checklist.push(item('no-critical-warnings', warnings.length === 0, warnings.length ? warnings.join('; ') : 'no critical warning'));

        // certifier-independent
        const conflicts = [
          ...(v.created_by === input.requestedBy.sub ? ['the certifier authored the version'] : []),
          ...(request?.requested_by === input.requestedBy.sub ? ['the certifier requested its review'] : []),
          ...(reviewers.includes(input.requestedBy.sub) ? ['the certifier reviewed it'] : []),
        ];
        checklist.push(item('certifier-independent', conflicts.length === 0, conflicts.length ? conflicts.join('; ') : `${input.requestedBy.sub} neither authored, requested nor reviewed the version`));

        // the facts of a patch's carry-over: the newest current certification of an earlier version
        const earlier = await sql<{ version: string; status: string; expires_at: Date | null; spec_risk: string }[]>`
          select c.version, c.status, c.expires_at, pv.spec->'metadata'->>'risk' as spec_risk
          from certification c join workflow_version pv on pv.definition_id = c.definition_id and pv.version = c.version
          where c.definition_id = ${v.definition_id} and c.version <> ${v.version} and c.status in ('certified', 'overdue')`;
        const prev = earlier
          .filter((e) => SEMVER.test(e.version) && compareSemver(e.version, v.version) < 0)
          .sort((a, b) => compareSemver(b.version, a.version))[0];
        const facts: CertifyFacts = {
          version: { version: v.version, change_kind: v.change_kind ?? 'initial', risk: v.spec.metadata.risk },
          ...(prev
            ? {
                previous: {
                  version: prev.version,
                  status: prev.status,
                  expired: !prev.expires_at || prev.expires_at.getTime() <= Date.now(),
                  patch_of: isPatchOf(v.version, prev.version),
                  risk: prev.spec_risk,
                  expiresAt: prev.expires_at?.toISOString() ?? '',
                },
              }
            : {}),
        };
        return { checklist, facts };
      }),

    /** certify.rego's decision, evaluated here so that it is in the history. */
    async decideCertification(input: { input: CertifyInput; checklist: ChecklistItem[]; facts: CertifyFacts }): Promise<CertifyDecision> {
      const d = policy.certifyDecision({
        actor: { sub: input.input.requestedBy.sub, roles: input.input.requestedBy.roles },
        checklist: input.checklist.map((c) => ({ id: c.id, ok: c.ok })),
        version: input.facts.version,
        ...(input.facts.previous ? { previous: input.facts.previous } : {}),
      });
      return { outcome: d.outcome, ...(d.carried_from ? { carriedFrom: d.carried_from } : {}), reasons: [...d.reasons, ...(d.outcome === 'refused' && d.carry_refusals.length && input.facts.previous ? d.carry_refusals.map((r) => `no carry-over: ${r}`) : [])] };
    },

    /**
     * Records the outcome. Certified: the certification row (expiry = now + TTL, or a
     * carried-over one's expiry), the version's previous certification superseded, the
     * template's mirror, and a certification statement signed with the platform key — one
     * transaction, idempotent (a retry answers what the first attempt recorded).
     */
    completeCertification: (input: { input: CertifyInput; checklist: ChecklistItem[]; decision: CertifyDecision }) =>
      asFailure(async (): Promise<{ status: 'certified' | 'refused'; certifiedAt?: string; expiresAt?: string; carriedFrom?: string; superseded: string[] }> => {
        const { workflowId, runId } = execution();
        const c = input.input;
        return sql.begin(async (tx) => {
          const db = tx as unknown as Sql;
          const [mine] = await tx<{ status: string; certified_at: Date | null; expires_at: Date | null; carried_from: string | null }[]>`
            select status, certified_at, expires_at, carried_from from certification where workflow_id = ${workflowId} for update`;
          if (!mine) throw notFound(CERTIFY_CODES.notFound, `certification ${workflowId} is gone`);
          if (mine.status !== 'checking') {
            // a retry after the commit
            const superseded = (await tx<{ workflow_id: string }[]>`select workflow_id from certification where superseded_by = ${workflowId}`).map((r) => r.workflow_id);
            return {
              status: mine.status === 'refused' ? 'refused' : 'certified',
              ...(mine.certified_at ? { certifiedAt: mine.certified_at.toISOString() } : {}),
              ...(mine.expires_at ? { expiresAt: mine.expires_at.toISOString() } : {}),
              ...(mine.carried_from ? { carriedFrom: mine.carried_from } : {}),
              superseded,
            };
          }
          const checklist = tx.json(input.checklist as never);
          const decision = tx.json(input.decision as never);
          if (input.decision.outcome !== 'certified') {
            await tx`update certification set status = 'refused', checklist = ${checklist}, decision = ${decision}, run_id = ${runId}, updated_at = now() where workflow_id = ${workflowId}`;
            return { status: 'refused' as const, superseded: [] };
          }
          const v = await loadVersion(db, c);
          let expiresAt = new Date(Date.now() + c.ttlMs);
          if (input.decision.carriedFrom) {
            const [from] = await tx<{ expires_at: Date | null }[]>`
              select expires_at from certification where definition_id = ${c.definitionId} and version = ${input.decision.carriedFrom} and status = 'certified'`;
            if (!from?.expires_at) throw conflict('CARRY_OVER_GONE', `the certification of ${input.decision.carriedFrom} is no longer current`);
            expiresAt = from.expires_at; // carried, not renewed
          }
          const certifiedAt = new Date();
          const superseded = (
            await tx<{ workflow_id: string }[]>`
              update certification set status = 'superseded', superseded_by = ${workflowId}, updated_at = now()
              where definition_id = ${c.definitionId} and version = ${c.version} and status in ('certified', 'overdue') and workflow_id <> ${workflowId}
              returning workflow_id`
          ).map((r) => r.workflow_id);
          const statement = statementFor({ name: `${v.definition_id}@${v.version}`, digest: v.digest }, PREDICATE_TYPES.certification, {
            definitionId: v.definition_id,
            version: v.version,
            status: 'certified',
            certifiedBy: c.requestedBy.sub,
            certifiedAt: certifiedAt.toISOString(),
            expiresAt: expiresAt.toISOString(),
            ...(input.decision.carriedFrom ? { carriedFrom: input.decision.carriedFrom } : {}),
            checklist: input.checklist.map((i) => ({ id: i.id, ok: i.ok })),
            checklistDigest: contentDigest(input.checklist),
            rationaleDigest: rationaleDigest(c.rationale.trim()),
            workflowId,
            runId,
          });
          const bundle = await signStatement(keyRing, PLATFORM_KEY_OWNER, statement);
          const keyId = bundle.verificationMaterial.publicKey?.hint ?? null;
          await tx`
            update certification set status = 'certified', checklist = ${checklist}, decision = ${decision}, run_id = ${runId},
              certified_at = ${certifiedAt}, expires_at = ${expiresAt}, carried_from = ${input.decision.carriedFrom ?? null},
              statement_bundle = ${tx.json(bundle as never)}, statement_key_id = ${keyId}, updated_at = now()
            where workflow_id = ${workflowId}`;
          await mirrorTemplate(db, c.definitionId, c.version);
          return {
            status: 'certified' as const,
            certifiedAt: certifiedAt.toISOString(),
            expiresAt: expiresAt.toISOString(),
            ...(input.decision.carriedFrom ? { carriedFrom: input.decision.carriedFrom } : {}),
            superseded,
          };
        });
      }),

    /** Tells the superseded certifications' workflows to stop waiting for their expiry (one that already ended is fine). */
    async notifySupersededCertifications(input: { workflowIds: string[]; definitionId: string; version: string }): Promise<{ notified: number }> {
      const { workflowId } = execution();
      let notified = 0;
      for (const id of input.workflowIds.slice(0, 50)) {
        try {
          await getClient().workflow.getHandle(id).signal(certificationSupersededSignal, { by: workflowId });
          notified++;
        } catch (e) {
          if (e instanceof WorkflowNotFoundError || /already completed/i.test((e as Error)?.message ?? '')) continue;
          throw e;
        }
      }
      return { notified };
    },

    /**
     * The certification's expiry: certified → overdue ("review overdue"), and the template's
     * mirror stale. A certification that was superseded or revoked meanwhile stays so.
     */
    markCertificationOverdue: (input: { definitionId: string; version: string }) =>
      asFailure(async (): Promise<{ status: 'overdue' | 'superseded' | 'revoked' }> => {
        const { workflowId } = execution();
        return sql.begin(async (tx) => {
          const [row] = await tx<{ status: string }[]>`
            update certification set status = case when status = 'certified' then 'overdue' else status end,
              overdue_at = case when status = 'certified' then now() else overdue_at end, updated_at = now()
            where workflow_id = ${workflowId}
            returning status`;
          if (!row) throw notFound(CERTIFY_CODES.notFound, `certification ${workflowId} is gone`);
          if (row.status === 'overdue') await mirrorTemplate(tx as unknown as Sql, input.definitionId, input.version);
          return { status: row.status === 'overdue' ? 'overdue' : row.status === 'revoked' ? 'revoked' : 'superseded' };
        });
      }),

    /** The certify receipt: the certifier's decision (rationale by digest) and the outcome over the version's digest, sealed over the history. */
    sealCertificationReceipt: (input: { input: CertifyInput; status: 'certified' | 'refused'; checklist: ChecklistItem[]; decision: CertifyDecision }) =>
      asFailure(async (): Promise<{ receiptId: string }> => {
        const { workflowId } = execution();
        const v = await loadVersion(sql, input.input);
        const { receiptId } = await sealOwnReceipt(
          { sql, keyRing },
          {
            lifecycle: 'certify',
            tenantId: v.tenant_id,
            subject: { name: `${v.definition_id}@${v.version}`, digest: v.digest },
            requestedBy: { sub: input.input.requestedBy.sub, tenant: input.input.requestedBy.tenant },
            decisions: [
              {
                actor: { sub: input.input.requestedBy.sub, tenant: input.input.requestedBy.tenant },
                decision: input.status,
                at: new Date().toISOString(),
                rationaleDigest: rationaleDigest(input.input.rationale.trim()),
              },
            ],
            details: { checklist: input.checklist.map((i) => ({ id: i.id, ok: i.ok })), decision: input.decision },
          },
        );
        await sql`update certification set receipt_id = ${receiptId}, updated_at = now() where workflow_id = ${workflowId}`;
        return { receiptId };
      }),
  };
}

export type CertifyActivities = ReturnType<typeof createCertifyActivities>;
