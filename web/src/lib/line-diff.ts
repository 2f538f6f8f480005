/**
 * A unified line diff of two specs for the review page: both are printed as sorted, indented
 * JSON (so key order never shows as a change), then compared line by line (longest common
 * subsequence) and cut into hunks with a little context. Bounded: past MAX_DIFF_CELLS the
 * diff is not computed and the caller says so.
 */

export type DiffLine = { op: 'same' | 'add' | 'del'; text: string; oldNo?: number; newNo?: number };
export interface DiffHunk {
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}
export type LineDiff = { ok: true; hunks: DiffHunk[]; added: number; removed: number } | { ok: false; reason: string };

/** old lines × new lines the table may hold (16M cells: well under a second here). */
export const MAX_DIFF_CELLS = 4_000_000;

/** Indented JSON with object keys sorted, the form both sides of a spec diff are shown in. */
export function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}

export function lineDiff(before: string, after: string, context = 3): LineDiff {
  const a = before.split('\n');
  const b = after.split('\n');
  // trim the common head and tail: most spec changes are small
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  if ((am.length + 1) * (bm.length + 1) > MAX_DIFF_CELLS) return { ok: false, reason: `too large to compare here (${am.length} × ${bm.length} changed lines)` };

  // LCS lengths from the end, one flat table
  const w = bm.length + 1;
  const lcs = new Uint32Array((am.length + 1) * w);
  for (let i = am.length - 1; i >= 0; i--) {
    for (let j = bm.length - 1; j >= 0; j--) {
      lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }

  const all: DiffLine[] = [];
  for (let k = 0; k < head; k++) all.push({ op: 'same', text: a[k]!, oldNo: k + 1, newNo: k + 1 });
  let i = 0;
  let j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) {
      all.push({ op: 'same', text: am[i]!, oldNo: head + i + 1, newNo: head + j + 1 });
      i++;
      j++;
    } else if (j < bm.length && (i === am.length || lcs[i * w + j + 1]! > lcs[(i + 1) * w + j]!)) {
      // on a tie the removal goes first, as unified diffs show a changed line
      all.push({ op: 'add', text: bm[j]!, newNo: head + j + 1 });
      j++;
    } else {
      all.push({ op: 'del', text: am[i]!, oldNo: head + i + 1 });
      i++;
    }
  }
  for (let k = 0; k < tail; k++) all.push({ op: 'same', text: a[a.length - tail + k]!, oldNo: a.length - tail + k + 1, newNo: b.length - tail + k + 1 });

  // hunks: each changed line with `context` lines around it; overlapping or touching windows merge
  const hunks: DiffHunk[] = [];
  let window: { from: number; to: number } | undefined;
  const flush = () => {
    if (!window) return;
    const lines = all.slice(window.from, window.to + 1);
    const first = lines[0]!;
    hunks.push({ oldStart: first.oldNo ?? first.newNo ?? 1, newStart: first.newNo ?? first.oldNo ?? 1, lines });
  };
  all.forEach((line, idx) => {
    if (line.op === 'same') return;
    const from = Math.max(0, idx - context);
    const to = Math.min(all.length - 1, idx + context);
    if (window && from <= window.to + 1) window.to = to;
    else {
      flush();
      window = { from, to };
    }
  });
  flush();
  const added = all.filter((l) => l.op === 'add').length;
  const removed = all.filter((l) => l.op === 'del').length;
  return { ok: true, hunks, added, removed };
}
