import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { actorName, approvalRefusal, decideStep, type Decision, type RunStep, type RunView, type StepApproval as Approval } from '../data/runs.ts';
import { session } from '../data/session.ts';
import { errorMessage, formatDateTime } from '../lib/format.ts';

function approverText(a: Approval['approvers']): string {
  const parts = [
    ...(a.roles?.length ? [`${a.roles.length === 1 ? 'role' : 'roles'} ${a.roles.join(', ')}`] : []),
    ...(a.users?.length ? [a.users.join(', ')] : []),
  ];
  return parts.length ? parts.join(' or ') : 'roles reviewer, tenant-admin';
}

/**
 * Why the signed-in user cannot decide, by the same rule the workflow's Update validator
 * applies (the server has the final word: the actor kept in the browser is for display).
 */
function refusalFor(run: RunView, stepId: string) {
  const me = session.actor();
  if (!me) return undefined;
  return approvalRefusal(run, { stepId, approver: me, decision: 'approve', rationale: '(checking)' });
}

/** An approval step: what is asked, who may answer, decisions so far, and (while waiting) the form. */
export function StepApproval(props: { run: RunView; step: RunStep & { approval: Approval } }) {
  const id = createUniqueId();
  const a = () => props.step.approval;
  const waiting = () => props.step.status === 'waiting_approval';
  const approvedCount = () => a().approvals.filter((x) => x.decision === 'approve').length;
  const [rationale, setRationale] = createSignal('');
  const [sending, setSending] = createSignal<Decision>();
  const [error, setError] = createSignal<unknown>();
  const [sent, setSent] = createSignal<Decision>();

  const send = async (decision: Decision) => {
    setError(undefined);
    setSent(undefined);
    setSending(decision);
    try {
      await decideStep(props.run.runId, props.step.id, decision, rationale().trim());
      setSent(decision);
      setRationale('');
    } catch (e) {
      setError(e);
    } finally {
      setSending(undefined);
    }
  };

  return (
    <div class="step-approval" data-testid="step-approval">
      <p class="approval-message">{a().message}</p>
      <dl class="approval-facts">
        <div>
          <dt>Who may approve</dt>
          <dd>{approverText(a().approvers)}</dd>
        </div>
        <div>
          <dt>Approvals</dt>
          <dd>
            {approvedCount()} of {a().count}
          </dd>
        </div>
        <Show when={a().timeout}>
          <div>
            <dt>Times out after</dt>
            <dd>{a().timeout}</dd>
          </div>
        </Show>
      </dl>
      <Show when={a().approvals.length}>
        <ul class="decisions">
          <For each={a().approvals}>
            {(x) => (
              <li class={`decision decision-${x.decision}`}>
                <strong>{x.decision === 'approve' ? 'Approved' : 'Rejected'}</strong> by {actorName(x.approver)}{' '}
                <time class="muted small" datetime={x.at}>
                  {formatDateTime(x.at)}
                </time>
                <Show when={x.rationale}>
                  <blockquote>{x.rationale}</blockquote>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>

      <Show when={waiting()}>
        <form class="decision-form" onSubmit={(e) => e.preventDefault()}>
          <Show when={refusalFor(props.run, props.step.id)}>
            {(r) => (
              <p class="hint approval-hint" data-testid="approval-hint" data-code={r().code}>
                {r().code === 'SELF_APPROVAL' ? 'You started this run, so someone else has to decide.' : `You cannot decide this step: ${r().message}.`}
              </p>
            )}
          </Show>
          <label for={`${id}-rationale`}>Rationale</label>
          <textarea
            id={`${id}-rationale`}
            aria-label="Rationale"
            rows={3}
            placeholder="What did you check? Your rationale is recorded with your decision."
            value={rationale()}
            disabled={sending() !== undefined}
            onInput={(e) => setRationale(e.currentTarget.value)}
          />
          <div class="decision-actions">
            <button type="button" class="button approve" disabled={sending() !== undefined} onClick={() => void send('approve')}>
              {sending() === 'approve' ? 'Approving…' : 'Approve'}
            </button>
            <button type="button" class="button reject" disabled={sending() !== undefined} onClick={() => void send('reject')}>
              {sending() === 'reject' ? 'Rejecting…' : 'Reject'}
            </button>
            <Show when={error()}>
              {(err) => (
                <p class="inline-error" role="alert" data-testid="step-approval-error">
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
      <p role="status" class="decision-sent">
        <Show when={sent()}>{(d) => <>Your {d() === 'approve' ? 'approval' : 'rejection'} was recorded.</>}</Show>
      </p>
    </div>
  );
}
