import { describe, expect, it } from 'vitest';
import { lineDiff, sortedJson } from './line-diff.ts';

const lines = (n: number, f = (i: number) => `line ${i}`) => Array.from({ length: n }, (_, i) => f(i + 1)).join('\n');

describe('sortedJson', () => {
  it('prints keys sorted at every depth, so key order is never a change', () => {
    expect(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } })).toBe(sortedJson({ a: { c: 2, d: [{ y: 2, z: 1 }] }, b: 1 }));
  });
});

describe('lineDiff', () => {
  it('finds nothing in equal texts', () => {
    const d = lineDiff(lines(10), lines(10));
    expect(d).toEqual({ ok: true, hunks: [], added: 0, removed: 0 });
  });

  it('shows a changed line with three lines of context and both line numbers', () => {
    const d = lineDiff(lines(20), lines(20, (i) => (i === 10 ? 'line ten' : `line ${i}`)));
    if (!d.ok) throw new Error(d.reason);
    expect(d.added).toBe(1);
    expect(d.removed).toBe(1);
    expect(d.hunks).toHaveLength(1);
    const h = d.hunks[0]!;
    expect(h.oldStart).toBe(7);
    expect(h.newStart).toBe(7);
    expect(h.lines.map((l) => `${l.op}:${l.text}`)).toEqual([
      'same:line 7', 'same:line 8', 'same:line 9', 'del:line 10', 'add:line ten', 'same:line 11', 'same:line 12', 'same:line 13',
    ]);
    expect(h.lines.find((l) => l.op === 'add')!.newNo).toBe(10);
  });

  it('keeps far-apart changes in separate hunks and merges close ones', () => {
    const far = lineDiff(lines(40), lines(40, (i) => (i === 5 || i === 30 ? `x${i}` : `line ${i}`)));
    const near = lineDiff(lines(40), lines(40, (i) => (i === 5 || i === 10 ? `x${i}` : `line ${i}`)));
    expect(far.ok && far.hunks.length).toBe(2);
    expect(near.ok && near.hunks.length).toBe(1);
  });

  it('numbers added and removed lines against their own side', () => {
    const d = lineDiff('a\nb\nc', 'a\nc\nd');
    if (!d.ok) throw new Error(d.reason);
    expect(d.hunks[0]!.lines).toEqual([
      { op: 'same', text: 'a', oldNo: 1, newNo: 1 },
      { op: 'del', text: 'b', oldNo: 2 },
      { op: 'same', text: 'c', oldNo: 3, newNo: 2 },
      { op: 'add', text: 'd', newNo: 3 },
    ]);
  });

  it('declines to compare beyond its bound instead of freezing the page', () => {
    const d = lineDiff(lines(2100, (i) => `a${i}`), lines(2100, (i) => `b${i}`));
    expect(d.ok).toBe(false);
  });
});
