import { useAction, useSubmission } from '@solidjs/router';
import { createSignal, createUniqueId, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { decideUpgrade } from '../data/upgrades.ts';
import { errorMessage } from '../lib/format.ts';

/** Approve or reject an upgrade that awaits approval, with a rationale (a tenant admin who did not ask for it). */
export function UpgradeDecision(props: { instanceId: string; version: string }) {
  const id = createUniqueId();
  const [rationale, setRationale] = createSignal('');
  const decide = useAction(decideUpgrade);
  const submission = useSubmission(decideUpgrade, ([input]) => input.id === props.instanceId && input.version === props.version);
  const send = (decision: 'approve' | 'reject') => {
    submission.clear?.();
    decide({ id: props.instanceId, version: props.version, decision, rationale: rationale().trim() }).catch(() => {});
  };
  return (
    <form class="decision-form" onSubmit={(e) => e.preventDefault()} data-testid="upgrade-decision">
      <label for={`${id}-rationale`}>Rationale</label>
      <textarea id={`${id}-rationale`} rows={3} value={rationale()} disabled={submission.pending} onInput={(e) => setRationale(e.currentTarget.value)} />
      <div class="decision-actions">
        <button type="button" class="button approve" disabled={submission.pending} onClick={() => send('approve')}>
          Approve upgrade
        </button>
        <button type="button" class="button reject" disabled={submission.pending} onClick={() => send('reject')}>
          Reject
        </button>
        <Show when={submission.error as unknown}>
          {(err) => (
            <p class="inline-error" role="alert" data-testid="upgrade-decision-error">
              {errorMessage(err())}
              <Show when={err() instanceof ApiError}>
                <code class="error-code">{(err() as ApiError).code}</code>
              </Show>
            </p>
          )}
        </Show>
      </div>
    </form>
  );
}
