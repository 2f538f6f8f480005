/**
 * The review lifecycle's pure half: workflow ids, inputs, the rules review.rego hands the
 * lifecycle, and the Update validator's checks (self-review, rationale, state). Who is
 * eligible (role, team, own team, escalation) is review.rego's decision, evaluated in an
 * activity; this file only holds what the validator can decide without it.
 */
import type { Actor } from './actor.ts';
import type { Visibility } from './access.ts';
import { REVIEW_CODES, REVIEW_KINDS, type EvidenceItem, type ReviewDecisionRecord, type ReviewKind, type ReviewStatus } from './trust.ts';

export type MarketplaceVisibility = Exclude<Visibility, 'internal-only'>;
export const MARKETPLACE_VISIBILITIES: readonly MarketplaceVisibility[] = ['partner-curated', 'public-ecosystem'];
export const isMarketplace = (v: string | null | undefined): v is MarketplaceVisibility => v === 'partner-curated' || v === 'public-ecosystem';

export const RATIONALE_MAX = 4000;

export const reviewWorkflowIds = {
  request: (definitionId: string, version: string, attempt: number) => `review/${definitionId}@${version}/${attempt}`,
  kind: (requestId: string, kind: ReviewKind) => `${requestId}/${kind}`,
};

export function parseReviewRequestId(id: string): { definitionId: string; version: string; attempt: number } | undefined {
  const m = /^review\/([^/@]+)@([^/]+)\/([1-9][0-9]{0,5})$/.exec(id);
  return m ? { definitionId: m[1]!, version: m[2]!, attempt: Number(m[3]) } : undefined;
}

/** Review timing and effort, from config (REVIEW_ESCALATE_AFTER, REVIEW_EXPIRE_AFTER, REVIEW_PERF_RUNS). */
export interface ReviewSettings {
  escalateAfterMs: number;
  expireAfterMs: number;
  perfRuns: number;
}

export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = { escalateAfterMs: 72 * 3_600_000, expireAfterMs: 168 * 3_600_000, perfRuns: 5 };

/** The parent lifecycle's input (`review/<def>@<version>/<n>`). */
export interface ReviewInput extends ReviewSettings {
  definitionId: string;
  version: string;
  requestedVisibility: MarketplaceVisibility;
  requestedBy: Actor;
  attempt: number;
}

/** What review.rego says about one kind for a given version: who, how many, budgets. */
export interface KindRules {
  kind: ReviewKind;
  teams: string[];
  quorum: number;
  ownTeamAllowed: boolean;
}

export interface ReviewRules {
  kinds: Record<ReviewKind, KindRules>;
  escalation: { group: string; roles: string[] };
  performanceBudget: { p95Ms: number; maxFailureRate: number };
}

/** The people a review may never be decided by, and the teams the own-team rule concerns. */
export interface ReviewParties {
  /** the version's author (workflow_version.created_by) */
  author: string;
  requester: { sub: string; tenant: string; team?: string };
  /** the author's and requester's teams */
  ownTeams: string[];
}

/** A child review's input (`review/<def>@<version>/<n>/<kind>`). */
export interface ReviewKindInput extends ReviewSettings {
  requestId: string;
  kind: ReviewKind;
  definitionId: string;
  version: string;
  tenantId: string;
  risk: string;
  rules: KindRules;
  escalation: ReviewRules['escalation'];
  performanceBudget: ReviewRules['performanceBudget'];
  parties: ReviewParties;
}

export interface DecideArgs {
  reviewer: Actor;
  decision: 'approve' | 'reject';
  rationale: string;
}

/** A child review's live state (query `state`) and result. */
export interface ReviewKindState {
  kind: ReviewKind;
  status: ReviewStatus;
  quorum: number;
  group: 'primary' | 'escalation';
  evidence: EvidenceItem[];
  decisions: ReviewDecisionRecord[];
  deadlineAt?: string;
  escalatedAt?: string;
  workflowId: string;
  runId: string;
  /** the child failed for another reason than a reject (an error it could not get past) */
  failure?: string;
}

export interface ReviewResult {
  requestId: string;
  status: 'passed' | 'failed' | 'expired';
  reviews: ReviewKindState[];
  evidenceDigest?: string;
  receiptId?: string;
}

/** The validator's refusal, as code + message; undefined = may go on to the policy check. */
export function decisionRefusal(state: Pick<ReviewKindState, 'status' | 'decisions' | 'quorum'>, parties: ReviewParties, args: DecideArgs): { code: string; message: string } | undefined {
  if (state.status !== 'open' && state.status !== 'escalated') return { code: REVIEW_CODES.notOpen, message: `this review is ${state.status}, not open for decisions` };
  // decided by the decisions so far, though the lifecycle has not closed it yet
  if (kindOutcome(state.decisions, state.quorum)) return { code: REVIEW_CODES.notOpen, message: 'this review is decided' };
  if (args?.decision !== 'approve' && args?.decision !== 'reject') return { code: REVIEW_CODES.rationaleRequired, message: 'decision must be approve or reject' };
  const rationale = typeof args.rationale === 'string' ? args.rationale.trim() : '';
  if (!rationale) return { code: REVIEW_CODES.rationaleRequired, message: 'a rationale is required for every review decision' };
  if (rationale.length > RATIONALE_MAX) return { code: REVIEW_CODES.rationaleRequired, message: `a rationale is at most ${RATIONALE_MAX} characters` };
  if (args.reviewer?.sub === parties.author) return { code: REVIEW_CODES.selfReview, message: 'the author of a version cannot review it' };
  if (args.reviewer?.sub === parties.requester.sub) return { code: REVIEW_CODES.selfReview, message: 'whoever requested the review cannot decide it' };
  if (state.decisions.some((d) => d.reviewer.sub === args.reviewer.sub)) return { code: REVIEW_CODES.alreadyDecided, message: 'you have already decided this review' };
  return undefined;
}

/** A kind is decided once anyone rejects or the quorum of distinct approvals is met. */
export function kindOutcome(decisions: ReviewDecisionRecord[], quorum: number): 'passed' | 'failed' | undefined {
  if (decisions.some((d) => d.decision === 'reject')) return 'failed';
  return new Set(decisions.filter((d) => d.decision === 'approve').map((d) => d.reviewer.sub)).size >= quorum ? 'passed' : undefined;
}

/** The request's outcome from its kinds: any failed → failed, any expired → expired, else passed. */
export function requestOutcome(statuses: ReviewStatus[]): 'passed' | 'failed' | 'expired' {
  if (statuses.some((s) => s === 'failed')) return 'failed';
  if (statuses.some((s) => s !== 'passed')) return 'expired';
  return 'passed';
}

export { REVIEW_KINDS };
