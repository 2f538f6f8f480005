/**
 * The review pages' judgement calls, pure: which version a review compares against, where
 * a review stands against its deadline, and which team decides which kind.
 */
import { compareSemver, isSemver } from '../../../domain/semver.ts';
import type { ReviewKind, ReviewStatus } from '../../../domain/trust.ts';

/**
 * The version a review compares against: the highest published version below `version`
 * (the one installs would upgrade from); undefined for a first version.
 */
export function previousVersion(versions: readonly { version: string; status: string }[], version: string): string | undefined {
  if (!isSemver(version)) return undefined;
  return versions
    .filter((v) => v.status === 'published' && isSemver(v.version) && compareSemver(v.version, version) < 0)
    .map((v) => v.version)
    .sort(compareSemver)
    .at(-1);
}

export type DeadlineState = 'done' | 'on-time' | 'due-soon' | 'escalated' | 'expired';

const OPEN: readonly ReviewStatus[] = ['gathering', 'open', 'escalated'];
/** within this of the deadline a review is "due soon" */
export const DUE_SOON_MS = 24 * 3600_000;

/** Where a review stands against its deadline, for the queue's and the page's deadline chip. */
export function deadlineState(r: { status: ReviewStatus; deadlineAt?: string | undefined; escalatedAt?: string | undefined }, now: number): { state: DeadlineState; label: string } {
  if (r.status === 'expired') return { state: 'expired', label: 'expired without a decision' };
  if (!OPEN.includes(r.status)) return { state: 'done', label: r.status };
  const left = r.deadlineAt ? Date.parse(r.deadlineAt) - now : NaN;
  if (r.status === 'escalated' || r.escalatedAt) return { state: 'escalated', label: `escalated${Number.isFinite(left) && left > 0 ? `, expires in ${span(left)}` : ''}` };
  if (!Number.isFinite(left)) return { state: 'on-time', label: 'no deadline' };
  if (left <= 0) return { state: 'escalated', label: `deadline passed ${span(-left)} ago` };
  return { state: left <= DUE_SOON_MS ? 'due-soon' : 'on-time', label: `due in ${span(left)}` };
}

/** A rough span for people: `45 min`, `5 h`, `3 d`. */
export function span(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${Math.max(min, 1)} min`;
  const h = Math.round(ms / 3600_000);
  if (h < 48) return `${h} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** The teams whose members may decide a kind (review.rego's mapping; the API has the last word). */
export const KIND_TEAMS: Record<ReviewKind, string> = { security: 'security', performance: 'sre', docs: 'docs' };
