import { createEffect, createSignal, createUniqueId, on, Show } from 'solid-js';
import { ApiError } from '../data/api.ts';
import { SECRET_DESCRIPTION_MAX, SECRET_NAME, SECRET_NAME_RULE, SECRET_VALUE_MAX_BYTES, type SecretInput } from '../data/secrets.ts';
import { errorMessage } from '../lib/format.ts';

export interface SecretFormProblems {
  name?: string;
  value?: string;
  description?: string;
}

/** What is wrong with a secret about to be stored, before anything is sent. */
export function checkSecretInput(input: SecretInput, opts: { checkName: boolean }): SecretFormProblems {
  const problems: SecretFormProblems = {};
  if (opts.checkName && !SECRET_NAME.test(input.name)) problems.name = input.name ? `A name is ${SECRET_NAME_RULE}.` : 'Enter a name.';
  if (!input.value) problems.value = 'Enter the value.';
  else if (new TextEncoder().encode(input.value).length > SECRET_VALUE_MAX_BYTES) problems.value = `A value is at most ${SECRET_VALUE_MAX_BYTES / 1024} KiB.`;
  if ((input.description ?? '').length > SECRET_DESCRIPTION_MAX) problems.description = `At most ${SECRET_DESCRIPTION_MAX} characters.`;
  return problems;
}

/**
 * Store a new secret, or rotate one by its name. The value is in a password input, sent once
 * and cleared: it is never shown again, here or anywhere.
 */
export function SecretForm(props: {
  /** a name to start with (a run form links here with the name it misses) */
  initialName?: string;
  existing: (name: string) => boolean;
  onStore: (input: SecretInput) => Promise<unknown>;
  onStored: (name: string, rotated: boolean) => void;
}) {
  const id = createUniqueId();
  const [name, setName] = createSignal(props.initialName ?? '');
  const [description, setDescription] = createSignal('');
  const [value, setValue] = createSignal('');
  const [problems, setProblems] = createSignal<SecretFormProblems>({});
  const [error, setError] = createSignal<unknown>();
  const [sending, setSending] = createSignal(false);
  let nameInput: HTMLInputElement | undefined;
  let valueInput: HTMLInputElement | undefined;
  let descriptionInput: HTMLInputElement | undefined;

  // arriving with a name (from a run form's warning): the value is what is left to type
  createEffect(
    on(
      () => props.initialName,
      (initial) => {
        if (!initial) return;
        setName(initial);
        queueMicrotask(() => valueInput?.focus());
      },
    ),
  );

  const rotating = () => SECRET_NAME.test(name()) && props.existing(name());

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (sending()) return;
    setError(undefined);
    const input: SecretInput = { name: name().trim(), value: value(), ...(description().trim() ? { description: description().trim() } : {}) };
    const found = checkSecretInput(input, { checkName: true });
    setProblems(found);
    const firstInvalid = found.name ? nameInput : found.value ? valueInput : found.description ? descriptionInput : undefined;
    if (firstInvalid) {
      firstInvalid.focus();
      return;
    }
    const wasRotation = rotating();
    setSending(true);
    try {
      await props.onStore(input);
      setValue('');
      setName('');
      setDescription('');
      props.onStored(input.name, wasRotation);
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  const describedBy = (field: keyof SecretFormProblems, hint?: string) =>
    [hint, problems()[field] ? `${id}-${field}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <form class="card secret-form" data-testid="secret-form" novalidate onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="form-title">
        Store a secret
      </h2>
      <div class="secret-fields">
        <div class="field" classList={{ 'field-invalid': Boolean(problems().name) }}>
          <label for={`${id}-name`} class="field-label">
            Name
          </label>
          <input
            ref={nameInput}
            id={`${id}-name`}
            name="name"
            value={name()}
            autocomplete="off"
            spellcheck={false}
            aria-required="true"
            aria-invalid={problems().name ? 'true' : undefined}
            aria-describedby={describedBy('name', `${id}-name-hint`)}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <span id={`${id}-name-hint`} class="hint muted">
            <Show when={rotating()} fallback={<>As the spec names it, e.g. hris_token.</>}>
              <strong>{name()}</strong> exists: storing replaces its value (a rotation).
            </Show>
          </span>
          <Show when={problems().name}>
            <p id={`${id}-name-error`} class="field-error">
              {problems().name}
            </p>
          </Show>
        </div>
        <div class="field" classList={{ 'field-invalid': Boolean(problems().value) }}>
          <label for={`${id}-value`} class="field-label">
            Value
          </label>
          <input
            ref={valueInput}
            id={`${id}-value`}
            name="value"
            type="password"
            value={value()}
            autocomplete="new-password"
            spellcheck={false}
            aria-required="true"
            aria-invalid={problems().value ? 'true' : undefined}
            aria-describedby={describedBy('value', `${id}-value-hint`)}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <span id={`${id}-value-hint`} class="hint muted">
            Encrypted at rest; never shown again.
          </span>
          <Show when={problems().value}>
            <p id={`${id}-value-error`} class="field-error">
              {problems().value}
            </p>
          </Show>
        </div>
        <div class="field field-wide" classList={{ 'field-invalid': Boolean(problems().description) }}>
          <label for={`${id}-description`} class="field-label">
            Description <span class="muted small">(optional)</span>
          </label>
          <input
            ref={descriptionInput}
            id={`${id}-description`}
            name="description"
            value={description()}
            maxlength={SECRET_DESCRIPTION_MAX}
            autocomplete="off"
            aria-invalid={problems().description ? 'true' : undefined}
            aria-describedby={describedBy('description')}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
          <Show when={problems().description}>
            <p id={`${id}-description-error`} class="field-error">
              {problems().description}
            </p>
          </Show>
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={sending()}>
          {sending() ? 'Storing…' : rotating() ? 'Rotate secret' : 'Store secret'}
        </button>
        <Show when={error()}>
          {(err) => (
            <p class="inline-error" role="alert" data-testid="secret-form-error">
              {errorMessage(err())}
              <Show when={err() instanceof ApiError && (err() as ApiError).code}>{(code) => <code class="error-code">{code()}</code>}</Show>
            </p>
          )}
        </Show>
      </div>
    </form>
  );
}
