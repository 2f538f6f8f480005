import { useNavigate } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import { CATALOG_MAX_ROWS, CATALOG_PER_PAGE } from '../data/catalog.ts';
import type { CatalogResultsController } from '../lib/catalog-results.ts';
import { errorMessage } from '../lib/format.ts';
import { catalogEntryHref, CatalogRow } from './catalog-row.tsx';

/** Row heights (px) by layout; every row has the same height so the window is simple arithmetic. */
const ROW_WIDE = 104;
const ROW_NARROW = 200;
const GAP = 8;
/** rows rendered above and below the viewport */
const OVERSCAN = 6;
const NARROW = '(max-width: 760px)';

/** `performance.mark('catalog:first-rows')` once per page load: the bench measures cold loads by it. */
let firstRowsMarked = false;

/**
 * The catalog's results as an ARIA feed over up to 100k rows: only the rows in (and near)
 * the viewport are in the DOM; pages are fetched as their rows come into view. One tab stop
 * (roving tabindex); arrows, Page Up/Down, Home/End move between rows; Enter opens one.
 */
export function CatalogList(props: { results: CatalogResultsController; label: string }) {
  const r = props.results;
  const navigate = useNavigate();
  let feed: HTMLDivElement | undefined;

  const media = typeof window !== 'undefined' ? window.matchMedia(NARROW) : undefined;
  const [narrow, setNarrow] = createSignal(media?.matches ?? false);
  const onMedia = () => setNarrow(media?.matches ?? false);
  media?.addEventListener('change', onMedia);
  onCleanup(() => media?.removeEventListener('change', onMedia));

  const rowHeight = () => (narrow() ? ROW_NARROW : ROW_WIDE);
  const stride = () => rowHeight() + GAP;
  const guess = () => Math.ceil((typeof window !== 'undefined' ? window.innerHeight : 900) / stride()) + OVERSCAN;
  const [range, setRange] = createSignal({ start: 0, end: guess() });
  const [active, setActive] = createSignal(0);

  const measure = () => {
    if (!feed) return;
    const top = feed.getBoundingClientRect().top;
    const s = stride();
    const start = Math.max(0, Math.floor(-top / s) - OVERSCAN);
    const end = Math.max(0, Math.floor((window.innerHeight - top) / s) + OVERSCAN);
    const cur = range();
    if (cur.start !== start || cur.end !== end) setRange({ start, end });
  };
  let frame = 0;
  const onScroll = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), measure()));
  };
  onMount(() => {
    measure();
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll, { passive: true });
  });
  onCleanup(() => {
    cancelAnimationFrame(frame);
    window.removeEventListener('scroll', onScroll);
    window.removeEventListener('resize', onScroll);
  });
  createEffect(on(narrow, () => measure(), { defer: true }));

  const count = () => r.rowCount();
  /** the rows in the DOM: the window, plus the focused row so focus is never dropped */
  const indices = createMemo(() => {
    const n = count();
    const { start, end } = range();
    const out: number[] = [];
    for (let i = start; i <= Math.min(end, n - 1); i++) out.push(i);
    const a = active();
    if (a < n && (a < start || a > end)) out.push(a);
    return out;
  });

  // Fetch the pages under the window (and the focused row).
  createEffect(() => {
    const n = count();
    if (!n) return;
    const { start, end } = range();
    r.ensureRows(start, Math.min(end, n - 1));
    const a = active();
    if (a < n && (a < start || a > end)) r.ensureRows(a, a);
  });

  // A new result set starts at its first row.
  createEffect(on(() => r.shown()?.key, () => setActive(0), { defer: true }));

  // The first painted rows of this page load are what the catalog's cold-load figure measures.
  createEffect(() => {
    if (firstRowsMarked || !count() || !r.itemAt(indices()[0] ?? 0)) return;
    firstRowsMarked = true;
    requestAnimationFrame(() => setTimeout(() => performance.mark('catalog:first-rows'), 0));
  });

  const tabStop = () => {
    const list = indices();
    return list.includes(active()) ? active() : (list[0] ?? 0);
  };

  const rowElement = (i: number) => feed?.querySelector<HTMLElement>(`[data-index="${i}"]`);

  const focusRow = (i: number) => {
    const n = count();
    if (!n || !feed) return;
    const target = Math.max(0, Math.min(n - 1, i));
    setActive(target);
    const s = stride();
    const rowTop = feed.getBoundingClientRect().top + window.scrollY + target * s;
    const margin = 16;
    if (rowTop < window.scrollY + margin) window.scrollTo({ top: rowTop - margin });
    else if (rowTop + rowHeight() > window.scrollY + window.innerHeight - margin) {
      window.scrollTo({ top: rowTop + rowHeight() - window.innerHeight + margin });
    }
    measure();
    rowElement(target)?.focus({ preventScroll: true });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const from = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!from || e.altKey || e.ctrlKey || e.metaKey) return;
    const i = Number(from.dataset.index);
    const pageRows = Math.max(1, Math.floor(window.innerHeight / stride()) - 1);
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = i + 1;
        break;
      case 'ArrowUp':
        next = i - 1;
        break;
      case 'PageDown':
        next = i + pageRows;
        break;
      case 'PageUp':
        next = i - pageRows;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count() - 1;
        break;
      case 'Enter': {
        const entry = r.itemAt(i);
        if (entry) {
          e.preventDefault();
          navigate(catalogEntryHref(entry.id));
        }
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    focusRow(next);
  };

  const found = () => r.shown()?.found ?? 0;

  return (
    <>
      <p id="catalog-keys" class="visually-hidden">
        Use the arrow keys, Page Up, Page Down, Home and End to move between results, and Enter to open one.
      </p>
      <div
        ref={feed}
        role="feed"
        class="catalog-feed"
        classList={{ stale: r.stale() }}
        aria-label={props.label}
        aria-describedby="catalog-keys"
        aria-busy={r.stale()}
        data-testid="catalog-feed"
        data-row-count={count()}
        style={{ height: `${Math.max(0, count() * stride() - GAP)}px` }}
        onKeyDown={onKeyDown}
      >
        <For each={indices()}>
          {(i) => (
            <CatalogRow
              index={i}
              entry={r.itemAt(i)}
              top={i * stride()}
              height={rowHeight()}
              setSize={count()}
              tabIndex={tabStop() === i ? 0 : -1}
              onFocus={setActive}
            />
          )}
        </For>
      </div>
      <Show when={r.pageError()}>
        {(pe) => (
          <div class="inline-error list-error" role="alert">
            Results {(pe().page - 1) * CATALOG_PER_PAGE + 1}–{pe().page * CATALOG_PER_PAGE} could not be loaded: {errorMessage(pe().error)}
            <button type="button" class="button small" onClick={() => r.retry()}>
              Try again
            </button>
          </div>
        )}
      </Show>
      <Show when={found() > CATALOG_MAX_ROWS}>
        <p class="muted list-end">
          The list stops after {CATALOG_MAX_ROWS.toLocaleString()} of {found().toLocaleString()} matches: add words or filters to narrow it.
        </p>
      </Show>
    </>
  );
}
