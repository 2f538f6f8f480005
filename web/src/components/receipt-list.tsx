import { createAsync } from '@solidjs/router';
import { createMemo, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import type { ReceiptView } from '../../../domain/trust.ts';
import { receipts, trustKeys } from '../data/trust.ts';
import { errorMessage } from '../lib/format.ts';
import { Loading } from './loading.tsx';
import { ReceiptItem } from './receipt-item.tsx';
import { Contained } from './contained.tsx';

/** Receipts of these subjects (e.g. `<definition>@<version>`, an instance id), newest first. */
export function ReceiptList(props: { subjects: string[]; empty?: string }) {
  return (
    <Contained what="The receipts">
      <ReceiptListBody {...props} />
    </Contained>
  );
}

function ReceiptListBody(props: { subjects: string[]; empty?: string }) {
  const keys = createAsync(() => trustKeys());
  const lists = createAsync(() => Promise.all(props.subjects.map((subject) => receipts({ subject, limit: 50 }))));
  const all = createMemo((): ReceiptView[] | undefined => {
    const got = lists();
    if (!got) return undefined;
    const seen = new Set<string>();
    return got
      .flatMap((g) => g.items)
      .filter((r) => !seen.has(r.receiptId) && seen.add(r.receiptId))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  });
  return (
    <section class="detail-section" aria-labelledby="receipts-title" data-testid="receipts">
      <h3 id="receipts-title">Signed receipts</h3>
      <p class="hint">
        Each lifecycle (publish, review, certification, install, upgrade, uninstall) leaves a receipt signed with the platform key: its workflow and run, the subject's digest, the
        decisions, and a digest over its Temporal history.
      </p>
      <ErrorBoundary fallback={(err) => <p class="inline-error" role="alert">The receipts cannot be read: {errorMessage(err)}</p>}>
        <Suspense fallback={<Loading label="Loading receipts…" />}>
          <Show when={all()}>
            {(items) => (
              <Show when={items().length} fallback={<p class="muted" data-testid="no-receipts">{props.empty ?? 'No receipts yet.'}</p>}>
                <ol class="receipt-list">
                  <For each={items()}>{(r) => <ReceiptItem receipt={r} keys={keys()?.keys} />}</For>
                </ol>
              </Show>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </section>
  );
}
