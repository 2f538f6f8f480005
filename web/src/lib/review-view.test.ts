import { describe, expect, it } from 'vitest';
import { deadlineState, previousVersion, span } from './review-view.ts';

describe('previousVersion', () => {
  const versions = [
    { version: '1.0.0', status: 'published' },
    { version: '1.2.0', status: 'published' },
    { version: '1.10.0', status: 'published' },
    { version: '1.11.0', status: 'draft' },
    { version: '2.0.0', status: 'published' },
  ];
  it('is the highest published version below, by semver precedence', () => {
    expect(previousVersion(versions, '1.11.0')).toBe('1.10.0');
    expect(previousVersion(versions, '3.0.0')).toBe('2.0.0');
  });
  it('is undefined for a first version', () => {
    expect(previousVersion(versions, '0.9.0')).toBeUndefined();
    expect(previousVersion([], '1.0.0')).toBeUndefined();
  });
});

describe('deadlineState', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');
  it('counts down to the deadline and warns within a day', () => {
    expect(deadlineState({ status: 'open', deadlineAt: '2026-12-08T10:00:00Z' }, now)).toEqual({ state: 'on-time', label: 'due in 3 d' });
    expect(deadlineState({ status: 'open', deadlineAt: '2026-12-05T15:00:00Z' }, now)).toEqual({ state: 'due-soon', label: 'due in 5 h' });
  });
  it('says when it escalated or expired, and nothing of a decided review', () => {
    expect(deadlineState({ status: 'escalated', deadlineAt: '2026-12-06T10:00:00Z', escalatedAt: '2026-12-05T09:00:00Z' }, now).state).toBe('escalated');
    expect(deadlineState({ status: 'open', deadlineAt: '2026-12-05T09:00:00Z' }, now)).toEqual({ state: 'escalated', label: 'deadline passed 1 h ago' });
    expect(deadlineState({ status: 'expired', deadlineAt: '2026-12-05T09:00:00Z' }, now).state).toBe('expired');
    expect(deadlineState({ status: 'passed', deadlineAt: '2026-12-05T09:00:00Z' }, now).state).toBe('done');
  });
});

describe('span', () => {
  it('rounds spans for people', () => {
    expect(span(20_000)).toBe('1 min');
    expect(span(3 * 3600_000)).toBe('3 h');
    expect(span(72 * 3600_000)).toBe('3 d');
  });
});
