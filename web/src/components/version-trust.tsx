import { A, createAsync } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { KIND_LABELS, REVIEW_STATUS_LABELS, reviewDetail, reviewHref } from '../data/reviews.ts';
import { formatDateTime } from '../lib/format.ts';
import { CertificationPanel } from './certification-panel.tsx';
import { Contained } from './contained.tsx';
import { ExternalLink } from './external-link.tsx';
import { SignaturePanel } from './signature-panel.tsx';

/**
 * The trust of one version, for catalog and template details: its review (each kind's
 * outcome, linked to the review pages), its signature verified in the browser and by the
 * API, and its certification (with Certify for platform certifiers).
 */
export function VersionTrust(props: { definitionId: string; version: string; publisherTenant: string; digest?: string }) {
  return (
    <div class="version-trust" data-testid="version-trust" data-version={props.version}>
      <Contained what="The review">
        <ReviewSummary definitionId={props.definitionId} version={props.version} />
      </Contained>
      <SignaturePanel definitionId={props.definitionId} version={props.version} publisherTenant={props.publisherTenant} expectedDigest={props.digest} />
      <CertificationPanel definitionId={props.definitionId} version={props.version} />
    </div>
  );
}

function ReviewSummary(props: { definitionId: string; version: string }) {
  const review = createAsync(() =>
    reviewDetail(props.definitionId, props.version).catch((e: unknown) => {
      if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return null;
      throw e;
    }),
  );
  return (
    <section class="detail-section" aria-labelledby="review-summary-title" data-testid="review-summary">
      <h3 id="review-summary-title">
        Review <span class="h3-version">of v{props.version}</span>
      </h3>
      <Show when={review() !== undefined} fallback={<p class="muted">Reading the review…</p>}>
        <Show when={review()} fallback={<p class="muted">No marketplace review was asked for this version.</p>}>
          {(r) => (
            <>
              <p>
                <span class={`chip review-${r().status}`} data-testid="review-request-status" data-status={r().status}>
                  {r().status.replace(/_/g, ' ')}
                </span>{' '}
                <ExternalLink href={r().temporalUrl}>The review in Temporal</ExternalLink>
              </p>
              <ul class="plain-list review-kinds">
                <For each={r().reviews}>
                  {(k) => (
                    <li data-testid="review-kind" data-kind={k.kind} data-status={k.status}>
                      <A href={reviewHref(props.definitionId, props.version, k.kind)}>{KIND_LABELS[k.kind]}</A>{' '}
                      <span class={`chip review-${k.status}`}>{REVIEW_STATUS_LABELS[k.status]}</span>{' '}
                      <span class="muted small">
                        {k.decisions.length
                          ? k.decisions.map((d) => `${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.reviewer.name ?? d.reviewer.sub} ${formatDateTime(d.at)}`).join('; ')
                          : 'no decision yet'}
                      </span>
                    </li>
                  )}
                </For>
              </ul>
            </>
          )}
        </Show>
      </Show>
    </section>
  );
}
