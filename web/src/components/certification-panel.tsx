import { createAsync, revalidate, useAction } from '@solidjs/router';
import { createEffect, createSignal, createUniqueId, ErrorBoundary, For, onCleanup, Show, Suspense } from 'solid-js';
import { isPermitted } from '../../../domain/access.ts';
import { ApiError } from '../data/api.ts';
import { session } from '../data/session.ts';
import { certification, certifyVersion, CERTIFICATION_LABELS, type CertificationView } from '../data/trust.ts';
import { errorMessage, formatDate, formatDateTime } from '../lib/format.ts';
import { ExternalLink } from './external-link.tsx';
import { FormProblemAlert, type FormProblem } from './form-problem.tsx';
import { Contained } from './contained.tsx';

const POLL_MS = 1500;

const none = (e: unknown) => {
  if (e instanceof ApiError && e.status === 404) return null;
  throw e;
};

/**
 * A version's certification: status, who certified, until when, and the checklist of
 * docs/certification.md with each item's outcome. A platform certifier starts a
 * certification here; the page follows it until its checklist is done.
 */
export function CertificationPanel(props: { definitionId: string; version: string }) {
  return (
    <Contained what="The certification">
      <CertificationPanelBody {...props} />
    </Contained>
  );
}

function CertificationPanelBody(props: { definitionId: string; version: string }) {
  const cert = createAsync(() => certification(props.definitionId, props.version).catch(none));
  const mayCertify = () => {
    const a = session.actor();
    return a ? isPermitted(a, 'certification.request') : false;
  };
  const [started, setStarted] = createSignal(false);

  // while the checklist runs (or right after Certify, before the lifecycle has written anything), ask again;
  // when it ends, everything that shows the version's trust (badges, rows, details) is read afresh
  let wasChecking = false;
  createEffect(() => {
    const c = cert();
    if (c === undefined) return;
    const checking = c?.status === 'checking' || (started() && !c);
    if (wasChecking && !checking) void revalidate();
    wasChecking = checking;
    if (!checking) return;
    const timer = setTimeout(() => void revalidate(certification.keyFor(props.definitionId, props.version)), POLL_MS);
    onCleanup(() => clearTimeout(timer));
  });

  return (
    <section class="detail-section" aria-labelledby="certification-title" data-testid="certification-panel">
      <h3 id="certification-title">
        Certification <span class="h3-version">of v{props.version}</span>
      </h3>
      <ErrorBoundary fallback={(err) => <p class="inline-error">The certification cannot be read: {errorMessage(err)}</p>}>
        <Suspense fallback={<p class="muted">Reading the certification…</p>}>
          <Show when={cert() !== undefined}>
            <Show when={cert()} fallback={<p class="muted" data-testid="not-certified">Not certified{started() ? ': the certification lifecycle is starting…' : '.'}</p>}>
              {(c) => <CertificationFacts cert={c()} />}
            </Show>
          </Show>
        </Suspense>
      </ErrorBoundary>
      <Show when={mayCertify() && cert()?.status !== 'checking'}>
        <CertifyForm definitionId={props.definitionId} version={props.version} again={Boolean(cert())} onStarted={() => setStarted(true)} />
      </Show>
    </section>
  );
}

function CertificationFacts(props: { cert: CertificationView }) {
  const c = () => props.cert;
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span class={`chip cert-${c().status}`} data-testid="certification-status" data-status={c().status}>
              {CERTIFICATION_LABELS[c().status] ?? c().status}
            </span>
          </dd>
        </div>
        <div>
          <dt>Certified by</dt>
          <dd>{c().certifiedBy ?? <span class="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Certified</dt>
          <dd>{c().certifiedAt ? <time datetime={c().certifiedAt}>{formatDateTime(c().certifiedAt!)}</time> : <span class="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd data-testid="certification-expires">{c().expiresAt ? <time datetime={c().expiresAt}>{formatDate(c().expiresAt!)}</time> : <span class="muted">—</span>}</dd>
        </div>
        <Show when={c().carriedFrom}>
          <div>
            <dt>Carried over from</dt>
            <dd>
              <code>v{c().carriedFrom}</code> <span class="muted small">(a patch-level change, by policy)</span>
            </dd>
          </div>
        </Show>
      </dl>
      <Show when={c().status === 'overdue'}>
        <p class="banner banner-warn" data-testid="certification-overdue">
          The certification has expired: the entry shows "review overdue" and installs warn until a certifier recertifies it.
        </p>
      </Show>
      <Show when={c().checklist.length}>
        <table class="plain-table checklist" data-testid="checklist">
          <caption class="visually-hidden">Certification checklist</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Outcome</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            <For each={c().checklist}>
              {(item) => (
                <tr data-testid="checklist-item" data-id={item.id} data-ok={String(item.ok)}>
                  <th scope="row">
                    {item.title} <code class="muted small">{item.id}</code>
                  </th>
                  <td>
                    <span class={`chip ${item.ok ? 'chip-ok' : 'chip-danger'}`}>{item.ok ? '✓ met' : '✕ not met'}</span>
                  </td>
                  <td class="small">{item.reason}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
      <p class="small">
        <ExternalLink href={c().temporalUrl} testId="certification-temporal-link">
          The certification in Temporal
        </ExternalLink>{' '}
        <code class="muted small">{c().workflowId}</code>
      </p>
    </>
  );
}

function CertifyForm(props: { definitionId: string; version: string; again: boolean; onStarted: () => void }) {
  const id = createUniqueId();
  const certify = useAction(certifyVersion);
  const [rationale, setRationale] = createSignal('');
  const [problem, setProblem] = createSignal<FormProblem>();
  const [sending, setSending] = createSignal(false);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setProblem(undefined);
    if (!rationale().trim()) {
      setProblem({ message: 'Say what you checked: a rationale is required.', code: 'RATIONALE_REQUIRED', details: [] });
      return;
    }
    setSending(true);
    try {
      await certify({ definitionId: props.definitionId, version: props.version, rationale: rationale().trim() });
      setRationale('');
      props.onStarted();
    } catch (err) {
      setProblem({ message: errorMessage(err), ...(err instanceof ApiError ? { code: err.code, details: err.details ?? [] } : { details: [] }) });
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="decision-form certify-form" onSubmit={(e) => void submit(e)} data-testid="certify-form">
      <label for={`${id}-rationale`}>{props.again ? 'Recertify' : 'Certify'} v{props.version}: rationale</label>
      <textarea
        id={`${id}-rationale`}
        rows={2}
        placeholder="What did you check beyond the checklist?"
        value={rationale()}
        disabled={sending()}
        onInput={(e) => setRationale(e.currentTarget.value)}
      />
      <div class="decision-actions">
        <button type="submit" class="button primary" disabled={sending()} data-testid="certify">
          {sending() ? 'Starting…' : props.again ? 'Recertify' : 'Certify'}
        </button>
        <span class="muted small">Runs the checklist of docs/certification.md; certification lasts until it expires.</span>
      </div>
      <FormProblemAlert problem={problem()} testId="certify-error" lead="Not certified: " />
    </form>
  );
}
