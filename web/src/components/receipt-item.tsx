import { createResource, For, Show } from 'solid-js';
import type { ReceiptView, SigningKeyView } from '../../../domain/trust.ts';
import { shortDigest } from '../lib/dsse.ts';
import { formatDateTime } from '../lib/format.ts';
import { receiptFileName, verifyReceiptInBrowser } from '../lib/receipt-verify.ts';
import { ExternalLink } from './external-link.tsx';
import { VerificationChecks } from './verification-checks.tsx';

const LIFECYCLE_LABELS: Record<string, string> = {
  publish: 'Publish',
  review: 'Review',
  certify: 'Certification',
  install: 'Install',
  upgrade: 'Upgrade',
  uninstall: 'Uninstall',
  curate: 'Curation',
};

/** Saves the receipt as the API returned it: the file `maestro verify` accepts. */
function download(r: ReceiptView) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(r, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = receiptFileName(r);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * One signed lifecycle receipt: what it covers, who decided, its workflow in Temporal,
 * whether it verifies (in this browser and by the API, whose check includes the history
 * digest) and a download for `maestro verify`.
 */
export function ReceiptItem(props: { receipt: ReceiptView; keys: readonly SigningKeyView[] | undefined }) {
  const r = () => props.receipt;
  const [browser] = createResource(
    () => (props.keys ? { r: r(), keys: props.keys } : undefined),
    ({ r, keys }) => verifyReceiptInBrowser(r, keys),
  );
  const verdict = () => {
    const b = browser();
    if (!b) return 'pending';
    return b.ok && r().verification.ok ? 'verified' : 'failed';
  };
  return (
    <li class="card receipt" data-testid="receipt" data-lifecycle={r().lifecycle} data-receipt-id={r().receiptId} data-verified={verdict()}>
      <div class="receipt-head">
        <span class={`chip lifecycle-${r().lifecycle}`}>{LIFECYCLE_LABELS[r().lifecycle] ?? r().lifecycle}</span>
        <span class="receipt-subject">
          <code>{r().subject.name}</code> <code class="muted digest">{shortDigest(r().subject.digest)}</code>
        </span>
        <span class={`chip ${verdict() === 'verified' ? 'chip-ok' : verdict() === 'failed' ? 'chip-danger' : ''}`} data-testid="receipt-verdict">
          {verdict() === 'pending' ? 'verifying…' : verdict() === 'verified' ? '✓ signature verified' : '✕ does not verify'}
        </span>
        <time class="muted small" datetime={r().createdAt}>
          {formatDateTime(r().createdAt)}
        </time>
      </div>
      <dl class="provenance-ids">
        <div>
          <dt>Workflow</dt>
          <dd>
            <ExternalLink href={r().temporalUrl} testId="receipt-temporal-link">
              <code>{r().workflowId}</code>
            </ExternalLink>
          </dd>
        </div>
        <div>
          <dt>Run</dt>
          <dd>
            <code class="muted">{r().runId}</code>
          </dd>
        </div>
        <div>
          <dt>History</dt>
          <dd>
            <code class="muted digest" title={r().history.digest}>
              {shortDigest(r().history.digest, 16)}
            </code>{' '}
            <span class="muted small">events 1–{r().history.lastEventId}</span>
          </dd>
        </div>
      </dl>
      <Show when={r().decisions.length}>
        <ul class="receipt-decisions" aria-label="Decisions">
          <For each={r().decisions}>
            {(d) => (
              <li>
                <strong>{d.actor.sub}</strong> <span class="muted">({d.actor.tenant})</span> {d.decision} <time class="muted small" datetime={d.at}>{formatDateTime(d.at)}</time>
                <Show when={d.rationaleDigest}>
                  {(h) => <code class="muted small" title="sha256 of the rationale"> rationale {shortDigest(h(), 10)}</code>}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <details class="receipt-checks">
        <summary>Verification details</summary>
        <div class="verification-pair">
          <VerificationChecks title="In this browser" result={browser()} pending={browser.loading} testId="receipt-browser-verification" note="The history digest needs Temporal: the API checks it, and so does maestro verify --temporal." />
          <VerificationChecks title="By the API" result={r().verification} testId="receipt-api-verification" />
        </div>
      </details>
      <div class="receipt-actions">
        <button type="button" class="button small" data-testid="receipt-download" onClick={() => download(r())}>
          Download receipt<span class="visually-hidden"> {r().receiptId}</span>
        </button>
        <span class="muted small">
          then <code>maestro verify {receiptFileName(r())}</code>
        </span>
      </div>
    </li>
  );
}
