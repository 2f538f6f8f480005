import { createAsync, revalidate, useIsRouting, useSearchParams } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { CatalogRow } from '../components/catalog-row.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { Pager } from '../components/pager.tsx';
import { SearchBox } from '../components/search-box.tsx';
import { searchCatalog } from '../data/catalog.ts';
import { usePageTitle } from '../lib/page-title.ts';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function CatalogPage() {
  usePageTitle('Catalog');
  const [params, setParams] = useSearchParams();
  const q = () => first(params.q) ?? '';
  const page = () => Math.max(1, Math.floor(Number(first(params.page))) || 1);
  const results = createAsync(() => searchCatalog(q(), page()));
  const routing = useIsRouting();

  return (
    <div class="catalog">
      <div class="page-head">
        <h1>Catalog</h1>
        <p class="lede">Published workflows you can run: your tenant's own and the global ones.</p>
      </div>

      <SearchBox
        value={q()}
        busy={routing()}
        onSearch={(text) => setParams({ q: text || undefined, page: undefined }, { replace: true })}
      />

      <ErrorBoundary
        fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(searchCatalog.key).then(reset)} />}
      >
        <Suspense fallback={<Loading label="Searching the catalog…" />}>
          <Show when={results()}>
            {(r) => (
              <section class="results" classList={{ stale: routing() }} aria-busy={routing()} aria-labelledby="results-title">
                <h2 id="results-title" class="results-summary" aria-live="polite">
                  <Show when={q()} fallback={<>{r().found} {r().found === 1 ? 'workflow' : 'workflows'}</>}>
                    {r().found} {r().found === 1 ? 'result' : 'results'} for “{q()}”
                  </Show>
                  <Show when={r().source}>
                    <span class="source"> · via {r().source}</span>
                  </Show>
                </h2>
                <Show
                  when={r().items.length}
                  fallback={
                    <EmptyState title={q() ? `No workflows match “${q()}”.` : 'The catalog is empty.'}>
                      <p>{q() ? 'Try fewer or different words.' : 'Published workflows appear here.'}</p>
                    </EmptyState>
                  }
                >
                  <ul class="catalog-list">
                    <For each={r().items}>{(entry) => <CatalogRow entry={entry} />}</For>
                  </ul>
                  <Pager
                    page={r().page}
                    perPage={r().perPage}
                    found={r().found}
                    onPage={(p) => setParams({ page: p > 1 ? String(p) : undefined })}
                  />
                </Show>
              </section>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
