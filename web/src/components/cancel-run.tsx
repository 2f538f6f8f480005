import { createSignal, createUniqueId, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { actorName, cancelRefusal, cancelRun, type RunView } from '../data/runs.ts';
import { session } from '../data/session.ts';
import { errorMessage } from '../lib/format.ts';

/**
 * Cancel, with a reason and one confirmation, while the run is still going. Offered to
 * those the engine lets cancel (the starter, tenant admins): the same rule, from domain/.
 */
export function CancelRun(props: { run: RunView }) {
  const id = createUniqueId();
  const [asking, setAsking] = createSignal(false);
  const [reason, setReason] = createSignal('');
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [requested, setRequested] = createSignal(false);
  let input: HTMLInputElement | undefined;

  const confirm = async () => {
    setSending(true);
    setError(undefined);
    try {
      await cancelRun(props.run.runId, reason().trim());
      setRequested(true);
      setAsking(false);
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  };

  const me = () => session.actor();
  const refusal = () => {
    const actor = me();
    return actor ? cancelRefusal(props.run, { by: actor }) : undefined;
  };

  return (
    <div class="cancel-run">
      <Show when={props.run.cancellation}>
        {(c) => (
          <p class="muted" data-testid="cancellation-pending">
            Cancellation requested by {c().by}
            {c().reason ? `: ${c().reason}` : ''}. Waiting for the running steps to stop…
          </p>
        )}
      </Show>
      <Show when={refusal()?.code === 'CANCEL_NOT_ALLOWED' || refusal()?.code === 'WRONG_TENANT'}>
        <p class="muted small">Only {actorName(props.run.startedBy)} or a tenant admin can cancel this run.</p>
      </Show>
      <Show when={!props.run.cancellation && !refusal()}>
      <Show
        when={asking()}
        fallback={
          <button
            type="button"
            class="button reject"
            disabled={requested()}
            onClick={() => {
              setAsking(true);
              queueMicrotask(() => input?.focus());
            }}
          >
            {requested() ? 'Cancelling…' : 'Cancel run'}
          </button>
        }
      >
        <form
          class="cancel-form"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          <label for={`${id}-reason`}>Reason for cancelling</label>
          <input
            ref={input}
            id={`${id}-reason`}
            type="text"
            placeholder="e.g. started with the wrong system list"
            value={reason()}
            disabled={sending()}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <button type="submit" class="button reject" disabled={sending()}>
            {sending() ? 'Cancelling…' : 'Cancel the run'}
          </button>
          <button type="button" class="button" disabled={sending()} onClick={() => setAsking(false)}>
            Keep running
          </button>
        </form>
      </Show>
      </Show>
      <Show when={error()}>
        {(err) => (
          <p class="inline-error" role="alert" data-testid="cancel-error">
            {errorMessage(err())}
            <Show when={err() instanceof ApiError}>
              <code class="error-code">{(err() as ApiError).code}</code>
            </Show>
          </p>
        )}
      </Show>
    </div>
  );
}
