import { A, createAsync, revalidate, useParams, useSearchParams } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { AdapterStatusBadge } from '../components/adapter-status-badge.tsx';
import { AdapterVersionDetail } from '../components/adapter-version-detail.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { adapterDetail } from '../data/adapters.ts';
import { formatDateTime } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function TaskDetailPage() {
  const params = useParams<{ name: string }>();
  const [search] = useSearchParams();
  usePageTitle(() => params.name);
  const adapter = createAsync(() => adapterDetail(params.name));
  const selected = () => {
    const versions = adapter()?.versions ?? [];
    const wanted = first(search.version);
    return versions.find((v) => v.version === wanted) ?? versions.find((v) => v.status !== 'retired') ?? versions[0];
  };
  const title = () => adapter()?.versions[0]?.manifest.metadata.title;

  return (
    <div class="task-detail">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/tasks">Task Library</A> <span aria-hidden="true">/</span> <span aria-current="page">{params.name}</span>
      </nav>
      <div class="page-head">
        <h1>{title() ?? params.name}</h1>
        <Show when={title()}>
          <code class="row-id">{params.name}</code>
        </Show>
      </div>

      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(adapterDetail.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the adapter…" />}>
          <Show when={adapter()}>
            {(a) => (
              <div class="detail-layout">
                <nav class="card version-nav" aria-labelledby="versions-title">
                  <h2 id="versions-title" class="section-title">
                    Versions
                  </h2>
                  <ul>
                    <For each={a().versions}>
                      {(v) => (
                        <li>
                          {/* a plain link: <A> would mark every version current, as it ignores the query */}
                          <a
                            href={`/tasks/${encodeURIComponent(a().name)}?version=${encodeURIComponent(v.version)}`}
                            class="version-link"
                            aria-current={selected()?.version === v.version ? 'page' : undefined}
                            data-testid="adapter-version-link"
                          >
                            <code class="version-number">{v.version}</code>
                            <AdapterStatusBadge status={v.status} />
                            <time class="muted small" datetime={v.registeredAt}>
                              {formatDateTime(v.registeredAt)}
                            </time>
                          </a>
                        </li>
                      )}
                    </For>
                  </ul>
                </nav>
                <Show when={selected()} keyed>
                  {(v) => (
                    <div class="card detail-card">
                      <AdapterVersionDetail adapter={v} />
                    </div>
                  )}
                </Show>
              </div>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
