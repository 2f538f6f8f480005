import { describe, expect, it } from 'vitest';
import type { UpgradePlan } from '../data/upgrades.ts';
import { phaseMarks } from './upgrade-phases.ts';

const plan = (over: Partial<UpgradePlan> = {}) =>
  ({ approval: { required: true, reasons: ['the change is breaking'], count: 1 }, smoke: { mode: 'run', timeout: '2m' }, ...over }) as UpgradePlan;

describe('phaseMarks', () => {
  it('marks the phases before the current one done and the rest pending', () => {
    expect(phaseMarks({ status: 'smoke_testing', plan: plan(), approvals: [] })).toEqual({
      planning: 'done',
      awaiting_approval: 'done',
      applying: 'done',
      smoke_testing: 'current',
      watching: 'skipped',
      end: 'pending',
    });
  });

  it('skips approval, smoke run and watch that the plan does not need', () => {
    expect(phaseMarks({ status: 'upgraded', plan: plan({ approval: { required: false, reasons: [], count: 0 }, smoke: undefined }), approvals: [] })).toEqual({
      planning: 'done',
      awaiting_approval: 'skipped',
      applying: 'done',
      smoke_testing: 'skipped',
      watching: 'skipped',
      end: 'done',
    });
  });

  it('a failed smoke run stops at smoke testing and ends rolled back', () => {
    const marks = phaseMarks({
      status: 'rolled_back',
      plan: plan(),
      approvals: [],
      smokeRun: { runId: 'r', workflowId: 'w', status: 'failed' },
      rollback: { code: 'SMOKE_RUN_FAILED', reason: 'the smoke run failed' },
    });
    expect(marks.smoke_testing).toBe('failed');
    expect(marks.watching).toBe('skipped');
    expect(marks.end).toBe('failed');
  });

  it('a failed watch window stops at watching, after a smoke run that passed', () => {
    const marks = phaseMarks({
      status: 'rolling_back',
      plan: plan({ watch: { window: '10m', maxFailureRate: 0.2, minRuns: 3 } }),
      approvals: [],
      smokeRun: { runId: 'r', workflowId: 'w', status: 'completed' },
      watch: { finished: 5, failed: 3 },
      rollback: { code: 'WATCH_WINDOW_FAILED', reason: '3 of 5 runs failed' },
    });
    expect(marks).toMatchObject({ smoke_testing: 'done', watching: 'failed', end: 'current' });
  });

  it('a rejection stops at approval; a blocked plan at planning', () => {
    expect(phaseMarks({ status: 'rejected', plan: plan(), approvals: [] })).toMatchObject({ planning: 'done', awaiting_approval: 'failed', applying: 'pending', end: 'failed' });
    expect(phaseMarks({ status: 'blocked', approvals: [] })).toMatchObject({ planning: 'failed', applying: 'pending', end: 'failed' });
  });
});
