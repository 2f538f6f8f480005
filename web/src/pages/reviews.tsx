import { A, createAsync, revalidate, useSearchParams } from '@solidjs/router';
import { createUniqueId, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import type { Risk } from '../../../domain/spec.ts';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Loading } from '../components/loading.tsx';
import { RiskBadge } from '../components/risk-badge.tsx';
import { Tabs } from '../components/tabs.tsx';
import { VisibilityBadge } from '../components/visibility-badge.tsx';
import { KIND_LABELS, REVIEW_KINDS, REVIEW_STATUS_LABELS, reviewHref, reviewQueue, type ReviewKind, type ReviewQueueItem, type ReviewStatus } from '../data/reviews.ts';
import { createNow } from '../lib/now.ts';
import { formatDateTime } from '../lib/format.ts';
import { usePageTitle } from '../lib/page-title.ts';
import { deadlineState, KIND_TEAMS } from '../lib/review-view.ts';

const STATUSES = Object.keys(REVIEW_STATUS_LABELS) as ReviewStatus[];
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The platform reviewers' queue: one tab per review kind (security, performance, docs),
 * a status filter, and for each review the version, its publisher, risk, the profile it
 * asks for, its quorum so far and its deadline. All state is in the URL.
 */
export function ReviewsPage() {
  usePageTitle('Reviews');
  const id = createUniqueId();
  const [params, setParams] = useSearchParams();
  const kind = (): ReviewKind => {
    const k = first(params.kind);
    return (REVIEW_KINDS as readonly string[]).includes(k ?? '') ? (k as ReviewKind) : 'security';
  };
  const status = (): ReviewStatus | undefined => {
    const s = first(params.status);
    return STATUSES.includes(s as ReviewStatus) ? (s as ReviewStatus) : undefined;
  };
  // one request for every kind: the tabs count what each holds under the status filter
  const list = createAsync(() => reviewQueue(status() ? { status: status()! } : {}));
  const ofKind = (k: ReviewKind) => list()?.items.filter((i) => i.kind === k);
  const now = createNow(() => true, 60_000);

  return (
    <div class="reviews">
      <div class="page-head">
        <h1>Reviews</h1>
        <p class="lede">
          Versions that ask for marketplace visibility wait here for a security, a performance and a docs review. Each review shows the spec, the diff against the version before
          and the evidence gathered automatically; every decision needs a rationale and is signed into the evidence bundle.
        </p>
      </div>

      <Tabs
        label="Review kind"
        idPrefix="reviews"
        tabs={REVIEW_KINDS.map((k) => ({ id: k, label: KIND_LABELS[k], ...(ofKind(k) ? { note: ofKind(k)!.length } : {}) }))}
        selected={kind()}
        onSelect={(k) => setParams({ kind: k === 'security' ? undefined : k }, { replace: true, scroll: false })}
      >
        {(k) => (
          <>
            <div class="queue-filters">
              <p class="hint">
                Decided by the <strong>{KIND_TEAMS[k as ReviewKind]}</strong> team's platform reviewers; platform admins take over escalated ones.
              </p>
              <label for={`${id}-status`} class="filter-label">
                Status{' '}
                <select
                  id={`${id}-status`}
                  data-testid="status-filter"
                  value={status() ?? ''}
                  onChange={(e) => setParams({ status: e.currentTarget.value || undefined }, { replace: true, scroll: false })}
                >
                  <option value="">waiting (open or escalated)</option>
                  <For each={STATUSES}>{(s) => <option value={s}>{REVIEW_STATUS_LABELS[s]}</option>}</For>
                </select>
              </label>
            </div>
            <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(reviewQueue.key).then(reset)} />}>
              <Suspense fallback={<Loading label="Loading the review queue…" />}>
                <Show when={ofKind(k as ReviewKind)}>
                  {(items) => (
                    <Show
                      when={items().length}
                      fallback={<EmptyState title={`No ${KIND_LABELS[k as ReviewKind].toLowerCase()} reviews ${status() ? REVIEW_STATUS_LABELS[status()!] : 'waiting for a decision'}.`} />}
                    >
                      <QueueTable items={items()} now={now()} />
                    </Show>
                  )}
                </Show>
              </Suspense>
            </ErrorBoundary>
          </>
        )}
      </Tabs>
    </div>
  );
}

function QueueTable(props: { items: ReviewQueueItem[]; now: number }) {
  return (
    <table class="plain-table review-queue" data-testid="review-queue">
      <caption class="visually-hidden">Reviews</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Publisher</th>
          <th scope="col">Asks for</th>
          <th scope="col">Status</th>
          <th scope="col">Approvals</th>
          <th scope="col">Deadline</th>
          <th scope="col">Requested</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.items}>
          {(item) => {
            const d = () => deadlineState(item, props.now);
            return (
              <tr data-testid="review-row" data-definition-id={item.definitionId} data-version={item.version} data-kind={item.kind} data-status={item.status}>
                <th scope="row">
                  <A href={reviewHref(item.definitionId, item.version, item.kind)} data-testid="review-link">
                    {item.title || item.definitionId} <span class="version">v{item.version}</span>
                  </A>
                  <code class="row-id">{item.definitionId}</code>
                </th>
                <td>
                  {item.publisherTenant} <RiskBadge risk={item.risk as Risk} />
                </td>
                <td>
                  <VisibilityBadge visibility={item.requestedVisibility} />
                </td>
                <td>
                  <span class={`chip review-${item.status}`}>{REVIEW_STATUS_LABELS[item.status] ?? item.status}</span>
                </td>
                <td data-testid="quorum">
                  {item.approvals} of {item.quorum}
                </td>
                <td>
                  <span class={`chip deadline-${d().state}`} title={item.deadlineAt ? formatDateTime(item.deadlineAt) : undefined}>
                    {d().label}
                  </span>
                </td>
                <td class="small">
                  <time datetime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
                </td>
              </tr>
            );
          }}
        </For>
      </tbody>
    </table>
  );
}
