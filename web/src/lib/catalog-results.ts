import { batch, createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import { CATALOG_MAX_ROWS, CATALOG_PER_PAGE, fetchCatalogPage, type CatalogEntry, type CatalogFacets, type CatalogSearchPage } from '../data/catalog.ts';
import { catalogSearchParams, type CatalogQuery } from './catalog-query.ts';

/** The answer to one query: its first page's summary and every page fetched so far. */
export interface CatalogResults {
  key: string;
  query: CatalogQuery;
  found: number;
  facets: CatalogFacets;
  source: CatalogSearchPage['source'];
  degraded: boolean;
  pages: Map<number, CatalogEntry[]>;
  at: number;
}

/** Recent answers, so the back button shows the previous search at once (and its scrolled-in pages). */
const recent = new Map<string, CatalogResults>();
const RECENT_MAX = 8;
/** Younger answers are shown as they are; older ones are shown dimmed while asked again. */
const FRESH_MS = 30_000;
/** Pages kept per answer (×100 rows); scrolling through 100k rows drops the farthest ones. */
const MAX_PAGES = 40;

function remember(r: CatalogResults) {
  recent.delete(r.key);
  recent.set(r.key, r);
  while (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
}

function evictFarPages(r: CatalogResults, near: number) {
  while (r.pages.size > MAX_PAGES) {
    let far = 0;
    let distance = -1;
    for (const p of r.pages.keys()) {
      if (p !== 1 && Math.abs(p - near) > distance) [far, distance] = [p, Math.abs(p - near)];
    }
    if (!far) return;
    r.pages.delete(far);
  }
}

const keyOf = (q: CatalogQuery) => catalogSearchParams(q).toString();
const pageOf = (index: number) => Math.floor(index / CATALOG_PER_PAGE) + 1;

/**
 * Search results for the query in the URL, fetched page by page as rows come into view.
 * While a new query is loading, the previous results stay (`stale()`), never a blank list;
 * answers to queries no longer shown are dropped.
 */
export function createCatalogResults(query: () => CatalogQuery) {
  const [shown, setShown] = createSignal<CatalogResults>();
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  /** pages that failed after the first one (scrolling), to offer a retry in the list */
  const [pageError, setPageError] = createSignal<{ key: string; page: number; error: unknown }>();
  /** bumped when a page arrives: rows re-read their entry */
  const [pagesVersion, setPagesVersion] = createSignal(0);
  const inFlight = new Map<string, AbortController>();
  let current = '';

  /** abort every request but those of `key` (all of them when `key` is undefined) */
  const abortOthers = (key?: string) => {
    for (const [k, c] of inFlight) {
      if (key === undefined || !k.startsWith(`${key}#`)) {
        c.abort();
        inFlight.delete(k);
      }
    }
  };

  async function loadFirst(q: CatalogQuery, key: string) {
    const id = `${key}#1`;
    inFlight.get(id)?.abort();
    const ctl = new AbortController();
    inFlight.set(id, ctl);
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchCatalogPage(q, 1, ctl.signal);
      if (key !== current) return;
      const results: CatalogResults = {
        key,
        query: q,
        found: page.found,
        facets: page.facets,
        source: page.source,
        degraded: page.degraded === true,
        pages: new Map([[1, page.items]]),
        at: Date.now(),
      };
      remember(results);
      batch(() => {
        setShown(results);
        setPageError(undefined);
        setLoading(false);
      });
    } catch (e) {
      if (ctl.signal.aborted || key !== current) return;
      batch(() => {
        setError(e);
        setLoading(false);
      });
    } finally {
      if (inFlight.get(id) === ctl) inFlight.delete(id);
    }
  }

  async function loadPage(r: CatalogResults, page: number) {
    const id = `${r.key}#${page}`;
    if (r.pages.has(page) || inFlight.has(id)) return;
    const ctl = new AbortController();
    inFlight.set(id, ctl);
    try {
      const res = await fetchCatalogPage(r.query, page, ctl.signal);
      r.pages.set(page, res.items);
      evictFarPages(r, page);
      if (r.key === current) setPagesVersion((v) => v + 1);
    } catch (e) {
      if (!ctl.signal.aborted && r.key === current) setPageError({ key: r.key, page, error: e });
    } finally {
      if (inFlight.get(id) === ctl) inFlight.delete(id);
    }
  }

  createEffect(
    on(query, (q) => {
      const key = keyOf(q);
      if (key === current && (shown() || loading())) return;
      current = key;
      abortOthers(key);
      const cached = recent.get(key);
      if (cached) {
        batch(() => {
          setShown(cached);
          setError(undefined);
          setPageError(undefined);
        });
        if (Date.now() - cached.at < FRESH_MS) {
          setLoading(false);
          return;
        }
      }
      void loadFirst(q, key);
    }),
  );
  onCleanup(() => abortOthers());

  const rowCount = () => {
    const r = shown();
    return r ? Math.min(r.found, CATALOG_MAX_ROWS) : 0;
  };

  return {
    shown,
    /** a new query is on its way; what is shown belongs to the previous one */
    stale: () => loading() && shown() !== undefined,
    loading,
    error,
    pageError: () => {
      const e = pageError();
      return e && e.key === shown()?.key ? e : undefined;
    },
    rowCount,
    /** the entry at a row index, or undefined while its page is loading */
    itemAt(index: number): CatalogEntry | undefined {
      pagesVersion();
      const r = shown();
      return r?.pages.get(pageOf(index))?.[index % CATALOG_PER_PAGE];
    },
    /** make sure the pages under rows [from, to] are fetched */
    ensureRows(from: number, to: number) {
      const r = untrack(shown);
      if (!r || r.key !== current) return; // the next query's first page comes first
      const last = Math.min(to, untrack(rowCount) - 1);
      for (let p = pageOf(Math.max(0, from)); p <= pageOf(Math.max(0, last)); p++) void loadPage(r, p);
    },
    retry() {
      const pe = untrack(pageError);
      const r = untrack(shown);
      if (pe && r && pe.key === r.key) {
        setPageError(undefined);
        void loadPage(r, pe.page);
        return;
      }
      void loadFirst(untrack(query), current);
    },
  };
}

export type CatalogResultsController = ReturnType<typeof createCatalogResults>;
