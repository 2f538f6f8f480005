import { useBeforeLeave, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createMemo, For, on, Show } from 'solid-js';
import { CatalogFacets } from '../components/catalog-facets.tsx';
import { CatalogList } from '../components/catalog-list.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { SearchBox, type SearchTrigger } from '../components/search-box.tsx';
import { catalogHref, catalogSearchParams, hasFilters, parseCatalogQuery, withoutFilters, type CatalogQuery, type CatalogSort } from '../lib/catalog-query.ts';
import { createCatalogResults } from '../lib/catalog-results.ts';
import { usePageTitle } from '../lib/page-title.ts';

const SORT_LABELS: Record<CatalogSort, string> = { relevance: 'Relevance', updated: 'Recently updated', usage: 'Most used' };
const sameQuery = (a: CatalogQuery, b: CatalogQuery) => catalogSearchParams(a).toString() === catalogSearchParams(b).toString();

/** How far down each catalog URL was scrolled when it was left, so Back returns to the same row. */
const scrolledTo = new Map<string, number>();
let poppedAt = Number.NEGATIVE_INFINITY;
if (typeof window !== 'undefined') window.addEventListener('popstate', () => (poppedAt = performance.now()));

/**
 * The catalog: every bit of state (words, filters, sort) is in the URL. Filter and sort
 * changes push a history entry; typing replaces the entry its own first keystroke pushed,
 * so Back returns to the search before it rather than to each prefix typed.
 */
export function CatalogPage() {
  usePageTitle('Catalog');
  const location = useLocation();
  const navigate = useNavigate();
  const query = createMemo(() => parseCatalogQuery(location.search), undefined, { equals: sameQuery });
  const results = createCatalogResults(query);
  let typedHref: string | undefined;

  useBeforeLeave((e) => void scrolledTo.set(e.from.pathname + e.from.search, window.scrollY));
  // Back/forward to a search seen moments ago: its results are still in memory, so its scroll
  // position can be restored too (a fresh search starts at the top).
  createEffect(
    on(query, () => {
      const y = scrolledTo.get(location.pathname + location.search);
      if (y && performance.now() - poppedAt < 1000 && results.shown() && !results.loading()) requestAnimationFrame(() => window.scrollTo(0, y));
    }),
  );

  const go = (next: CatalogQuery, replace = false) => {
    const href = catalogHref(next);
    if (href !== catalogHref(query())) navigate(href, { replace });
    return href;
  };
  const search = (q: string, trigger: SearchTrigger) => {
    if (trigger === 'escape') {
      typedHref = undefined;
      go({ ...query(), q });
      return;
    }
    const here = location.pathname + location.search;
    typedHref = go({ ...query(), q }, typedHref === here);
  };
  const change = (next: CatalogQuery) => {
    typedHref = undefined;
    go(next);
  };

  const found = () => results.shown()?.found ?? 0;
  const summary = () => {
    const r = results.shown();
    if (!r) return results.error() ? 'Search failed' : 'Searching the catalog…';
    const n = `${r.found.toLocaleString()} ${r.found === 1 ? 'workflow' : 'workflows'}`;
    return r.query.q ? `${n} matching “${r.query.q}”` : n;
  };

  return (
    <div class="catalog">
      <div class="page-head">
        <h1>Catalog</h1>
        <p class="lede">Published workflows you can run: your tenant's own and the global ones.</p>
      </div>

      <SearchBox value={query().q} busy={results.loading()} onSearch={search} hint="Results update as you type; Enter searches at once, Escape clears." />

      <div class="catalog-toolbar">
        <h2 id="results-title" class="results-summary" aria-live="polite" data-testid="results-summary" data-found={results.shown() ? found() : undefined}>
          {summary()}
          <Show when={results.shown()?.source}>
            {(source) => (
              <span class="source" data-testid="results-source" data-source={source()}>
                {' '}
                · via {source() === 'postgres' ? 'the database' : 'the search index'}
              </span>
            )}
          </Show>
        </h2>
        <label class="sort-select">
          Sort by{' '}
          <select data-testid="sort" onChange={(e) => change({ ...query(), sort: e.currentTarget.value as CatalogSort })}>
            <For each={Object.entries(SORT_LABELS)}>
              {([value, label]) => (
                <option value={value} selected={query().sort === value}>
                  {label}
                </option>
              )}
            </For>
          </select>
        </label>
      </div>

      <div class="catalog-layout">
        <CatalogFacets query={query()} facets={results.shown()?.facets} onChange={change} />

        <section class="results" aria-labelledby="results-title">
          <Show when={results.shown()?.degraded}>
            <div class="banner banner-warn degraded" role="status" data-testid="degraded-notice">
              <strong>Degraded: database search, no typo tolerance.</strong> The search index cannot be reached, so the database answered; a
              misspelled word finds nothing until it is back (no action needed).
            </div>
          </Show>

          <Show
            when={!results.error()}
            fallback={<ErrorPanel error={results.error()} retry={() => results.retry()} />}
          >
            <Show when={results.shown()} fallback={<ListSkeleton />}>
              <Show
                when={found() > 0}
                fallback={
                  <div classList={{ stale: results.stale() }}>
                    <EmptyState title={query().q ? `No workflows match “${query().q}”${hasFilters(query()) ? ' with these filters' : ''}.` : hasFilters(query()) ? 'No workflows match these filters.' : 'The catalog is empty.'}>
                      <p>{query().q || hasFilters(query()) ? 'Try fewer or different words, or fewer filters.' : 'Published workflows appear here.'}</p>
                      <div class="actions empty-actions">
                        <Show when={hasFilters(query())}>
                          <button type="button" class="button" onClick={() => change(withoutFilters(query()))}>
                            Clear filters
                          </button>
                        </Show>
                        <Show when={query().q}>
                          <button type="button" class="button" onClick={() => change({ ...query(), q: '' })}>
                            Clear search
                          </button>
                        </Show>
                      </div>
                    </EmptyState>
                  </div>
                }
              >
                <CatalogList results={results} label="Catalog results" />
              </Show>
            </Show>
          </Show>
        </section>
      </div>
    </div>
  );
}

/** The first answer is on its way: the shape of the list, not a spinner. */
function ListSkeleton() {
  return (
    <div class="catalog-skeleton" role="status" aria-label="Searching the catalog" data-testid="catalog-loading">
      <For each={[0, 1, 2, 3, 4, 5]}>
        {() => (
          <div class="catalog-row row-placeholder skeleton-row" aria-hidden="true">
            <div class="row-main">
              <span class="skeleton skeleton-title" />
              <span class="skeleton skeleton-line" />
              <span class="skeleton skeleton-short" />
            </div>
          </div>
        )}
      </For>
    </div>
  );
}
