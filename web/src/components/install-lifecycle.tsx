import { useAction, useSubmission } from '@solidjs/router';
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { decideInstall, type InstallView } from '../data/marketplace.ts';
import { errorMessage, formatDateTime } from '../lib/format.ts';
import { ExternalLink } from './external-link.tsx';
import { InstallStatusBadge } from './instance-status-badge.tsx';

/**
 * The install lifecycle of an instance: its state, the policy's decision, approvals, any
 * error, and its page in the Temporal Web UI. While it awaits approval, a second tenant
 * admin (not the requester) approves or rejects it here with a rationale.
 */
export function InstallLifecycle(props: { install: InstallView; canDecide: boolean }) {
  const id = createUniqueId();
  const i = () => props.install;
  const [rationale, setRationale] = createSignal('');
  const decide = useAction(decideInstall);
  const submission = useSubmission(decideInstall, ([input]) => input.instanceId === props.install.instanceId);
  const send = (decision: 'approve' | 'reject') => {
    submission.clear?.();
    decide({ instanceId: i().instanceId, decision, rationale: rationale().trim() }).catch(() => {});
  };
  return (
    <section class="card side-card install-lifecycle" aria-labelledby={`${id}-title`} data-testid="install-lifecycle">
      <h2 id={`${id}-title`} class="section-title">
        Install lifecycle
      </h2>
      <p class="lifecycle-line">
        <InstallStatusBadge status={i().status} /> <span class="muted small">requested by {i().requestedBy}</span>
      </p>
      <p class="small">
        <ExternalLink href={i().temporalUrl} testId="install-temporal-link">
          Open in Temporal
        </ExternalLink>{' '}
        <code class="workflow-id muted">{i().workflowId}</code>
      </p>
      <Show when={i().error}>
        {(e) => (
          <div class="step-error" role="status">
            {e().message} <code class="error-code">{e().code}</code>
            <Show when={e().details?.length}>
              <ul>
                <For each={e().details}>
                  {(d) => (
                    <li>
                      <code>{d.path}</code> {d.message}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </div>
        )}
      </Show>
      <Show when={i().decision}>
        {(d) => (
          <div class="small">
            <Show when={d().approvalsRequired > 0} fallback={<p class="muted">The policy required no approval.</p>}>
              <p>
                The policy required {d().approvalsRequired === 1 ? 'an approval' : `${d().approvalsRequired} approvals`} by a second tenant admin:
              </p>
              <ul>
                <For each={d().reasons}>{(r) => <li>{r}</li>}</For>
              </ul>
            </Show>
            <Show when={d().deny.length}>
              <ul class="side-warnings">
                <For each={d().deny}>{(r) => <li>{r}</li>}</For>
              </ul>
            </Show>
          </div>
        )}
      </Show>
      <Show when={i().status === 'awaiting_override' && i().heldFor?.length}>
        <div class="side-warnings" data-testid="install-held">
          <p>Held by the guardrails until someone they name overrides each rule (never the requester), with a rationale:</p>
          <ul>
            <For each={i().heldFor}>
              {(h) => (
                <li data-rule={h.rule}>
                  <code>{h.rule}</code>: {h.reasons.join('; ')} — may override: {h.override_roles.join(', ') || 'nobody'}
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
      <Show when={i().overrides?.length}>
        <ul class="decisions" data-testid="install-overrides">
          <For each={i().overrides}>
            {(o) => (
              <li class="decision decision-approve">
                <strong>Overrode</strong> <code>{o.rule}</code>: {o.actor.name ?? o.actor.sub}
                <blockquote>{o.rationale}</blockquote>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={i().approvals.length}>
        <ul class="decisions">
          <For each={i().approvals}>
            {(a) => (
              <li class={`decision decision-${a.decision}`}>
                <strong>{a.decision === 'approve' ? 'Approved' : 'Rejected'}</strong> by {a.approver.name ?? a.approver.sub},{' '}
                <time datetime={a.at}>{formatDateTime(a.at)}</time>
                <blockquote>{a.rationale}</blockquote>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={i().status === 'awaiting_approval' && props.canDecide}>
        <form class="decision-form" onSubmit={(e) => e.preventDefault()} data-testid="install-decision">
          <label for={`${id}-rationale`}>Rationale</label>
          <textarea id={`${id}-rationale`} rows={3} value={rationale()} disabled={submission.pending} onInput={(e) => setRationale(e.currentTarget.value)} />
          <div class="decision-actions">
            <button type="button" class="button approve" disabled={submission.pending} onClick={() => send('approve')}>
              Approve install
            </button>
            <button type="button" class="button reject" disabled={submission.pending} onClick={() => send('reject')}>
              Reject
            </button>
            <Show when={submission.error as unknown}>
              {(err) => (
                <p class="inline-error" role="alert">
                  {errorMessage(err())}
                  <Show when={err() instanceof ApiError}>
                    <code class="error-code">{(err() as ApiError).code}</code>
                  </Show>
                </p>
              )}
            </Show>
          </div>
        </form>
      </Show>
    </section>
  );
}
