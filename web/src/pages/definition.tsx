import { A, createAsync, revalidate, useNavigate, useParams } from '@solidjs/router';
import { createSignal, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { RiskBadge } from '../components/risk-badge.tsx';
import { RunForm } from '../components/run-form.tsx';
import { ScopeBadge } from '../components/scope-badge.tsx';
import { SpecSteps } from '../components/spec-steps.tsx';
import { definitionDetail, definitionVersion, type DefinitionDetail } from '../data/definitions.ts';
import { formatDateTime, statusLabel } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';

export function DefinitionPage() {
  const params = useParams<{ id: string }>();
  const detail = createAsync(() => definitionDetail(params.id));
  usePageTitle(() => detail()?.title ?? params.id);

  return (
    <div class="definition">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/">Catalog</A> <span aria-hidden="true">/</span> <span aria-current="page">{params.id}</span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(definitionDetail.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the workflow…" />}>
          <Show when={detail()}>{(d) => <DefinitionView detail={d()} />}</Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}

function DefinitionView(props: { detail: DefinitionDetail }) {
  const d = () => props.detail;
  const navigate = useNavigate();
  const runnable = () => d().versions.filter((v) => v.status === 'published');
  const [chosen, setChosen] = createSignal<string>();
  const version = () => chosen() ?? d().latestVersion ?? runnable()[0]?.version;
  const spec = createAsync(() => {
    const v = version();
    return v ? definitionVersion(d().id, v) : Promise.resolve(undefined);
  });

  return (
    <>
      <header class="page-head definition-head">
        <div>
          <h1>{d().title ?? d().name}</h1>
          <code class="row-id">{d().id}</code>
          <p class="lede">{d().description}</p>
          <Show when={d().tags.length}>
            <ul class="tags" aria-label="Tags">
              <For each={d().tags}>{(tag) => <li class="tag">#{tag}</li>}</For>
            </ul>
          </Show>
        </div>
        <div class="badges">
          <RiskBadge risk={d().risk} />
          <ScopeBadge scope={d().scope} />
          <span class="chip">{d().category}</span>
        </div>
      </header>

      <div class="definition-layout">
        <section class="card run-card" aria-labelledby="run-title">
          <div class="run-card-head">
            <h2 id="run-title">Run workflow</h2>
            <Show when={runnable().length > 1}>
              <label class="version-picker">
                Version{' '}
                <select onChange={(e) => setChosen(e.currentTarget.value)}>
                  <For each={runnable()}>
                    {(v) => (
                      <option value={v.version} selected={v.version === version()}>
                        {v.version}
                        {v.version === d().latestVersion ? ' (latest)' : ''}
                      </option>
                    )}
                  </For>
                </select>
              </label>
            </Show>
          </div>
          <Show when={version()} fallback={<p class="muted">No version of this workflow is published yet, so it cannot run.</p>}>
            <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(definitionVersion.key).then(reset)} />}>
              <Suspense fallback={<Loading label="Loading the parameters…" />}>
                <Show when={spec()} keyed>
                  {(s) => (
                    <>
                      <RunForm
                        definitionId={d().id}
                        version={s.version}
                        parameters={s.spec.parameters}
                        risk={d().risk}
                        onStarted={(run) => navigate(`/runs/${encodeURIComponent(run.runId)}`)}
                      />
                      <div class="detail-section">
                        <h3>Steps</h3>
                        <SpecSteps steps={s.spec.steps} />
                      </div>
                    </>
                  )}
                </Show>
              </Suspense>
            </ErrorBoundary>
          </Show>
        </section>

        <aside class="definition-side">
          <section class="card side-card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="section-title">
              About
            </h2>
            <dl class="side-facts">
              <div>
                <dt>Owner</dt>
                <dd>{d().ownerTeam ?? d().owner ?? d().tenantId}</dd>
              </div>
              <div>
                <dt>Tenant</dt>
                <dd>{d().tenantId}</dd>
              </div>
              <div>
                <dt>Updated</dt>
                <dd>
                  <time datetime={d().updatedAt}>{formatDateTime(d().updatedAt)}</time>
                </dd>
              </div>
            </dl>
          </section>
          <section class="card side-card" aria-labelledby="versions-title">
            <h2 id="versions-title" class="section-title">
              Versions
            </h2>
            <ol class="version-list">
              <For each={d().versions}>
                {(v) => (
                  <li data-testid="definition-version" data-version={v.version}>
                    <div class="version-line">
                      <code class="version-number">v{v.version}</code>
                      <span class={`chip ${v.status === 'published' ? 'chip-ok' : 'chip-warn'}`}>{statusLabel(v.status)}</span>
                      <Show when={v.version === d().latestVersion}>
                        <span class="chip">latest</span>
                      </Show>
                    </div>
                    <Show when={v.changelog}>
                      <p class="small">{v.changelog}</p>
                    </Show>
                    <p class="muted small">
                      {v.publishedAt ? 'Published ' : 'Created '}
                      <time datetime={v.publishedAt ?? v.createdAt}>{formatDateTime(v.publishedAt ?? v.createdAt)}</time> · by {v.createdBy}
                    </p>
                  </li>
                )}
              </For>
            </ol>
          </section>
        </aside>
      </div>
    </>
  );
}
