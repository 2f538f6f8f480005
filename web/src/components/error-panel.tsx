import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';

function headline(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Something went wrong';
  if (e.status === 0) return 'The API cannot be reached';
  if (e.status === 401) return 'Your session is missing or has expired';
  if (e.status === 403) return 'You are not allowed to see this';
  if (e.status >= 500) return 'The server failed to answer';
  return 'The request was refused';
}

/** Fallback for ErrorBoundary: what failed, the API's code and request id, and a way on. */
export function ErrorPanel(props: { error: unknown; retry?: () => void }) {
  const api = () => (props.error instanceof ApiError ? props.error : undefined);
  const message = () => (props.error instanceof Error ? props.error.message : String(props.error));
  return (
    <section class="error-panel" role="alert" aria-labelledby="error-panel-title">
      <h2 id="error-panel-title">{headline(props.error)}</h2>
      <p>{message()}</p>
      <Show when={api()?.details?.length}>
        <ul class="error-details">
          <For each={api()?.details}>
            {(d) => (
              <li>
                <code>{d.path || '/'}</code> {d.message}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={api()}>
        {(e) => (
          <p class="error-meta">
            Code <code>{e().code}</code>
            <Show when={e().requestId}>
              {' '}· request <code>{e().requestId}</code>
            </Show>
          </p>
        )}
      </Show>
      <div class="actions">
        <Show when={api()?.status === 401}>
          <A class="button primary" href="/sign-in">
            Sign in
          </A>
        </Show>
        <Show when={props.retry}>
          {(retry) => (
            <button type="button" class="button" onClick={() => retry()()}>
              Try again
            </button>
          )}
        </Show>
      </div>
    </section>
  );
}
