import { useAction } from '@solidjs/router';
import { createSignal, createUniqueId, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { setInstanceEnabled, uninstallInstance, type InstanceView } from '../data/marketplace.ts';
import { errorMessage } from '../lib/format.ts';

/**
 * Disable / enable an instance, or uninstall it after a confirmation that asks what becomes
 * of the runs in flight (finish, or cancel). Each is a lifecycle, so who did it is in history.
 */
export function InstanceActions(props: { instance: InstanceView }) {
  const id = createUniqueId();
  const setEnabled = useAction(setInstanceEnabled);
  const uninstall = useAction(uninstallInstance);
  const [asking, setAsking] = createSignal(false);
  const [inFlight, setInFlight] = createSignal<'finish' | 'cancel'>('finish');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let uninstallButton: HTMLButtonElement | undefined;
  const i = () => props.instance;

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      setAsking(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="instance-actions" data-testid="instance-actions">
      <div class="form-actions">
        <Show when={i().status === 'active'}>
          <button type="button" class="button" disabled={busy()} onClick={() => void run(() => setEnabled({ id: i().id, enabled: false }))}>
            Disable
          </button>
        </Show>
        <Show when={i().status === 'disabled'}>
          <button type="button" class="button" disabled={busy()} onClick={() => void run(() => setEnabled({ id: i().id, enabled: true }))}>
            Enable
          </button>
        </Show>
        <Show when={i().status === 'active' || i().status === 'disabled'}>
          <button
            ref={uninstallButton}
            type="button"
            class="button reject"
            aria-expanded={asking()}
            aria-controls={`${id}-confirm`}
            disabled={busy()}
            onClick={() => {
              setAsking(!asking());
              if (!asking()) return;
              queueMicrotask(() => document.getElementById(`${id}-finish`)?.focus());
            }}
          >
            Uninstall
          </button>
        </Show>
      </div>
      <Show when={asking()}>
        <fieldset
          class="confirm-delete"
          id={`${id}-confirm`}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            setAsking(false);
            uninstallButton?.focus();
          }}
        >
          <legend>Uninstall {i().id}? It takes no new runs from now on. Runs in flight:</legend>
          <label class="radio-row">
            <input id={`${id}-finish`} type="radio" name={`${id}-inflight`} checked={inFlight() === 'finish'} onChange={() => setInFlight('finish')} />
            finish first (the uninstall waits for them)
          </label>
          <label class="radio-row">
            <input type="radio" name={`${id}-inflight`} checked={inFlight() === 'cancel'} onChange={() => setInFlight('cancel')} />
            are cancelled
          </label>
          <div class="form-actions">
            <button type="button" class="button reject" disabled={busy()} onClick={() => void run(() => uninstall({ id: i().id, inFlight: inFlight() }))}>
              {busy() ? 'Uninstalling…' : `Uninstall ${i().id}`}
            </button>
            <button
              type="button"
              class="button"
              onClick={() => {
                setAsking(false);
                uninstallButton?.focus();
              }}
            >
              Cancel
            </button>
          </div>
        </fieldset>
      </Show>
      <Show when={error()}>
        {(e) => (
          <p class="inline-error" role="alert">
            {errorMessage(e())}
            <Show when={e() instanceof ApiError}>
              <code class="error-code">{(e() as ApiError).code}</code>
            </Show>
          </p>
        )}
      </Show>
    </div>
  );
}
