import { createAsync, revalidate } from '@solidjs/router';
import { createSignal, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { ApprovalItem } from '../components/approval-item.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { pendingApprovals } from '../data/approvals.ts';
import type { DecisionInput, DecisionResult } from '../data/approvals.ts';
import { session } from '../data/session.ts';
import { statusLabel } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';

interface Notice {
  input: DecisionInput;
  result: DecisionResult;
}

export function ApprovalsPage() {
  usePageTitle('Approvals');
  const pending = createAsync(() => pendingApprovals());
  const [notice, setNotice] = createSignal<Notice>();

  return (
    <div class="approvals">
      <div class="page-head">
        <h1>Approvals</h1>
        <p class="lede">Publish requests that policy sent for review. Every decision needs a rationale and is recorded in the workflow history.</p>
      </div>

      <div class="notice-slot" role="status" aria-live="polite">
        <Show when={notice()}>
          {(n) => (
            <div class={`notice notice-${n().input.decision}`} data-testid="decision-notice">
              <span>
                {n().input.decision === 'approve' ? 'Approved' : 'Rejected'} <strong>{n().input.definitionId}</strong> v
                {n().input.version}. Publish request is now <strong>{statusLabel(n().result.status)}</strong>.
              </span>
              <button type="button" class="button small" onClick={() => setNotice(undefined)} aria-label="Dismiss">
                ×
              </button>
            </div>
          )}
        </Show>
      </div>

      <ErrorBoundary
        fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(pendingApprovals.key).then(reset)} />}
      >
        <Suspense fallback={<Loading label="Loading pending approvals…" />}>
          <Show when={pending()}>
            {(p) => (
              <Show when={p().items.length} fallback={<EmptyState title="Nothing waits for your approval." />}>
                <h2 class="results-summary">
                  {p().items.length} pending {p().items.length === 1 ? 'request' : 'requests'}
                </h2>
                <ul class="approval-list">
                  <For each={p().items}>
                    {(item) => (
                      <ApprovalItem
                        item={item}
                        isOwnRequest={item.requestedBy.sub === session.actor()?.sub}
                        onDecided={(input, result) => setNotice({ input, result })}
                      />
                    )}
                  </For>
                </ul>
              </Show>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}
