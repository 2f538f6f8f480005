import { createAsync, revalidate, useIsRouting, useSearchParams } from '@solidjs/router';
import { createUniqueId, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { isPermitted } from '../../../domain/access.ts';
import { TENANT_ID } from '../../../domain/ids.ts';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { SearchBox } from '../components/search-box.tsx';
import { TemplateCard } from '../components/template-card.tsx';
import { templates, VISIBILITY_LABELS, VISIBILITY_PROFILES, type TemplateQuery, type Visibility } from '../data/marketplace.ts';
import { session } from '../data/session.ts';
import { usePageTitle } from '../lib/page-title.ts';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const VIEWS = [
  { id: 'marketplace', label: 'Marketplace', lede: 'Templates offered to your tenant: install one to run it with your own secrets, endpoints and quotas.' },
  { id: 'mine', label: 'Published by my tenant', lede: "Your tenant's templates, whatever their profile, with how many tenants installed each." },
] as const;

/**
 * The marketplace, apart from "my workflows" (the catalog): what other tenants — and your
 * own, when shared — offer for install. Every bit of state is in the URL.
 */
export function MarketplacePage() {
  usePageTitle('Marketplace');
  const id = createUniqueId();
  const [params, setParams] = useSearchParams();
  const routing = useIsRouting();
  const query = (): TemplateQuery => {
    const view = first(params.view) === 'mine' ? 'mine' : 'marketplace';
    const visibility = first(params.visibility);
    const publisher = first(params.publisher);
    return {
      view,
      ...(first(params.q) ? { q: first(params.q)! } : {}),
      ...(visibility && (VISIBILITY_PROFILES as readonly string[]).includes(visibility) ? { visibility: visibility as Visibility } : {}),
      ...(publisher && TENANT_ID.test(publisher) ? { publisher } : {}),
    };
  };
  const list = createAsync(() => templates(query()));
  const canInstall = () => {
    const actor = session.actor();
    return actor ? isPermitted(actor, 'install.request') : false;
  };
  const view = () => VIEWS.find((v) => v.id === query().view)!;

  return (
    <div class="marketplace">
      <div class="page-head">
        <h1>Marketplace</h1>
        <p class="lede">{view().lede}</p>
      </div>

      <nav class="view-switch" aria-label="Which templates">
        <For each={VIEWS}>
          {(v) => (
            <a
              href={`/marketplace${v.id === 'mine' ? '?view=mine' : ''}`}
              class="view-link"
              classList={{ active: v.id === query().view }}
              aria-current={v.id === query().view ? 'page' : undefined}
              data-testid={`view-${v.id}`}
              onClick={(e) => {
                e.preventDefault();
                setParams({ view: v.id === 'mine' ? 'mine' : undefined });
              }}
            >
              {v.label}
            </a>
          )}
        </For>
      </nav>

      <SearchBox
        value={query().q ?? ''}
        busy={routing()}
        label="Search templates"
        placeholder="Search templates by name or description…"
        onSearch={(text) => setParams({ q: text || undefined }, { replace: true })}
      />

      <div class="marketplace-filters">
        <label for={`${id}-profile`}>
          Profile{' '}
          <select id={`${id}-profile`} data-testid="profile-filter" onChange={(e) => setParams({ visibility: e.currentTarget.value || undefined })}>
            <option value="" selected={!query().visibility}>
              any
            </option>
            <For each={VISIBILITY_PROFILES}>
              {(p) => (
                <option value={p} selected={query().visibility === p}>
                  {VISIBILITY_LABELS[p]}
                </option>
              )}
            </For>
          </select>
        </label>
        <label for={`${id}-publisher`}>
          Publisher tenant{' '}
          <input
            id={`${id}-publisher`}
            data-testid="publisher-filter"
            size={12}
            value={query().publisher ?? ''}
            placeholder="any"
            autocomplete="off"
            onChange={(e) => setParams({ publisher: e.currentTarget.value.trim() || undefined })}
          />
        </label>
      </div>

      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(templates.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the marketplace…" />}>
          <Show when={list()}>
            {(l) => (
              <section class="results" classList={{ stale: routing() }} aria-busy={routing()} aria-labelledby={`${id}-found`}>
                <h2 id={`${id}-found`} class="results-summary" aria-live="polite" data-testid="templates-found" data-found={l().found}>
                  {l().found} {l().found === 1 ? 'template' : 'templates'}
                  <Show when={query().q}> matching “{query().q}”</Show>
                </h2>
                <Show
                  when={l().items.length}
                  fallback={
                    <EmptyState title={query().view === 'mine' ? 'Your tenant has published no template yet.' : 'No template is offered to your tenant yet.'}>
                      <p>
                        {query().view === 'mine'
                          ? 'A published version becomes a template; sharing it beyond your tenant is a decision of the publish policy.'
                          : 'Templates appear here when another tenant publishes one to the ecosystem, or puts your tenant on a curated list.'}
                      </p>
                    </EmptyState>
                  }
                >
                  <ul class="template-list">
                    <For each={l().items}>{(item) => <TemplateCard item={item} ownTenant={session.actor()?.tenant} canInstall={canInstall()} />}</For>
                  </ul>
                </Show>
              </section>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
