import { describe, expect, it } from 'vitest';
import type { CatalogHealth } from '../../domain/catalog.ts';
import { approvalRequirements, failureRate, healthReason, trustSignals, type TrustFacts } from '../../domain/catalog-rules.ts';

const health = (h: Partial<CatalogHealth> = {}): CatalogHealth => ({ windowDays: 30, runCount: 0, ...h });
const facts = (f: Partial<TrustFacts> = {}): TrustFacts => ({
  risk: 'low',
  status: 'published',
  certificationState: 'none',
  health: health({ runCount: 3, lastRunAt: '2026-11-20T10:00:00.000Z', failureRate: 0.1 }),
  approvalRequirements: [],
  ...f,
});

describe('failure rate', () => {
  it('is failed over rated runs, to 4 decimals, and absent without rated runs', () => {
    expect(failureRate(2, 6)).toBe(0.3333);
    expect(failureRate(0, 12)).toBe(0);
    expect(failureRate(1, 1)).toBe(1);
    expect(failureRate(0, 0)).toBeUndefined();
  });

  it('gives a short reason for the provenance list', () => {
    expect(healthReason({ runCount: 12, windowDays: 30, failureRate: 0.0833 })).toBe('health: 12 runs in 30 days, 8% failed');
    expect(healthReason({ runCount: 1, windowDays: 7 })).toBe('health: 1 run in 7 days');
    expect(healthReason({ runCount: 0, windowDays: 30 })).toBe('health: no runs in 30 days');
  });
});

describe('trust badges and warnings', () => {
  it('an unremarkable entry has neither', () => {
    expect(trustSignals(facts())).toEqual({ badges: [], warnings: [] });
  });

  it('"reviewed" needs a reviewer, "certified" a certified template', () => {
    expect(trustSignals(facts({ reviewer: 'bob' })).badges).toEqual(['reviewed']);
    expect(trustSignals(facts({ certificationState: 'certified' })).badges).toEqual(['certified']);
    expect(trustSignals(facts({ certificationState: 'stale' })).warnings).toEqual(['review overdue: the certification expired and awaits recertification']);
    expect(trustSignals(facts({ certificationState: 'stale' })).badges).toEqual(['review overdue']);
    expect(trustSignals(facts({ marketplaceReviewed: true, signed: true })).badges).toEqual(['reviewed', 'signed']);
    expect(trustSignals(facts({ certificationState: 'revoked' })).warnings).toEqual(['certification revoked']);
  });

  it('"healthy" needs at least 5 runs and a failure rate below 5%', () => {
    const at = (runCount: number, rate?: number) =>
      trustSignals(facts({ health: health({ runCount, lastRunAt: '2026-11-20T10:00:00.000Z', ...(rate !== undefined ? { failureRate: rate } : {}) }) })).badges;
    expect(at(5, 0.04)).toEqual(['healthy']);
    expect(at(4, 0)).toEqual([]);
    expect(at(20, 0.05)).toEqual([]);
    expect(at(5)).toEqual([]); // no run finished yet: nothing to judge
  });

  it('warns about failing entries from 20% failed runs on', () => {
    const warn = (rate: number) => trustSignals(facts({ health: health({ runCount: 10, lastRunAt: '2026-11-20T10:00:00.000Z', failureRate: rate }) })).warnings;
    expect(warn(0.4)).toEqual(['failing: 40% of runs failed in 30 days']);
    expect(warn(0.2)).toEqual(['failing: 20% of runs failed in 30 days']);
    expect(warn(0.19)).toEqual([]);
  });

  it('tells "never run" from "no runs in the window"', () => {
    expect(trustSignals(facts({ health: health() })).warnings).toEqual(['never run']);
    expect(trustSignals(facts({ health: health({ windowDays: 30, runCount: 0, lastRunAt: '2026-09-01T00:00:00.000Z', lastRunStatus: 'completed' }) })).warnings).toEqual([
      'no runs in 30 days',
    ]);
  });

  it('names what a high-risk run waits for, and says so when nothing stops it', () => {
    const gate = { stepId: 'managerApproval', roles: ['reviewer'], users: [], count: 1 };
    expect(trustSignals(facts({ risk: 'high', approvalRequirements: [gate] })).warnings).toEqual(['high risk: every run waits for approval (managerApproval)']);
    expect(trustSignals(facts({ risk: 'critical' })).warnings).toEqual(['critical risk: runs act without an approval step']);
    expect(trustSignals(facts({ risk: 'medium' })).warnings).toEqual([]);
  });

  it('lists warnings in reading order', () => {
    const all = trustSignals(
      facts({ risk: 'high', status: 'deprecated', certificationState: 'stale', health: health({ runCount: 0, failureRate: 0.5 }) }),
    );
    expect(all.warnings).toEqual([
      'high risk: runs act without an approval step',
      'deprecated',
      'review overdue: the certification expired and awaits recertification',
      'failing: 50% of runs failed in 30 days',
      'never run',
    ]);
  });
});

describe('approval requirements of a spec', () => {
  it('finds approval steps, also inside parallel groups, as the run engine reads them', () => {
    const steps = [
      { id: 'prepare', task: 'transform@1.0.0', with: { expression: '1', data: {} } },
      {
        id: 'checks',
        parallel: [
          { id: 'security', name: 'Security sign-off', task: 'approval@1.0.0', with: { approvers: { roles: ['reviewer'], users: ['dave'] }, count: 2 } },
          { id: 'note', task: 'transform@1.0.0', with: { expression: '1', data: {} } },
        ],
      },
      { id: 'manager', task: 'approval@1.0.0', with: { message: 'Order the laptop?' } },
      { id: 'dynamic', task: 'approval@2.0.0', with: { message: 'Approve ${{ params.item }}?', approvers: { users: '${{ params.approvers }}' }, count: 0 } },
    ];
    expect(approvalRequirements({ steps })).toEqual([
      { stepId: 'security', title: 'Security sign-off', roles: ['reviewer'], users: ['dave'], count: 2 },
      // no approvers named: the engine's default roles decide
      { stepId: 'manager', title: 'Order the laptop?', roles: ['reviewer', 'tenant-admin'], users: [], count: 1 },
      // approvers from an expression are only known when it runs; a message with an expression is no title
      { stepId: 'dynamic', roles: [], users: [], count: 1 },
    ]);
  });
});
