import { useAction, useSubmission } from '@solidjs/router';
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { decidePublish, sameRequest } from '../data/approvals.ts';
import type { Decision, DecisionInput, DecisionResult, PendingApproval } from '../data/approvals.ts';
import { formatDateTime } from '../lib/format.ts';
import { RiskBadge } from './risk-badge.tsx';
import { ScopeBadge } from './scope-badge.tsx';

/** One publish request waiting for review, with the approve / reject form. */
export function ApprovalItem(props: {
  item: PendingApproval;
  isOwnRequest?: boolean;
  onDecided?: (input: DecisionInput, result: DecisionResult) => void;
}) {
  const id = createUniqueId();
  const [rationale, setRationale] = createSignal('');
  const decide = useAction(decidePublish);
  const submission = useSubmission(decidePublish, ([input]) => sameRequest(input, props.item));
  const sending = () => submission.pending === true;
  const sendingDecision = () => (sending() ? submission.input?.[0].decision : undefined);
  const error = () => submission.error as unknown;

  const send = (decision: Decision) => {
    submission.clear?.();
    const input: DecisionInput = {
      definitionId: props.item.definitionId,
      version: props.item.version,
      decision,
      rationale: rationale().trim(),
    };
    decide(input).then(
      (result) => props.onDecided?.(input, result),
      () => {}, // shown below from the submission
    );
  };

  return (
    <li class="card approval-item" data-testid="approval-item" data-workflow-id={props.item.workflowId}>
      <article aria-labelledby={`${id}-title`}>
        <header class="approval-head">
          <div>
            <h2 id={`${id}-title`} class="approval-title">
              {props.item.title || props.item.definitionId}{' '}
              <span class="version">v{props.item.version}</span>
            </h2>
            <code class="row-id">{props.item.definitionId}</code>
          </div>
          <div class="badges">
            <RiskBadge risk={props.item.risk} />
            <ScopeBadge scope={props.item.scope} />
          </div>
        </header>

        <dl class="facts">
          <div>
            <dt>Requested by</dt>
            <dd>
              {props.item.requestedBy.name ?? props.item.requestedBy.sub}{' '}
              <span class="muted">({props.item.requestedBy.sub})</span>
              <Show when={props.isOwnRequest}>
                {' '}
                <span class="chip chip-warn">your request</span>
              </Show>
            </dd>
          </div>
          <div>
            <dt>Requested</dt>
            <dd>
              <time datetime={props.item.requestedAt}>{formatDateTime(props.item.requestedAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Tenant</dt>
            <dd>{props.item.tenantId}</dd>
          </div>
          <div>
            <dt>Workflow</dt>
            <dd>
              <a href={props.item.temporalUrl} target="_blank" rel="noopener noreferrer" class="temporal-link">
                Open in Temporal<span class="visually-hidden"> (opens in a new tab)</span>
                <span aria-hidden="true"> ↗</span>
              </a>{' '}
              <code class="muted small">{props.item.workflowId}</code>
            </dd>
          </div>
        </dl>

        <Show when={props.item.reviewReasons.length}>
          <div class="reasons">
            <h3>Why review is needed</h3>
            <ul>
              <For each={props.item.reviewReasons}>{(reason) => <li>{reason}</li>}</For>
            </ul>
          </div>
        </Show>

        <form class="decision-form" onSubmit={(e) => e.preventDefault()}>
          <label for={`${id}-rationale`}>Rationale</label>
          <textarea
            id={`${id}-rationale`}
            aria-label="Rationale"
            rows={3}
            placeholder="What did you check, and why is this safe (or not) to publish?"
            value={rationale()}
            disabled={sending()}
            onInput={(e) => setRationale(e.currentTarget.value)}
          />
          <div class="decision-actions">
            <button type="button" class="button approve" disabled={sending()} onClick={() => send('approve')}>
              {sendingDecision() === 'approve' ? 'Approving…' : 'Approve'}
            </button>
            <button type="button" class="button reject" disabled={sending()} onClick={() => send('reject')}>
              {sendingDecision() === 'reject' ? 'Rejecting…' : 'Reject'}
            </button>
            <Show when={error()}>
              {(err) => (
                <p class="inline-error" role="alert" data-testid="approval-error">
                  {err() instanceof Error ? (err() as Error).message : String(err())}
                  <Show when={err() instanceof ApiError && (err() as ApiError).code}>
                    {(code) => <code class="error-code">{code()}</code>}
                  </Show>
                </p>
              )}
            </Show>
          </div>
        </form>
      </article>
    </li>
  );
}
