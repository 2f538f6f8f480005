/**
 * The catalog's judgement calls, in one place: which runs count as failures, when an entry
 * earns a badge or a warning, and what a run of a version will wait for. Pure, so the
 * worker (health rollup), the API (detail) and the tests share one definition.
 */
import type { CatalogApprovalRequirement, CatalogHealth, CatalogTrust } from './catalog.ts';
import { DEFAULT_APPROVER_ROLES } from './run.ts';
import { isParallel, walkSteps, type Step } from './spec-types.ts';

/** Run statuses that count as failures in the failure rate. */
export const FAILED_RUN_STATUSES = ['failed', 'timed_out'] as const;
/** Runs the failure rate is taken over: finished, and not cancelled (a cancellation is a person's choice, not a fault). */
export const RATED_RUN_STATUSES = ['completed', 'failed', 'timed_out'] as const;

/** "healthy": at least this many runs in the window … */
export const HEALTHY_MIN_RUNS = 5;
/** … and fewer than this share of them failed. */
export const HEALTHY_MAX_FAILURE_RATE = 0.05;
/** "failing: …" from this share of failed runs on. */
export const FAILING_MIN_FAILURE_RATE = 0.2;

/**
 * failed / rated, rounded to 4 decimals (the precision stored in health_snapshot);
 * undefined when no run in the window has a rated outcome yet.
 */
export function failureRate(failed: number, rated: number): number | undefined {
  if (rated <= 0) return undefined;
  return Math.round((failed / rated) * 10_000) / 10_000;
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;
const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

/** The reason a health rollup gives for changing an entry, e.g. "health: 12 runs in 30 days, 8% failed". */
export function healthReason(h: Pick<CatalogHealth, 'runCount' | 'failureRate' | 'windowDays'>): string {
  if (h.runCount === 0) return `health: no runs in ${h.windowDays} days`;
  return `health: ${runs(h.runCount)} in ${h.windowDays} days${h.failureRate !== undefined ? `, ${percent(h.failureRate)} failed` : ''}`;
}

/** The warning of an entry whose certification expired (certification_state 'stale'). */
export const REVIEW_OVERDUE_WARNING = 'review overdue: the certification expired and awaits recertification';

export interface TrustFacts {
  risk: string;
  status: string;
  reviewer?: string;
  /** the latest version passed its marketplace review (issue 12) */
  marketplaceReviewed?: boolean;
  /** the latest version's signature verifies with its publisher's key */
  signed?: boolean;
  certificationState: CatalogTrust['certificationState'];
  health: CatalogHealth;
  approvalRequirements: CatalogApprovalRequirement[];
}

/**
 * Badges and warnings of a catalog entry. Badges: "reviewed" (a reviewer approved the
 * latest published version), "certified", "healthy" (≥ HEALTHY_MIN_RUNS runs in the window
 * and a failure rate below HEALTHY_MAX_FAILURE_RATE). Warnings, in the order a reader needs
 * them: high/critical risk (and what a run waits for), deprecated/archived, a stale or
 * revoked certification, failing (≥ FAILING_MIN_FAILURE_RATE), never run / no recent runs.
 */
export function trustSignals(f: TrustFacts): Pick<CatalogTrust, 'badges' | 'warnings'> {
  const badges: string[] = [];
  const warnings: string[] = [];
  const { health: h } = f;

  if (f.reviewer || f.marketplaceReviewed) badges.push('reviewed');
  if (f.certificationState === 'certified') badges.push('certified');
  if (f.certificationState === 'stale') badges.push('review overdue');
  if (f.signed) badges.push('signed');
  if (h.runCount >= HEALTHY_MIN_RUNS && h.failureRate !== undefined && h.failureRate < HEALTHY_MAX_FAILURE_RATE) badges.push('healthy');

  if (f.risk === 'high' || f.risk === 'critical') {
    const steps = f.approvalRequirements.map((a) => a.stepId);
    warnings.push(
      steps.length
        ? `${f.risk} risk: every run waits for approval (${steps.join(', ')})`
        : `${f.risk} risk: runs act without an approval step`,
    );
  }
  if (f.status === 'deprecated' || f.status === 'archived') warnings.push(f.status);
  if (f.certificationState === 'stale') warnings.push(REVIEW_OVERDUE_WARNING);
  if (f.certificationState === 'revoked') warnings.push('certification revoked');
  if (h.failureRate !== undefined && h.failureRate >= FAILING_MIN_FAILURE_RATE) {
    warnings.push(`failing: ${percent(h.failureRate)} of runs failed in ${h.windowDays} days`);
  }
  if (!h.lastRunAt) warnings.push('never run');
  else if (h.runCount === 0) warnings.push(`no runs in ${h.windowDays} days`);
  return { badges, warnings };
}

const isExpression = (v: unknown) => typeof v === 'string' && v.includes('${{');
const literalStrings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && !isExpression(x)) : []);

/**
 * The approval steps of a spec (also inside parallel groups), as a reader sees them before
 * pressing Run: who may decide and how many approvals are needed. Mirrors the run engine:
 * an approval step that names no approvers is decided by DEFAULT_APPROVER_ROLES, and a
 * count below 1 means 1. Approvers given by an expression are only known at run time.
 */
export function approvalRequirements(spec: { steps: Step[] }): CatalogApprovalRequirement[] {
  return walkSteps(spec.steps).flatMap(({ step }) => {
    if (isParallel(step) || step.task.split('@')[0] !== 'approval') return [];
    const given = step.with ?? {};
    const approvers = (given.approvers ?? {}) as Record<string, unknown>;
    const users = literalStrings(approvers.users);
    const named = literalStrings(approvers.roles);
    const dynamic = isExpression(given.approvers) || isExpression(approvers.roles) || isExpression(approvers.users);
    const roles = named.length || users.length || dynamic ? named : [...DEFAULT_APPROVER_ROLES];
    const count = typeof given.count === 'number' && given.count >= 1 ? Math.floor(given.count) : 1;
    const title = step.name ?? (typeof given.message === 'string' && !isExpression(given.message) ? given.message : undefined);
    return [{ stepId: step.id, ...(title ? { title } : {}), roles, users, count }];
  });
}
