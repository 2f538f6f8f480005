import { createSignal, createUniqueId, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import type { SecretInput, SecretListItem } from '../data/secrets.ts';
import { errorMessage, formatDateTime } from '../lib/format.ts';
import { checkSecretInput } from './secret-form.tsx';

export type RowPanel = 'rotate' | 'delete';

/**
 * One secret: name, reference, who stored and rotated it and when — never its value. Tenant
 * admins and publishers rotate it (a new value in a password input) or delete it after a
 * confirmation, each in a panel under the row; closing the panel returns focus to its button.
 */
export function SecretRow(props: {
  secret: SecretListItem;
  canWrite: boolean;
  open?: RowPanel;
  onOpen: (panel: RowPanel | undefined) => void;
  onRotate: (input: SecretInput) => Promise<unknown>;
  onDelete: (name: string) => Promise<unknown>;
  /** after a rotation or a delete (this row then goes away: the page takes the focus) */
  onDone: (message: string, deleted: boolean) => void;
}) {
  const id = createUniqueId();
  const s = () => props.secret;
  const [value, setValue] = createSignal('');
  const [description, setDescription] = createSignal<string>();
  const [problem, setProblem] = createSignal<string>();
  const [error, setError] = createSignal<unknown>();
  const [sending, setSending] = createSignal(false);
  let rotateButton: HTMLButtonElement | undefined;
  let deleteButton: HTMLButtonElement | undefined;

  const open = (panel: RowPanel) => {
    setValue('');
    setDescription(undefined);
    setProblem(undefined);
    setError(undefined);
    props.onOpen(panel);
    // the panel's first control: the new value, or (for a delete) the safe choice
    queueMicrotask(() => document.getElementById(panel === 'rotate' ? `${id}-value` : `${id}-cancel-delete`)?.focus());
  };
  const close = (panel: RowPanel) => {
    setValue('');
    props.onOpen(undefined);
    queueMicrotask(() => (panel === 'rotate' ? rotateButton : deleteButton)?.focus());
  };

  const rotate = async (e: SubmitEvent) => {
    e.preventDefault();
    if (sending()) return;
    const input: SecretInput = { name: s().name, value: value(), ...(description() !== undefined ? { description: description()!.trim() } : {}) };
    const found = checkSecretInput(input, { checkName: false });
    setProblem(found.value ?? found.description);
    if (found.value || found.description) {
      document.getElementById(`${id}-${found.value ? 'value' : 'description'}`)?.focus();
      return;
    }
    await send(() => props.onRotate(input), `Rotated ${s().name}. The new value is in use from the next step that reads it; it will not be shown again.`, false);
  };

  const remove = () => send(() => props.onDelete(s().name), `Deleted ${s().name}.`, true);

  async function send(fn: () => Promise<unknown>, done: string, deleted: boolean) {
    setSending(true);
    setError(undefined);
    try {
      await fn();
      setValue('');
      props.onOpen(undefined);
      props.onDone(done, deleted);
      if (!deleted) queueMicrotask(() => rotateButton?.focus());
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  }

  const failure = () => (
    <Show when={error()}>
      {(err) => (
        <p class="inline-error" role="alert">
          {errorMessage(err())}
          <Show when={err() instanceof ApiError && (err() as ApiError).code}>{(code) => <code class="error-code">{code()}</code>}</Show>
        </p>
      )}
    </Show>
  );

  return (
    <>
      <tr data-testid="secret-row" data-name={s().name} classList={{ 'row-open': Boolean(props.open) }}>
        <th scope="row">
          <code class="secret-name">{s().name}</code>
          <Show when={s().description}>
            <span class="field-desc muted">{s().description}</span>
          </Show>
        </th>
        <td>
          <code class="secret-ref">{s().ref}</code>
        </td>
        <td>
          <time datetime={s().createdAt}>{formatDateTime(s().createdAt)}</time>
          <Show when={s().createdBy}>{(by) => <span class="muted"> by {by()}</span>}</Show>
        </td>
        <td data-testid="secret-rotated">
          <Show when={s().rotatedAt} fallback={<span class="muted">never</span>}>
            {(at) => (
              <>
                <time datetime={at()}>{formatDateTime(at())}</time>
                <Show when={s().updatedBy}>{(by) => <span class="muted"> by {by()}</span>}</Show>
              </>
            )}
          </Show>
        </td>
        <Show when={props.canWrite}>
          <td class="row-actions">
            <button
              ref={rotateButton}
              type="button"
              class="button small"
              aria-expanded={props.open === 'rotate'}
              aria-controls={`${id}-panel`}
              onClick={() => (props.open === 'rotate' ? close('rotate') : open('rotate'))}
            >
              Rotate<span class="visually-hidden"> {s().name}</span>
            </button>
            <button
              ref={deleteButton}
              type="button"
              class="button small reject"
              aria-expanded={props.open === 'delete'}
              aria-controls={`${id}-panel`}
              onClick={() => (props.open === 'delete' ? close('delete') : open('delete'))}
            >
              Delete<span class="visually-hidden"> {s().name}</span>
            </button>
          </td>
        </Show>
      </tr>
      <Show when={props.open}>
        {(panel) => (
          <tr class="secret-panel-row" id={`${id}-panel`}>
            <td colSpan={5} onKeyDown={(e) => e.key === 'Escape' && close(panel())}>
              <Show
                when={panel() === 'rotate'}
                fallback={
                  <div class="confirm-delete" role="group" aria-labelledby={`${id}-confirm`} data-testid="confirm-delete">
                    <p id={`${id}-confirm`}>
                      Delete <code>{s().name}</code>? Runs and instances that reference <code>{s().ref}</code> fail with <code>SECRET_NOT_FOUND</code> until
                      a secret of that name is stored again.
                    </p>
                    <div class="form-actions">
                      <button type="button" class="button reject" disabled={sending()} onClick={() => void remove()}>
                        {sending() ? 'Deleting…' : `Delete ${s().name}`}
                      </button>
                      <button type="button" class="button" id={`${id}-cancel-delete`} onClick={() => close('delete')}>
                        Cancel
                      </button>
                      {failure()}
                    </div>
                  </div>
                }
              >
                <form class="rotate-form" data-testid="rotate-form" novalidate onSubmit={(e) => void rotate(e)} aria-label={`Rotate ${s().name}`}>
                  <div class="field">
                    <label for={`${id}-value`} class="field-label">
                      New value for {s().name}
                    </label>
                    <input
                      id={`${id}-value`}
                      type="password"
                      autocomplete="new-password"
                      spellcheck={false}
                      aria-required="true"
                      aria-invalid={problem() ? 'true' : undefined}
                      value={value()}
                      onInput={(e) => setValue(e.currentTarget.value)}
                    />
                  </div>
                  <div class="field">
                    <label for={`${id}-description`} class="field-label">
                      Description <span class="muted small">(optional)</span>
                    </label>
                    <input
                      id={`${id}-description`}
                      autocomplete="off"
                      value={description() ?? s().description ?? ''}
                      onInput={(e) => setDescription(e.currentTarget.value)}
                    />
                  </div>
                  <div class="form-actions">
                    <button type="submit" class="button primary" disabled={sending()}>
                      {sending() ? 'Rotating…' : 'Rotate value'}
                    </button>
                    <button type="button" class="button" onClick={() => close('rotate')}>
                      Cancel
                    </button>
                    <Show when={problem()}>
                      <p class="field-error" role="alert">
                        {problem()}
                      </p>
                    </Show>
                    {failure()}
                  </div>
                </form>
              </Show>
            </td>
          </tr>
        )}
      </Show>
    </>
  );
}
