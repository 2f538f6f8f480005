import type { UpgradeView } from '../data/upgrades.ts';

/** The phases of the upgrade lifecycle in order; `end` is upgraded, rolled back, rejected… */
export type Phase = 'planning' | 'awaiting_approval' | 'applying' | 'smoke_testing' | 'watching' | 'end';
export type Mark = 'done' | 'current' | 'failed' | 'pending' | 'skipped';

export const PHASES: readonly Phase[] = ['planning', 'awaiting_approval', 'applying', 'smoke_testing', 'watching', 'end'];

type Upgrade = Pick<UpgradeView, 'status' | 'plan' | 'approvals' | 'smokeRun' | 'watch' | 'rollback'>;

/** Where the lifecycle stopped short, for the states that end it early. */
function stoppedAt(u: Upgrade): Phase | undefined {
  switch (u.status) {
    case 'blocked':
      return 'planning';
    case 'rejected':
      return 'awaiting_approval';
    case 'rolled_back':
    case 'rolling_back':
      if (u.rollback?.code === 'WATCH_WINDOW_FAILED') return 'watching';
      if (u.rollback?.code === 'SMOKE_RUN_FAILED') return 'smoke_testing';
      return u.smokeRun?.status === 'completed' && u.watch ? 'watching' : u.smokeRun ? 'smoke_testing' : 'applying';
    default:
      return undefined;
  }
}

/**
 * Each phase's mark for an upgrade: done, the current one, where it stopped, not yet, or
 * not needed (no approval required, no smoke run or watch declared).
 */
export function phaseMarks(u: Upgrade): Record<Phase, Mark> {
  const needsApproval = Boolean(u.plan?.approval.required || u.approvals.length || u.status === 'awaiting_approval' || u.status === 'rejected');
  const hasSmoke = Boolean(u.plan?.smoke || u.smokeRun || u.status === 'smoke_testing');
  const hasWatch = Boolean(u.plan?.watch || u.watch || u.status === 'watching');
  const skipped: Partial<Record<Phase, boolean>> = { awaiting_approval: !needsApproval, smoke_testing: !hasSmoke, watching: !hasWatch };
  const stop = stoppedAt(u);
  const at: Phase = stop ?? (u.status === 'upgraded' || u.status === 'failed' ? 'end' : (u.status as Phase));
  const here = PHASES.indexOf(at);
  const out = {} as Record<Phase, Mark>;
  PHASES.forEach((phase, i) => {
    if (skipped[phase] && phase !== stop) out[phase] = 'skipped';
    else if (i < here) out[phase] = 'done';
    else if (i === here) out[phase] = stop ? 'failed' : phase === 'end' ? (u.status === 'upgraded' ? 'done' : 'failed') : 'current';
    else out[phase] = 'pending';
  });
  // an early end still shows how it ended: rolling back is under way, the others are over
  if (stop) out.end = u.status === 'rolling_back' ? 'current' : 'failed';
  return out;
}
