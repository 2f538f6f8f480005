import { createAsync } from '@solidjs/router';
import { ErrorBoundary, Show, Suspense } from 'solid-js';
import { pendingApprovals } from '../data/approvals.ts';
import { session } from '../data/session.ts';

function Count() {
  const pending = createAsync(() => (session.token() ? pendingApprovals() : Promise.resolve(undefined)));
  const n = () => pending()?.items.length ?? 0;
  return (
    <Show when={n() > 0}>
      <span class="count" data-testid="pending-count" aria-hidden="true">
        {n()}
      </span>
      <span class="visually-hidden"> ({n()} pending)</span>
    </Show>
  );
}

/** The number beside "Approvals"; silent while loading or when the list cannot be read. */
export function PendingCount() {
  return (
    <ErrorBoundary fallback={null}>
      <Suspense fallback={null}>
        <Count />
      </Suspense>
    </ErrorBoundary>
  );
}
