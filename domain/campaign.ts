/**
 * Upgrade campaigns (issue 11): the pure rules a campaign follows — which instance a new
 * version may reach under its upgrade policy, how the eligible instances split into waves,
 * what a wave's outcome means — shared by the campaign's activities, its workflow and tests.
 * The shapes (CampaignInput, CampaignProgress, CampaignWave) live in domain/upgrade.ts.
 */
import type { ChangeKind } from './change-kind.ts';
import { UPGRADE_CODES, policyAllows, type CampaignProgress, type CampaignStatus, type CampaignWave, type UpgradePolicy, type UpgradeStatus } from './upgrade.ts';

/** Default waves: 10 % of the eligible instances (at least one), then the rest. */
export const DEFAULT_CAMPAIGN_WAVES: readonly number[] = [0.1, 1];
/** Upgrades running at once within a wave. */
export const DEFAULT_CAMPAIGN_CONCURRENCY = 20;
export const MAX_CAMPAIGN_CONCURRENCY = 200;
export const MAX_CAMPAIGN_WAVES = 10;

/** Stable codes of campaigns (beside UPGRADE_CODES). */
export const CAMPAIGN_CODES = {
  waveFailed: 'CAMPAIGN_WAVE_FAILED',
  breaking: 'CAMPAIGN_BREAKING_VERSION',
  invalidInput: 'CAMPAIGN_INVALID_INPUT',
  versionNotPublished: 'CAMPAIGN_VERSION_NOT_PUBLISHED',
} as const;

export const TERMINAL_CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['completed', 'halted', 'nothing_to_do'];

/** The policy an instance row stores (the first marketplace migration spelled them auto-patch / auto-minor). */
export function normalizePolicy(stored: string): UpgradePolicy {
  if (stored === 'patch' || stored === 'auto-patch') return 'patch';
  if (stored === 'minor' || stored === 'auto-minor') return 'minor';
  return 'pinned';
}

/**
 * May an instance on `from` with `policy` follow `to` automatically? The policy's range
 * (domain/upgrade.ts policyAllows: `patch` same major.minor, `minor` same major, `pinned`
 * never, never a pre-release) — and never a breaking version, whatever its number.
 */
export function autoUpgradeAllows(policy: UpgradePolicy, from: string, to: string, kind: ChangeKind): boolean {
  return kind !== 'breaking' && policyAllows(policy, from, to);
}

/** Why a campaign's waves or concurrency are refused; undefined when they are fine. */
export function campaignOptionsProblem(waves: readonly number[] | undefined, concurrency: number | undefined): string | undefined {
  if (waves) {
    if (!waves.length || waves.length > MAX_CAMPAIGN_WAVES) return `waves: 1 to ${MAX_CAMPAIGN_WAVES} fractions`;
    for (let i = 0; i < waves.length; i++) {
      const w = waves[i]!;
      if (!(w > 0 && w <= 1)) return 'waves: each fraction is in (0, 1]';
      if (i > 0 && !(w > waves[i - 1]!)) return 'waves: cumulative fractions, strictly increasing';
    }
    if (waves[waves.length - 1] !== 1) return 'waves: the last wave reaches every eligible instance (1)';
  }
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_CAMPAIGN_CONCURRENCY)) {
    return `concurrency: an integer from 1 to ${MAX_CAMPAIGN_CONCURRENCY}`;
  }
  return undefined;
}

/**
 * The size of each wave for `eligible` instances and cumulative fractions: the first wave
 * holds at least one instance, empty waves are dropped (1 eligible instance = one wave).
 */
export function waveSizes(eligible: number, fractions: readonly number[] = DEFAULT_CAMPAIGN_WAVES): number[] {
  const sizes: number[] = [];
  let reached = 0;
  for (const f of fractions) {
    const upTo = Math.min(eligible, Math.max(reached === 0 ? 1 : reached, Math.ceil(eligible * f)));
    if (upTo > reached) sizes.push(upTo - reached);
    reached = upTo;
  }
  if (reached < eligible) sizes.push(eligible - reached);
  return sizes;
}

/** How one instance's upgrade ended, from the campaign's point of view. */
export type CampaignOutcome = 'upgraded' | 'rolled_back' | 'failed' | 'skipped';

/**
 * An upgrade's end as a campaign outcome: rolled back (its smoke run or watch window
 * failed) and failed count against the wave; blocked or rejected changed nothing and say
 * nothing about the version (the instance's own bindings or its tenant's decision).
 */
export function outcomeOf(status: UpgradeStatus, code?: string): CampaignOutcome {
  if (status === 'upgraded') return 'upgraded';
  if (status === 'rolled_back') return 'rolled_back';
  // the instance was busy or gone when its turn came: nothing about the version
  if (status === 'failed' && !NOT_THE_VERSIONS_FAULT.includes(code ?? '')) return 'failed';
  return 'skipped';
}

const NOT_THE_VERSIONS_FAULT: readonly string[] = [UPGRADE_CODES.inProgress, UPGRADE_CODES.instanceNotActive, UPGRADE_CODES.notNewer, 'INSTANCE_CHANGED', 'INSTANCE_GONE'];

export const emptyWave = (index: number, instances: number): CampaignWave => ({
  index,
  instances,
  upgraded: 0,
  rolledBack: 0,
  failed: 0,
  skipped: 0,
  reverted: 0,
  status: 'pending',
});

export function countOutcome(wave: CampaignWave, outcome: CampaignOutcome): void {
  if (outcome === 'upgraded') wave.upgraded++;
  else if (outcome === 'rolled_back') wave.rolledBack++;
  else if (outcome === 'failed') wave.failed++;
  else wave.skipped++;
}

/** A wave fails when any of its upgrades rolled back or failed. */
export const waveFailed = (w: CampaignWave) => w.rolledBack + w.failed > 0;

/**
 * What a campaign carries across continue-as-new (pages of a large fleet): its progress so
 * far and where it stands, so a continued run resumes instead of selecting again.
 */
export interface CampaignCarry {
  eligible: number;
  waves: CampaignWave[];
  /** the wave being worked on and the last position done in it (-1: none yet) */
  wave: number;
  after: number;
  startedAt: string;
}

/** The publisher's counts from a campaign's row (the read model) — never an instance id. */
export function campaignTotals(p: Pick<CampaignProgress, 'waves'>) {
  return p.waves.reduce(
    (t, w) => ({
      upgraded: t.upgraded + w.upgraded,
      rolledBack: t.rolledBack + w.rolledBack,
      failed: t.failed + w.failed,
      skipped: t.skipped + w.skipped,
      reverted: t.reverted + w.reverted,
    }),
    { upgraded: 0, rolledBack: 0, failed: 0, skipped: 0, reverted: 0 },
  );
}
