import { A, createAsync, revalidate, useParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, ErrorBoundary, For, onCleanup, Show, Suspense } from 'solid-js';
import { isPermitted } from '../../../domain/access.ts';
import type { Risk } from '../../../domain/spec.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { EvidenceBundlePanel } from '../components/evidence-bundle-panel.tsx';
import { ExternalLink } from '../components/external-link.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Loading } from '../components/loading.tsx';
import { ReviewDecisionForm } from '../components/review-decision-form.tsx';
import { ControlList, ReviewEvidence } from '../components/review-evidence.tsx';
import { RiskBadge } from '../components/risk-badge.tsx';
import { SpecDiff } from '../components/spec-diff.tsx';
import { VisibilityBadge } from '../components/visibility-badge.tsx';
import { ApiError } from '../data/api.ts';
import { definitionDetail, definitionVersion, type DefinitionDetail } from '../data/definitions.ts';
import {
  KIND_LABELS,
  REVIEW_KINDS,
  REVIEW_STATUS_LABELS,
  reviewDetail,
  reviewHref,
  type KindReview,
  type ReviewDecisionRecord,
  type ReviewDetail,
  type ReviewKind,
} from '../data/reviews.ts';
import { session } from '../data/session.ts';
import { shortDigest } from '../lib/dsse.ts';
import { formatDateTime } from '../lib/format.ts';
import { createNow } from '../lib/now.ts';
import { usePageTitle } from '../lib/page-title.ts';
import { deadlineState, KIND_TEAMS, previousVersion } from '../lib/review-view.ts';

const FAST_POLL_MS = 1500;
const SLOW_POLL_MS = 10_000;
const ENDED: Partial<Record<string, string>> = {
  passed: 'This review has passed',
  failed: 'This review has failed',
  expired: 'This review expired without a decision',
  gathering: 'This review is still gathering its evidence',
};
const isKind = (k: string): k is ReviewKind => (REVIEW_KINDS as readonly string[]).includes(k);

/**
 * One kind of review of one version (`/reviews/:id/:version/:kind`): the spec and its diff
 * against the version before, the automated evidence beside it, the decisions so far
 * against the quorum, the deadline, and the reviewer's decision form.
 */
export function ReviewPage() {
  const params = useParams<{ id: string; version: string; kind: string }>();
  const kind = () => (isKind(params.kind) ? params.kind : 'security');
  usePageTitle(() => `${KIND_LABELS[kind()]} review of ${params.id} v${params.version}`);
  const review = createAsync(() => reviewDetail(params.id, params.version));
  const definition = createAsync(() => definitionDetail(params.id));

  return (
    <div class="review-page">
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <A href="/reviews">Reviews</A> <span aria-hidden="true">/</span> <A href={`/catalog/${encodeURIComponent(params.id)}`}>{params.id}</A>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">
          v{params.version} {KIND_LABELS[kind()].toLowerCase()}
        </span>
      </nav>
      <ErrorBoundary fallback={(err, reset) => <ErrorPanel error={err} retry={() => void revalidate(reviewDetail.key).then(reset)} />}>
        <Suspense fallback={<Loading label="Loading the review…" />}>
          <Show when={review()}>
            {(r) => <ReviewView review={r()} kind={kind()} definitionId={params.id} version={params.version} definition={definition()} />}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}

function ReviewView(props: { review: ReviewDetail; kind: ReviewKind; definitionId: string; version: string; definition: DefinitionDetail | undefined }) {
  const r = () => props.review;
  const k = createMemo(() => r().reviews.find((x) => x.kind === props.kind));
  const now = createNow(() => true, 30_000);
  const [decided, setDecided] = createSignal<ReviewDecisionRecord>();

  // Ask again: quickly while evidence is gathered, or while a decision just sent is on its way
  // from the workflow to the read model; slowly while the review is open (others decide too).
  createEffect(() => {
    const status = k()?.status;
    const kr = k();
    const mine = decided();
    const open = status === 'open' || status === 'escalated';
    // my decision not in the read model yet, or it completed the quorum (or rejected) and the outcome is not
    const waitingForMine =
      mine && kr && (!kr.decisions.some((d) => d.reviewer.sub === mine.reviewer.sub) || (open && (mine.decision === 'reject' || kr.decisions.filter((d) => d.decision === 'approve').length >= kr.quorum)));
    const every = r().status === 'gathering' || status === 'gathering' || waitingForMine ? FAST_POLL_MS : open ? SLOW_POLL_MS : undefined;
    if (!every) return;
    const timer = setTimeout(() => void revalidate(reviewDetail.keyFor(props.definitionId, props.version)), every);
    onCleanup(() => clearTimeout(timer));
  });
  const mayDecide = () => {
    const a = session.actor();
    return a ? isPermitted(a, 'review.decide') : false;
  };
  const open = () => k()?.status === 'open' || k()?.status === 'escalated';
  const title = () => props.definition?.title ?? props.definition?.name ?? props.definitionId;
  const versionDigest = () => props.definition?.versions.find((v) => v.version === props.version)?.digest;

  return (
    <>
      <header class="page-head definition-head">
        <div class="definition-title">
          <h1>
            {KIND_LABELS[props.kind]} review of {title()} <span class="version">v{props.version}</span>
          </h1>
          <code class="row-id">{props.definitionId}</code>
          <div class="badges head-badges">
            <span class={`badge review-badge review-${k()?.status ?? 'none'}`} data-testid="review-status" data-status={k()?.status}>
              {k() ? REVIEW_STATUS_LABELS[k()!.status] : 'no such review'}
            </span>
            <VisibilityBadge visibility={r().requestedVisibility} />
            <Show when={props.definition}>{(d) => <RiskBadge risk={d().risk as Risk} />}</Show>
            <Show when={k() && deadlineState(k()!, now()).state !== 'done' ? k() : undefined}>
              {(kr) => {
                const d = () => deadlineState(kr(), now());
                return (
                  <span class={`chip deadline-${d().state}`} data-testid="deadline" data-state={d().state} title={kr().deadlineAt ? `deadline ${formatDateTime(kr().deadlineAt!)}` : undefined}>
                    {d().label}
                  </span>
                );
              }}
            </Show>
          </div>
          <Show when={r().reason}>
            {(why) => (
              <p class={`banner ${r().status === 'passed' ? 'banner-ok' : r().status === 'failed' ? 'banner-danger' : 'banner-warn'}`} data-testid="review-reason">
                {why()}
              </p>
            )}
          </Show>
          <p class="lede">
            Asked by <strong>{r().requestedBy}</strong> on <time datetime={r().createdAt}>{formatDateTime(r().createdAt)}</time>. The whole request is <strong data-testid="request-status">{r().status.replace(/_/g, ' ')}</strong>: it passes when all three reviews pass; any rejection fails it.
          </p>
        </div>
        <div class="head-actions">
          <ExternalLink href={r().temporalUrl} testId="review-temporal-link">
            The review in Temporal
          </ExternalLink>
        </div>
      </header>

      <nav class="kind-switch" aria-label="Reviews of this version">
        <For each={REVIEW_KINDS}>
          {(kind) => {
            const s = () => r().reviews.find((x) => x.kind === kind)?.status;
            return (
              <A
                href={reviewHref(props.definitionId, props.version, kind)}
                class="view-link"
                classList={{ active: kind === props.kind }}
                aria-current={kind === props.kind ? 'page' : undefined}
                data-testid={`kind-${kind}`}
                data-status={s()}
              >
                {KIND_LABELS[kind]} <span class={`chip review-${s() ?? 'none'}`}>{s() ? REVIEW_STATUS_LABELS[s()!] : '—'}</span>
              </A>
            );
          }}
        </For>
      </nav>

      <Show when={k()} fallback={<p class="muted">This request has no {props.kind} review.</p>}>
        {(kr) => (
          <>
            <div class="review-columns">
              <section class="card review-col" aria-labelledby="change-title" data-testid="review-change">
                <h2 id="change-title" class="section-title">
                  The spec and what changed
                </h2>
                <ChangePanel definitionId={props.definitionId} version={props.version} definition={props.definition} />
              </section>
              <section class="card review-col" aria-labelledby="evidence-title" data-testid="review-evidence">
                <h2 id="evidence-title" class="section-title">
                  {KIND_LABELS[props.kind]} evidence
                </h2>
                <ReviewEvidence items={kr().evidence} gathering={kr().status === 'gathering'} />
                <Show when={r().controls.length}>
                  <h3 class="subsection-title">Controls</h3>
                  <ControlList controls={r().controls} evidenceIds={new Set(kr().evidence.map((e) => e.id))} />
                </Show>
              </section>
            </div>

            <section class="card review-decisions" aria-labelledby="decisions-title" data-testid="review-decisions">
              <h2 id="decisions-title" class="section-title">
                Decisions
              </h2>
              <Quorum review={kr()} />
              <Show when={decided()}>
                {(d) => (
                  <p class="notice notice-approve" role="status" data-testid="review-decided">
                    Your {d().decision === 'approve' ? 'approval' : 'rejection'} is recorded.
                  </p>
                )}
              </Show>
              <Show
                when={open() && mayDecide()}
                fallback={
                  <Show when={!open()}>
                    <p class="muted small">{ENDED[kr().status] ?? `This review is ${REVIEW_STATUS_LABELS[kr().status]}`}: it takes no more decisions.</p>
                  </Show>
                }
              >
                <ReviewDecisionForm definitionId={props.definitionId} version={props.version} kind={props.kind} onDecided={setDecided} />
              </Show>
              <Show when={r().evidenceDigest}>
                <EvidenceBundlePanel definitionId={props.definitionId} version={props.version} versionDigest={versionDigest()} />
              </Show>
            </section>
          </>
        )}
      </Show>
    </>
  );
}

function Quorum(props: { review: KindReview }) {
  const approvals = () => props.review.decisions.filter((d) => d.decision === 'approve').length;
  return (
    <>
      <p data-testid="quorum" data-approvals={approvals()} data-quorum={props.review.quorum}>
        <strong>
          {approvals()} of {props.review.quorum}
        </strong>{' '}
        {props.review.quorum === 1 ? 'approval' : 'approvals'} needed from{' '}
        <strong>{props.review.group === 'escalation' ? 'the escalation group (platform admins)' : `the ${KIND_TEAMS[props.review.kind]} team's platform reviewers`}</strong>
        <Show when={props.review.escalatedAt}>
          {(at) => (
            <span class="chip chip-warn">
              escalated <time datetime={at()}>{formatDateTime(at())}</time>
            </span>
          )}
        </Show>
      </p>
      <Show when={props.review.decisions.length} fallback={<p class="muted small">No decision yet.</p>}>
        <ol class="decision-history">
          <For each={props.review.decisions}>
            {(d) => (
              <li class={`decision decision-${d.decision}`} data-testid="review-decision" data-reviewer={d.reviewer.sub} data-decision={d.decision}>
                <span class={`chip ${d.decision === 'approve' ? 'chip-ok' : 'chip-danger'}`}>{d.decision === 'approve' ? 'approved' : 'rejected'}</span>{' '}
                <strong>{d.reviewer.name ?? d.reviewer.sub}</strong>{' '}
                <span class="muted small">
                  ({d.reviewer.sub}
                  {d.reviewer.team ? `, ${d.reviewer.team}` : ''}
                  {d.group === 'escalation' ? ', escalation' : ''})
                </span>{' '}
                <time class="muted small" datetime={d.at}>
                  {formatDateTime(d.at)}
                </time>
                <p class="decision-rationale">{d.rationale}</p>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </>
  );
}

/** The spec under review (read-only) and, when a version was published before it, the diff against that one. */
function ChangePanel(props: { definitionId: string; version: string; definition: DefinitionDetail | undefined }) {
  const spec = createAsync(() => definitionVersion(props.definitionId, props.version));
  const from = () => (props.definition ? previousVersion(props.definition.versions, props.version) : undefined);
  return (
    <ErrorBoundary
      fallback={(err) => (
        <p class="inline-error">
          The spec cannot be read: {err instanceof ApiError ? `${err.message} (${err.code})` : String(err)}
        </p>
      )}
    >
      <Suspense fallback={<p class="muted">Loading the spec…</p>}>
        <Show when={spec()}>
          {(s) => (
            <>
              <p class="small muted">
                Content digest <code title={s().digest}>{shortDigest(s().digest, 16)}</code>
              </p>
              <Show
                when={from()}
                fallback={
                  <p class="hint" data-testid="first-version">
                    {props.definition ? 'The first published version: the whole spec is new.' : 'Reading the versions before this one…'}
                  </p>
                }
              >
                {(f) => <SpecDiff definitionId={props.definitionId} from={f()} to={props.version} toSpec={s().spec} />}
              </Show>
              <JsonView value={s().spec} summary={`The spec of v${props.version} (read-only)`} open={!from()} />
            </>
          )}
        </Show>
      </Suspense>
    </ErrorBoundary>
  );
}
