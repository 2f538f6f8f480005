import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { SearchAttributeType, defineSearchAttributeKey, type Duration } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import { workflowIds } from '../domain/ids.ts';
import type { RunInput, RunState } from '../domain/run.ts';
import {
  decisionRefusal,
  kindOutcome,
  requestOutcome,
  reviewWorkflowIds,
  type ReviewInput,
  type ReviewKindInput,
  type ReviewKindState,
  type ReviewResult,
} from '../domain/review.ts';
import { REVIEW_KINDS, type ReviewDecisionRecord, type ReviewKind } from '../domain/trust.ts';
import { RUN_WORKFLOW_TYPE } from './contracts/run.ts';
import { REVIEW_KIND_WORKFLOW_TYPE, decideReviewUpdate, reviewKindStateQuery, reviewStateQuery } from './contracts/review.ts';
import { GUARDRAILS_PATCH, guardrailError } from './policy-gate.ts';

const retry = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
// evidence reads the registry and scans the spec; signing and sealing may wait on keys
const slow = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry });
// evidence that still fails after ten attempts fails its kind (and the request) with the
// reason, rather than holding the review before its timers forever
const gathering = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { ...retry, maximumAttempts: 10 } });
const bestEffort = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 8 } });

// the run lifecycle's search attributes (platform/temporal.ts SA): review runs are listed as every run is
const SA = {
  tenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  templateId: defineSearchAttributeKey('TemplateId', SearchAttributeType.KEYWORD),
  lifecycle: defineSearchAttributeKey('Lifecycle', SearchAttributeType.KEYWORD),
};

/** The parent closes the other kinds once one has failed: nothing is left open for a dead request. */
export const closeReviewSignal = defineSignal<[string]>('close');

const iso = (ms: number) => new Date(ms).toISOString();
/** A failed child run's code (its ApplicationFailure type), never its message. */
const failureCode = (e: unknown): string => {
  for (let x: unknown = e; x; x = (x as { cause?: unknown }).cause) if (x instanceof ApplicationFailure && x.type) return x.type;
  return 'RUN_FAILED';
};
const messageOf = (e: unknown): string => {
  for (let x: unknown = e; x; x = (x as { cause?: unknown }).cause) if (x instanceof ApplicationFailure) return x.message;
  return e instanceof Error ? e.message : String(e);
};

/**
 * The marketplace review of one version (`review/<def>@<version>/<n>`): review.rego's rules
 * → three child reviews (security, performance, docs) at once → the evidence bundle and its
 * control outcomes, signed → on a pass the version's (and template's) marketplace profile,
 * the catalog entry and the version's upgrade campaign → the review receipt. Any kind that
 * fails closes the others and fails the request; one that expires expires it.
 */
export async function reviewWorkflow(input: ReviewInput): Promise<ReviewResult> {
  // the request's id from its input (= this workflow's id): the children's ids follow it
  const requestId = reviewWorkflowIds.request(input.definitionId, input.version, input.attempt);
  const createdAt = iso(Date.now());
  let status = 'gathering';
  const reviews = new Map<ReviewKind, ReviewKindState>();
  setHandler(reviewStateQuery, () => ({ status, reviews: [...reviews.values()] }));

  const begun = await acts.beginReview({
    definitionId: input.definitionId,
    version: input.version,
    requestedVisibility: input.requestedVisibility,
    requestedBy: input.requestedBy,
  });
  status = 'in_review';

  const childInput = (kind: ReviewKind): ReviewKindInput => ({
    requestId,
    kind,
    definitionId: input.definitionId,
    version: input.version,
    tenantId: begun.tenantId,
    risk: begun.risk,
    rules: begun.rules.kinds[kind],
    escalation: begun.rules.escalation,
    performanceBudget: begun.rules.performanceBudget,
    parties: begun.parties,
    escalateAfterMs: input.escalateAfterMs,
    expireAfterMs: input.expireAfterMs,
    perfRuns: input.perfRuns,
  });
  const handles = await Promise.all(
    REVIEW_KINDS.map((kind) =>
      startChild<(i: ReviewKindInput) => Promise<ReviewKindState>>(REVIEW_KIND_WORKFLOW_TYPE, {
        workflowId: reviewWorkflowIds.kind(requestId, kind),
        args: [childInput(kind)],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        memo: { definitionId: input.definitionId, version: input.version, kind },
      }),
    ),
  );
  let failedKind: ReviewKind | undefined;
  await Promise.all(
    handles.map(async (h, i) => {
      const kind = REVIEW_KINDS[i]!;
      // a child that failed (not a reject: an error it could not get past) fails its kind
      const state = await h.result().catch(
        (e: unknown): ReviewKindState => ({
          kind,
          status: 'failed',
          quorum: begun.rules.kinds[kind].quorum,
          group: 'primary',
          evidence: [],
          decisions: [],
          workflowId: h.workflowId,
          runId: h.firstExecutionRunId,
          failure: messageOf(e).slice(0, 500),
        }),
      );
      reviews.set(kind, state);
      if (state.status === 'failed' && !failedKind) {
        failedKind = kind;
        // close the others; one that closed meanwhile ignores it (or is gone)
        await Promise.all(
          REVIEW_KINDS.filter((k) => k !== kind).map((k) =>
            getExternalWorkflowHandle(reviewWorkflowIds.kind(requestId, k))
              .signal(closeReviewSignal, `the ${kind} review failed`)
              .catch(() => undefined),
          ),
        );
      }
    }),
  );

  const ordered = REVIEW_KINDS.map((k) => reviews.get(k)!);
  const outcome = requestOutcome(ordered.map((r) => r.status));
  const reason =
    outcome === 'passed'
      ? 'security, performance and docs reviews passed'
      : outcome === 'failed'
        ? `the ${failedKind ?? ordered.find((r) => r.status === 'failed')?.kind} review failed`
        : `not decided in time: ${ordered.filter((r) => r.status === 'expired').map((r) => r.kind).join(', ')}`;
  // a pass raises the version's profile: the guardrails decide the publish at that profile
  // first (what changed since the publish: a task deprecated, a posture widened); a hard
  // denial keeps it internal-only and says why (no override here: the publisher fixes and re-publishes)
  let keptInternal: { code: string; message: string; details: { path: string; message: string; code: string }[] } | undefined;
  if (outcome === 'passed' && patched(GUARDRAILS_PATCH)) {
    const guardrails = await acts.decideGuardrails({
      request: { operation: 'publish', actor: input.requestedBy, definitionId: input.definitionId, version: input.version, visibility: input.requestedVisibility },
    });
    if (guardrails.hard_deny.length) keptInternal = guardrailError(guardrails, 'deny');
  }
  const finished = await slow.finishReview({
    definitionId: input.definitionId,
    version: input.version,
    digest: begun.digest,
    requestedVisibility: input.requestedVisibility,
    outcome,
    reason: keptInternal ? `${reason}; kept internal-only by the guardrails: ${keptInternal.message}`.slice(0, 2000) : reason,
    reviews: ordered,
    createdAt,
    ...(keptInternal ? { keptInternal } : {}),
  });
  status = outcome;
  if (outcome === 'passed' && !keptInternal) {
    // the entry's provenance stays the version's publish; the review is in the trust facts
    await acts.indexCatalogEntry({ definitionId: input.definitionId, workflowId: finished.publish.workflowId, runId: finished.publish.runId });
    // the version's campaign waited for its review (activities/campaign.ts); a start that keeps failing is given up
    await bestEffort.startUpgradeCampaign({ definitionId: input.definitionId, version: input.version, requestedBy: input.requestedBy }).catch(() => undefined);
  }
  const receipt = await slow.writeReviewReceipt({
    definitionId: input.definitionId,
    version: input.version,
    digest: begun.digest,
    outcome,
    decisions: ordered.flatMap((r) => r.decisions.map((d) => ({ ...d, kind: r.kind }))),
  });
  return { requestId, status: outcome, reviews: ordered, evidenceDigest: finished.evidenceDigest, ...(receipt.receiptId ? { receiptId: receipt.receiptId } : {}) };
}

/**
 * One kind of review (`…/<kind>`): gather the evidence → open → decisions by the `decide`
 * Update (validator: state, rationale, self-review, one decision per reviewer; then
 * review.rego in an activity: role, team, own team, escalation group) until a reject or
 * the quorum → escalate after REVIEW_ESCALATE_AFTER → expire after REVIEW_EXPIRE_AFTER.
 */
export async function reviewKindWorkflow(input: ReviewKindInput): Promise<ReviewKindState> {
  const { workflowId, runId } = workflowInfo();
  const state: ReviewKindState = { kind: input.kind, status: 'gathering', quorum: input.rules.quorum, group: 'primary', evidence: [], decisions: [], workflowId, runId };
  let closedBy: string | undefined;
  const record = () => acts.recordKindReview({ requestId: input.requestId, state: { ...state, decisions: [...state.decisions], evidence: state.evidence } });
  const refuse = (r: { code: string; message: string } | undefined) => {
    if (r) throw ApplicationFailure.create({ type: r.code, message: r.message, nonRetryable: true });
  };

  setHandler(reviewKindStateQuery, () => state);
  setHandler(closeReviewSignal, (reason) => {
    closedBy ??= reason;
  });
  // who review.rego refused, per deciding group: asking again before the group changes is
  // refused by the validator (no activity, no history), so retries cannot grow the history
  const refused = new Map<string, { code: string; message: string }>();
  const refusedKey = (sub: string) => `${state.group}\u0000${sub}`;
  setHandler(
    decideReviewUpdate,
    async (args): Promise<ReviewDecisionRecord> => {
      const check = await acts.checkReviewer({ kind: input.kind, reviewer: args.reviewer, parties: input.parties, escalated: state.status === 'escalated' });
      if (!check.allow) {
        const r = { code: check.deny[0]?.code ?? 'NOT_ELIGIBLE_REVIEWER', message: check.deny.map((d) => d.message).join('; ') };
        refused.set(refusedKey(args.reviewer.sub), r);
        refuse(r);
      }
      // decided by someone else while the policy answered
      refuse(decisionRefusal(state, input.parties, args));
      const r = args.reviewer;
      const decision: ReviewDecisionRecord = {
        reviewer: { sub: r.sub, tenant: r.tenant, ...(r.team ? { team: r.team } : {}), ...(r.name ? { name: r.name } : {}) },
        decision: args.decision,
        rationale: args.rationale.trim(),
        at: iso(Date.now()),
        group: check.group === 'escalation' ? 'escalation' : 'primary',
      };
      state.decisions.push(decision);
      await record();
      return decision;
    },
    { validator: (args) => refuse(decisionRefusal(state, input.parties, args) ?? refused.get(refusedKey(args?.reviewer?.sub ?? ''))) },
  );

  await record();
  state.evidence = await gather(input);
  const t0 = Date.now();
  state.status = 'open';
  state.deadlineAt = iso(t0 + input.escalateAfterMs);
  await record();

  const decided = () => closedBy !== undefined || kindOutcome(state.decisions, state.quorum) !== undefined;
  let expired = false;
  if (!(await condition(decided, input.escalateAfterMs as Duration))) {
    state.status = 'escalated';
    state.group = 'escalation';
    state.escalatedAt = iso(Date.now());
    state.deadlineAt = iso(t0 + input.expireAfterMs);
    await record();
    expired = !(await condition(decided, Math.max(1, input.expireAfterMs - input.escalateAfterMs) as Duration));
  }
  state.status = expired ? 'expired' : (kindOutcome(state.decisions, state.quorum) ?? 'failed');
  await condition(allHandlersFinished);
  await record();
  return state;
}

/** The automated evidence of one kind; performance runs the version N times in dry-run mode first. */
async function gather(input: ReviewKindInput) {
  if (input.kind === 'security') return gathering.gatherSecurityEvidence({ definitionId: input.definitionId, version: input.version, tenantId: input.tenantId });
  if (input.kind === 'docs') return gathering.gatherDocsEvidence({ definitionId: input.definitionId, version: input.version });
  const example = await gathering.performanceInput({ definitionId: input.definitionId, version: input.version });
  const runs: { runId: string; workflowId: string; status: string; durationMs?: number; error?: string }[] = [];
  for (let i = 0; i < input.perfRuns; i++) {
    const runId = uuid4();
    const workflowId = workflowIds.run(input.definitionId, runId);
    const runInput: RunInput = {
      runId,
      definitionId: input.definitionId,
      version: input.version,
      tenantId: input.tenantId,
      params: example.params,
      startedBy: { sub: `review:${input.requestId}`, tenant: input.tenantId, roles: ['tenant-admin'], name: `performance review run ${i + 1} of ${input.perfRuns}` },
      mode: 'dry-run',
    };
    try {
      const s = await executeChild<(i: RunInput) => Promise<RunState>>(RUN_WORKFLOW_TYPE, {
        workflowId,
        args: [runInput],
        workflowExecutionTimeout: '10 minutes',
        memo: { definitionId: input.definitionId, version: input.version, reviewOf: input.requestId },
        typedSearchAttributes: [
          { key: SA.tenantId, value: input.tenantId },
          { key: SA.templateId, value: input.definitionId },
          { key: SA.lifecycle, value: 'run' },
        ],
      });
      // only the code of a failure: a message may quote data the evidence must not carry to other tenants
      runs.push({ runId, workflowId, status: s.status, ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}), ...(s.error ? { error: s.error.code } : {}) });
    } catch (e) {
      runs.push({ runId, workflowId, status: 'failed', error: failureCode(e) });
    }
  }
  return gathering.summarizePerformance({ runs, budget: input.performanceBudget, source: example.source });
}
