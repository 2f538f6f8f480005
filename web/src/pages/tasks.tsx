import { createAsync, revalidate, useIsRouting, useSearchParams } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { SearchBox } from '../components/search-box.tsx';
import { TaskRow } from '../components/task-row.tsx';
import { searchAdapters } from '../data/adapters.ts';
import { usePageTitle } from '../lib/page-title.ts';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function TasksPage() {
  usePageTitle('Task Library');
  const [params, setParams] = useSearchParams();
  const q = () => first(params.q) ?? '';
  const groups = createAsync(() => searchAdapters(q()));
  const routing = useIsRouting();

  return (
    <div class="tasks">
      <div class="page-head">
        <h1>Task Library</h1>
        <p class="lede">
          The adapters a workflow step can use, as <code>task: name@version</code>. Each version is immutable; its manifest says what it needs and
          what it may touch.
        </p>
      </div>

      <SearchBox
        value={q()}
        busy={routing()}
        label="Search tasks"
        placeholder="Search tasks by name or description…"
        onSearch={(text) => setParams({ q: text || undefined }, { replace: true })}
      />

      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(searchAdapters.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the task library…" />}>
          <Show when={groups()}>
            {(g) => (
              <section class="results" classList={{ stale: routing() }} aria-busy={routing()} aria-labelledby="tasks-title">
                <h2 id="tasks-title" class="results-summary" aria-live="polite">
                  <Show when={q()} fallback={<>{g().length} {g().length === 1 ? 'task' : 'tasks'}</>}>
                    {g().length} {g().length === 1 ? 'task matches' : 'tasks match'} “{q()}”
                  </Show>
                </h2>
                <Show
                  when={g().length}
                  fallback={
                    <EmptyState title={q() ? `No tasks match “${q()}”.` : 'No tasks are registered.'}>
                      <p>{q() ? 'Try another word from the name or description.' : 'Publishers register adapters with POST /api/adapters.'}</p>
                    </EmptyState>
                  }
                >
                  <ul class="catalog-list">
                    <For each={g()}>{(group) => <TaskRow group={group} />}</For>
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
