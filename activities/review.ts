import { activityInfo, getClient } from '@temporalio/activity';
import type { Sql } from '../platform/db.ts';
import type { PolicyEngine, ReviewerDecision } from '../platform/opa.ts';
import { manifestsFor } from '../platform/registry.ts';
import { contentDigest } from '../platform/digest.ts';
import { startReview, type ReviewStart } from '../platform/review-start.ts';
import type { Actor } from '../domain/actor.ts';
import { conflict, notFound } from '../domain/errors.ts';
import type { PublishDecision } from '../domain/publish.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { collectTaskRefs } from '../domain/validate-spec.ts';
import { controlOutcomes } from '../domain/controls.ts';
import { DEFAULT_REVIEW_SETTINGS, isMarketplace, type MarketplaceVisibility, type ReviewKindState, type ReviewParties, type ReviewRules, type ReviewSettings } from '../domain/review.ts';
import { docsChecks, exampleParameters, hostsInSpec, percentile, scanLiteralSecrets, scanStrings } from '../domain/review-evidence.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type EvidenceBundle, type EvidenceItem, type ReviewDecisionRecord, type ReviewKind, type ReviewStatus } from '../domain/trust.ts';
import { asFailure } from './errors.ts';
import { sealOwnReceipt } from './receipts.ts';
import { signStatement, statementFor, type KeyRing } from '../platform/signing.ts';
import { rationaleDigest } from '../platform/receipts.ts';
import { raiseTemplate } from './publish-template.ts';

export interface ReviewDeps {
  sql: Sql;
  policy: PolicyEngine;
  keyRing: KeyRing;
  defaultQueue: string;
  review?: Partial<ReviewSettings>;
}

/**
 * The evidence bundle's signature: an in-toto statement whose subject is the version
 * (`<def>@<version>`) at the bundle's digest, and whose predicate is the bundle itself,
 * signed with the platform key. Verifying it against the stored bundle's digest proves
 * neither the evidence nor a decision was changed since.
 */
export function evidenceStatement(bundle: EvidenceBundle, evidenceDigest: string) {
  return statementFor({ name: bundle.subject.name, digest: evidenceDigest }, PREDICATE_TYPES.evidence, bundle);
}

function execution() {
  const e = activityInfo().workflowExecution;
  if (!e) throw new Error('review activities run inside a workflow');
  return e;
}

/** An evidence item with its digest and the workflow/run/activity that produced it. */
function evidence(kind: ReviewKind, id: string, title: string, ok: boolean, reason: string, data?: unknown): EvidenceItem {
  const { workflowId, runId } = execution();
  const body = { id, ok, reason, ...(data !== undefined ? { data } : {}) };
  return { id, kind, title, ok, reason, ...(data !== undefined ? { data } : {}), digest: contentDigest(body), producedBy: { workflowId, runId, activity: activityInfo().activityType } };
}

interface VersionFacts {
  tenantId: string;
  spec: SpecV1;
  digest: string;
  risk: string;
  title: string;
  author: string;
  status: string;
  ownerTeam: string | null;
  authorTeam: string | null;
}

async function versionFacts(sql: Sql, definitionId: string, version: string): Promise<VersionFacts> {
  const [v] = await sql<{ tenant_id: string; spec: SpecV1; digest: string; status: string; created_by: string; created_by_team: string | null; owner_team: string | null }[]>`
    select v.tenant_id, v.spec, v.digest, v.status, v.created_by, v.created_by_team, d.owner_team
    from workflow_version v join workflow_definition d on d.id = v.definition_id
    where v.definition_id = ${definitionId} and v.version = ${version}`;
  if (!v) throw notFound('VERSION_NOT_FOUND', `${definitionId}@${version} does not exist`);
  return { tenantId: v.tenant_id, spec: v.spec, digest: v.digest, status: v.status, risk: v.spec.metadata.risk, title: v.spec.metadata.title ?? v.spec.metadata.name, author: v.created_by, ownerTeam: v.owner_team, authorTeam: v.created_by_team };
}

export function createReviewActivities({ sql, policy, keyRing, defaultQueue, review }: ReviewDeps) {
  const settings: ReviewSettings = { ...DEFAULT_REVIEW_SETTINGS, ...review };
  return {
    /**
     * The publish's step after a marketplace version is published internal-only: start its
     * review (platform/review-start.ts; idempotent, a retry joins the same attempt).
     */
    startMarketplaceReview: (input: { definitionId: string; version: string; requestedBy: Actor }) =>
      asFailure(async (): Promise<ReviewStart> => startReview(sql, getClient(), defaultQueue, settings, { ...input, rerequest: false })),

    /**
     * Opens the request's read model and asks review.rego what this version's review needs.
     * Both answers are in the history: who could decide and why is never a later guess.
     */
    beginReview: (input: { definitionId: string; version: string; requestedVisibility: MarketplaceVisibility; requestedBy: Actor }) =>
      asFailure(async (): Promise<{ tenantId: string; risk: string; digest: string; title: string; parties: ReviewParties; rules: ReviewRules }> => {
        const { workflowId, runId } = execution();
        const v = await versionFacts(sql, input.definitionId, input.version);
        if (v.status !== 'published') throw conflict('NOT_PUBLISHED', `${input.definitionId}@${input.version} is not published`);
        // own teams: the requester's and the author's (from the draft's token; the definition's
        // declared owner team for versions drafted before it was recorded)
        const ownTeams = [...new Set([input.requestedBy.team, v.authorTeam ?? v.ownerTeam].filter((t): t is string => !!t))].sort();
        const parties: ReviewParties = { author: v.author, requester: { sub: input.requestedBy.sub, tenant: input.requestedBy.tenant, ...(input.requestedBy.team ? { team: input.requestedBy.team } : {}) }, ownTeams };
        await sql.begin(async (tx) => {
          await tx`
            insert into review_request (workflow_id, run_id, tenant_id, definition_id, version, requested_visibility, risk, status, requested_by, own_teams)
            values (${workflowId}, ${runId}, ${v.tenantId}, ${input.definitionId}, ${input.version}, ${input.requestedVisibility}, ${v.risk},
                    'gathering', ${input.requestedBy.sub}, ${ownTeams}::text[])
            on conflict (workflow_id) do update set run_id = excluded.run_id, updated_at = now()`;
          await tx`
            update workflow_version set review_state = 'pending', review_workflow_id = ${workflowId}, requested_visibility = ${input.requestedVisibility}
            where definition_id = ${input.definitionId} and version = ${input.version} and review_state <> 'passed'`;
        });
        return { tenantId: v.tenantId, risk: v.risk, digest: v.digest, title: v.title, parties, rules: policy.reviewRules({ risk: v.risk }) };
      }),

    /** The child review's read model row (idempotent per workflow id; the latest state wins). */
    async recordKindReview(input: { requestId: string; state: ReviewKindState }): Promise<void> {
      const s = input.state;
      const decided = ['passed', 'failed', 'expired'].includes(s.status);
      await sql.begin(async (tx) => {
        await tx`
          insert into review (workflow_id, request_id, run_id, kind, status, quorum, reviewer_group, evidence, evidence_digest, decisions,
                              deadline_at, escalated_at, decided_at)
          values (${s.workflowId}, ${input.requestId}, ${s.runId}, ${s.kind}, ${s.status}, ${s.quorum}, ${s.group}, ${tx.json(s.evidence as never)},
                  ${contentDigest(s.evidence)}, ${tx.json(s.decisions as never)}, ${s.deadlineAt ?? null}, ${s.escalatedAt ?? null},
                  ${decided ? new Date() : null})
          on conflict (workflow_id) do update set run_id = excluded.run_id, status = excluded.status, quorum = excluded.quorum,
            reviewer_group = excluded.reviewer_group, evidence = excluded.evidence, evidence_digest = excluded.evidence_digest,
            decisions = excluded.decisions, deadline_at = excluded.deadline_at, escalated_at = excluded.escalated_at,
            decided_at = coalesce(review.decided_at, excluded.decided_at), updated_at = now()`;
        if (s.status === 'open') {
          await tx`update review_request set status = 'in_review', updated_at = now() where workflow_id = ${input.requestId} and status = 'gathering'`;
        }
      });
    },

    /** review.rego: may this reviewer decide this review (role, team, own team, escalation)? Recorded in history. */
    async checkReviewer(input: { kind: ReviewKind; reviewer: Actor; parties: ReviewParties; escalated: boolean }): Promise<ReviewerDecision> {
      const r = input.reviewer;
      return policy.reviewDecision({
        kind: input.kind,
        reviewer: { sub: r.sub, tenant: r.tenant, roles: r.roles, ...(r.team ? { team: r.team } : {}) },
        author: input.parties.author,
        requester: input.parties.requester.sub,
        own_teams: input.parties.ownTeams,
        escalated: input.escalated,
      });
    },

    /**
     * Security evidence: every task the spec uses with its manifest's capabilities, egress,
     * data classes and secrets; the publish policy's decision; literal secrets; hosts the
     * spec names outside the egress allow-lists of the tasks that may reach them.
     */
    gatherSecurityEvidence: (input: { definitionId: string; version: string; tenantId: string }) =>
      asFailure(async (): Promise<EvidenceItem[]> => {
        const v = await versionFacts(sql, input.definitionId, input.version);
        const refs = collectTaskRefs(v.spec);
        const found = await manifestsFor(sql, refs);
        const tasks = refs.map((ref) => {
          const e = found.get(ref);
          if (!e) return { task: ref, registered: false };
          const s = e.manifest.spec;
          return {
            task: ref,
            registered: true,
            status: e.status,
            capabilities: s.capabilities,
            egress: s.security.egress.allow,
            dataClasses: s.security.dataClasses,
            sideEffects: s.security.sideEffects,
            secrets: (s.secrets ?? []).map((x) => x.name),
          };
        });
        const missing = tasks.filter((t) => !t.registered || t.status === 'retired').map((t) => t.task);
        const items: EvidenceItem[] = [];
        items.push(
          evidence('security', 'security.tasks', 'Tasks and their declared capabilities', missing.length === 0,
            missing.length ? `not registered or retired: ${missing.join(', ')}` : `${tasks.length} tasks, each registered with its capabilities, egress, data classes and secrets declared`,
            { tasks, dataClasses: [...new Set(tasks.flatMap((t) => t.dataClasses ?? []))].sort(), specSecrets: (v.spec.secrets ?? []).map((s) => s.name) }),
        );

        const [req] = await sql<{ decision: PublishDecision | null; workflow_id: string }[]>`
          select decision, workflow_id from publish_request where definition_id = ${input.definitionId} and version = ${input.version}
          order by updated_at desc limit 1`;
        const d = req?.decision;
        items.push(
          evidence('security', 'security.publish-policy', 'Publish policy decision', d?.allow === true && isMarketplace(d.visibility),
            !d ? 'no publish decision recorded' : d.allow ? `publish.rego allowed ${d.visibility}${d.reviewReasons.length ? ` (${d.reviewReasons.join('; ')})` : ''}` : `publish.rego denied: ${d.deny.join('; ')}`,
            d ? { publishWorkflowId: req.workflow_id, allow: d.allow, visibility: d.visibility, deny: d.deny, reviewReasons: d.reviewReasons, requiredApprovals: d.requiredApprovals } : undefined),
        );

        const secrets = scanLiteralSecrets(v.spec);
        items.push(
          evidence('security', 'security.literal-secrets', 'No literal secrets', secrets.length === 0,
            secrets.length
              ? `${secrets.length} literal secret${secrets.length > 1 ? 's' : ''} or unscanned part${secrets.length > 1 ? 's' : ''} found (values withheld): ${secrets.slice(0, 5).map((f) => `${f.rule} at ${f.pointer}`).join('; ')}`
              : 'no private keys, cloud keys, tokens or password-like literals in the spec',
            { findings: secrets }),
        );

        const allAllow = [...new Set(tasks.flatMap((t) => t.egress ?? []))];
        const hosts = hostsInSpec(v.spec).map((h) => {
          // a host in the inputs of a task that cannot connect anywhere is data that may flow on: any task's list applies
          const own = h.task ? (tasks.find((t) => t.task === h.task)?.egress ?? []) : [];
          const manifestAllow = own.length ? own : allAllow;
          const decision = policy.egressDecision({ tenant: input.tenantId, host: h.host, manifest_allow: manifestAllow, tenant_allow: ['*'] });
          return { ...h, allowed: decision.allow, ...(decision.allow ? {} : { reasons: decision.reasons }) };
        });
        const outside = hosts.filter((h) => !h.allowed);
        // fail closed: a host may hide where the scan's limits stopped it
        const { gap } = scanStrings(v.spec);
        items.push(
          evidence('security', 'security.egress-hosts', 'Hosts within the declared egress', outside.length === 0 && !gap,
            outside.length
              ? `hosts outside the declared egress: ${[...new Set(outside.map((h) => h.host))].join(', ')}`
              : gap
                ? `the spec could not be scanned completely (${gap.reason} at ${gap.pointer})`
                : hosts.length ? `${new Set(hosts.map((h) => h.host)).size} hosts, each allowed by the egress allow-list of the tasks that may reach it` : 'the spec names no literal host',
            { hosts, ...(gap ? { unscanned: gap } : {}) }),
        );
        return items;
      }),

    /** Docs evidence: description, documented parameters, changelog, example, readme section. */
    gatherDocsEvidence: (input: { definitionId: string; version: string }) =>
      asFailure(async (): Promise<EvidenceItem[]> => {
        const v = await versionFacts(sql, input.definitionId, input.version);
        return docsChecks(v.spec).map((c) => evidence('docs', c.id, c.title, c.ok, c.reason, c.data));
      }),

    /** The input the performance runs use: the spec's example, else none (defaults apply). */
    async performanceInput(input: { definitionId: string; version: string }): Promise<{ params: Record<string, unknown>; source: string }> {
      const v = await versionFacts(sql, input.definitionId, input.version);
      const ex = exampleParameters(v.spec);
      return ex ? { params: ex.params, source: ex.source } : { params: {}, source: 'parameter defaults' };
    },

    /** Performance evidence from the review's dry runs: p50/p95 duration and failure rate against the budget. */
    summarizePerformance: (input: {
      runs: { runId: string; workflowId: string; status: string; durationMs?: number; error?: string }[];
      budget: ReviewRules['performanceBudget'];
      source: string;
    }) =>
      asFailure(async (): Promise<EvidenceItem[]> => {
        const runs = input.runs.slice(0, 100);
        const durations = runs.filter((r) => r.status === 'completed' && typeof r.durationMs === 'number').map((r) => r.durationMs!).sort((a, b) => a - b);
        const failed = runs.filter((r) => r.status !== 'completed');
        const p50 = percentile(durations, 50);
        const p95 = percentile(durations, 95);
        const rate = runs.length ? failed.length / runs.length : 1;
        const data = { runs: runs.map((r) => ({ ...r, ...(r.error ? { error: r.error.slice(0, 300) } : {}) })), input: input.source, budget: input.budget };
        return [
          evidence('performance', 'performance.p50', 'p50 duration', p50 !== undefined, p50 !== undefined ? `p50 ${p50} ms over ${durations.length} completed dry runs` : 'no dry run completed', { p50Ms: p50 ?? null, completed: durations.length }),
          evidence('performance', 'performance.p95', 'p95 duration under budget', p95 !== undefined && p95 <= input.budget.p95Ms,
            p95 === undefined ? 'no dry run completed' : `p95 ${p95} ms ${p95 <= input.budget.p95Ms ? '≤' : '>'} budget ${input.budget.p95Ms} ms`, { p95Ms: p95 ?? null, budgetMs: input.budget.p95Ms }),
          evidence('performance', 'performance.failure-rate', 'Failure rate under budget', runs.length > 0 && rate <= input.budget.maxFailureRate,
            runs.length ? `${failed.length} of ${runs.length} dry runs failed (rate ${rate.toFixed(2)}, budget ${input.budget.maxFailureRate})${failed[0]?.error ? `: ${failed[0].error.slice(0, 200)}` : ''}` : 'no dry runs',
            data),
        ];
      }),

    /**
     * The request's end: the evidence bundle (canonical, signed with the platform key when the
     * worker has one) with the control outcomes, the version's review state, and on a pass
     * its marketplace visibility — and its template's, when it is the template's newest.
     * One transaction; idempotent (a retry rewrites the same facts).
     */
    finishReview: (input: {
      definitionId: string;
      version: string;
      digest: string;
      requestedVisibility: MarketplaceVisibility;
      outcome: 'passed' | 'failed' | 'expired';
      reason: string;
      reviews: ReviewKindState[];
      createdAt: string;
      /** the guardrails' hard denial of the publish at the requested profile: the version stays internal-only */
      keptInternal?: { code: string; message: string; details: { path: string; message: string; code: string }[] };
    }) =>
      asFailure(async (): Promise<{ evidenceDigest: string; signed: boolean; templateRaised: boolean; publish: { workflowId: string; runId: string } }> => {
        const { workflowId, runId } = execution();
        const subject = { name: `${input.definitionId}@${input.version}`, digest: input.digest };
        const bundle: EvidenceBundle = {
          subject,
          requestedVisibility: input.requestedVisibility,
          outcome: input.outcome,
          workflowId,
          runId,
          reviews: input.reviews.map((r) => ({ kind: r.kind, workflowId: r.workflowId, runId: r.runId, status: r.status, quorum: r.quorum, evidence: r.evidence, decisions: r.decisions })),
          controls: controlOutcomes(input.reviews.flatMap((r) => r.evidence)),
          createdAt: input.createdAt,
        };
        const evidenceDigest = contentDigest(bundle);
        // signed before the transaction: signing never happens under a row lock
        const signature = await signStatement(keyRing, PLATFORM_KEY_OWNER, evidenceStatement(bundle, evidenceDigest));
        let templateRaised = false;
        let publish = { workflowId: '', runId: '' };
        await sql.begin(async (tx) => {
          const [v] = await tx<{ digest: string; review_workflow_id: string | null; review_state: string; published_by_workflow_id: string; published_by_run_id: string }[]>`
            select digest, review_workflow_id, review_state, published_by_workflow_id, published_by_run_id from workflow_version
            where definition_id = ${input.definitionId} and version = ${input.version} for update`;
          if (!v) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.version} does not exist`);
          publish = { workflowId: v.published_by_workflow_id, runId: v.published_by_run_id };
          await tx`
            update review_request set status = ${input.outcome}, evidence_bundle = ${tx.json(bundle as never)}, evidence_digest = ${evidenceDigest},
              evidence_signature = ${tx.json(signature as never)}, outcome_reason = ${input.reason},
              ended_at = coalesce(ended_at, now()), updated_at = now()
            where workflow_id = ${workflowId}`;
          // a later attempt owns the version's state (this one was superseded): leave it alone
          if (v.review_workflow_id !== workflowId) return;
          // the reviewed content is the published content, or nothing is raised
          const passed = input.outcome === 'passed' && v.digest === input.digest;
          // reviewed, but the guardrails deny the profile: kept internal-only and not counted as
          // reviewed (review_request.outcome_reason says why)
          const raise = passed && !input.keptInternal;
          await tx`
            update workflow_version set review_state = ${raise ? 'passed' : input.outcome === 'passed' ? 'failed' : input.outcome},
              reviewed_at = ${passed ? new Date() : null}, visibility = ${raise ? input.requestedVisibility : 'internal-only'}
            where definition_id = ${input.definitionId} and version = ${input.version}`;
          if (!raise) return;
          // the template follows its newest published version once that one is offered
          const [t] = await tx<{ latest_version: string }[]>`select latest_version from workflow_template where definition_id = ${input.definitionId}`;
          const [d] = await tx<{ latest_version: string | null }[]>`select latest_version from workflow_definition where id = ${input.definitionId}`;
          if (t && d?.latest_version === input.version) {
            await raiseTemplate(tx as unknown as Sql, { definitionId: input.definitionId, version: input.version, visibility: input.requestedVisibility });
            templateRaised = true;
          }
        });
        return { evidenceDigest, signed: true, templateRaised, publish };
      }),

    /**
     * The review receipt: who decided what (rationales by digest) over which subject, written
     * last so it covers the whole review. Idempotent per (workflow, run, lifecycle).
     */
    writeReviewReceipt: (input: {
      definitionId: string;
      version: string;
      digest: string;
      outcome: string;
      decisions: (ReviewDecisionRecord & { kind: ReviewKind })[];
    }) =>
      asFailure(async (): Promise<{ receiptId?: string }> => {
        const { workflowId } = execution();
        const [r] = await sql<{ tenant_id: string; requested_by: string; evidence_digest: string | null }[]>`
          select tenant_id, requested_by, evidence_digest from review_request where workflow_id = ${workflowId}`;
        if (!r) return {};
        const sealed = await sealOwnReceipt(
          { sql, keyRing },
          {
            lifecycle: 'review',
            tenantId: r.tenant_id,
            subject: { name: `${input.definitionId}@${input.version}`, digest: input.digest },
            decisions: input.decisions.map((d) => ({ actor: { sub: d.reviewer.sub, tenant: d.reviewer.tenant }, decision: `${d.kind}:${d.decision}`, at: d.at, rationaleDigest: rationaleDigest(d.rationale) })),
            requestedBy: { sub: r.requested_by, tenant: r.tenant_id },
            details: { outcome: input.outcome, evidenceDigest: r.evidence_digest },
          },
        );
        await sql`update review_request set receipt_id = ${sealed.receiptId}, updated_at = now() where workflow_id = ${workflowId}`;
        return { receiptId: sealed.receiptId };
      }),
  };
}

export type ReviewActivities = ReturnType<typeof createReviewActivities>;
export type { ReviewStatus, ReviewDecisionRecord };
