import { useAction } from '@solidjs/router';
import { createEffect, createSignal, createUniqueId, For, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { POLICY_LABELS, setUpgradePolicy, UPGRADE_POLICIES, type UpgradePolicy } from '../data/upgrades.ts';
import { errorMessage } from '../lib/format.ts';

/**
 * An instance's upgrade policy: every member sees it; a tenant admin changes it here
 * (PATCH /instances/{id}). A breaking version is never automatic, whatever the policy.
 */
export function UpgradePolicyCard(props: { instanceId: string; policy: UpgradePolicy | undefined; canEdit: boolean }) {
  const id = createUniqueId();
  const save = useAction(setUpgradePolicy);
  const current = () => props.policy ?? 'pinned';
  const [choice, setChoice] = createSignal<UpgradePolicy>(current());
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [saved, setSaved] = createSignal(false);
  // a new read model (after saving, or from another tab) resets the choice
  createEffect(() => setChoice(current()));

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (busy() || choice() === current()) return;
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await save({ id: props.instanceId, upgradePolicy: choice() });
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card side-card upgrade-policy" aria-labelledby={`${id}-title`} data-testid="upgrade-policy" data-policy={current()}>
      <h2 id={`${id}-title`} class="section-title">
        Upgrade policy
      </h2>
      <Show
        when={props.canEdit}
        fallback={
          <p class="small">
            <strong data-testid="upgrade-policy-value">{POLICY_LABELS[current()].label}</strong>: {POLICY_LABELS[current()].help}{' '}
            <span class="muted">A tenant admin changes it.</span>
          </p>
        }
      >
        <form onSubmit={(e) => void submit(e)}>
          <fieldset class="radio-group">
            <legend class="visually-hidden">Upgrade policy of {props.instanceId}</legend>
            <For each={UPGRADE_POLICIES}>
              {(p) => (
                <label class="radio-row policy-option">
                  <input
                    type="radio"
                    name={`${id}-policy`}
                    value={p}
                    checked={choice() === p}
                    aria-describedby={`${id}-${p}-help`}
                    onChange={() => {
                      setChoice(p);
                      setSaved(false);
                    }}
                  />
                  <span>
                    <strong>{POLICY_LABELS[p].label}</strong>
                    <Show when={p === current()}>
                      {' '}
                      <span class="chip">current</span>
                    </Show>
                    <span id={`${id}-${p}-help`} class="block muted small">
                      {POLICY_LABELS[p].help}
                    </span>
                  </span>
                </label>
              )}
            </For>
          </fieldset>
          <p class="hint">Breaking versions are never automatic: they wait for a manual upgrade.</p>
          <div class="form-actions">
            <button type="submit" class="button small" disabled={busy() || choice() === current()} data-testid="upgrade-policy-save">
              {busy() ? 'Saving…' : 'Save policy'}
            </button>
            <span role="status" class="decision-sent">
              {saved() && !busy() ? 'Saved.' : ''}
            </span>
          </div>
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
        </form>
      </Show>
    </section>
  );
}
