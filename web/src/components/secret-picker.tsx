import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { storeSecretHref } from '../data/secrets.ts';

/**
 * Binds one secret a template declares to a secret of the installing tenant's own store:
 * the choices are that tenant's secret names (GET /secrets), never a value and never
 * another tenant's. With none to choose, it says so and links to the Secrets page.
 */
export function SecretPicker(props: {
  idPrefix: string;
  secret: { name: string; description?: string };
  ownSecrets: readonly string[];
  value: string;
  error?: string;
  /** where the Secrets page leads back to once one is stored */
  returnTo: string;
  onChange: (ownName: string) => void;
}) {
  const id = () => `${props.idPrefix}-secret-${props.secret.name}`;
  return (
    <div class="field" classList={{ 'field-invalid': Boolean(props.error) }} data-testid={`secret-binding-${props.secret.name}`}>
      <label for={id()} class="field-label">
        <code>{props.secret.name}</code>
        <span class="required-star" aria-hidden="true">
          {' '}
          *
        </span>
        <span class="visually-hidden"> (required)</span>
      </label>
      <select
        id={id()}
        name={`secret-${props.secret.name}`}
        aria-required="true"
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={`${id()}-help${props.error ? ` ${id()}-error` : ''}`}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        <option value="" selected={!props.value}>
          Choose one of your secrets…
        </option>
        <For each={props.ownSecrets}>
          {(name) => (
            <option value={name} selected={props.value === name}>
              {name}
            </option>
          )}
        </For>
      </select>
      <p id={`${id()}-help`} class="hint">
        {props.secret.description ? `${props.secret.description}. ` : ''}
        <Show
          when={props.ownSecrets.length}
          fallback={
            <>
              Your tenant has no secrets yet.{' '}
              <A href={storeSecretHref(props.secret.name, undefined, props.returnTo)}>Store {props.secret.name}</A>
            </>
          }
        >
          Bound by reference: the value stays in your store.{' '}
          <Show when={!props.ownSecrets.includes(props.secret.name)}>
            <A href={storeSecretHref(props.secret.name, undefined, props.returnTo)}>Store a new one</A>
          </Show>
        </Show>
      </p>
      <Show when={props.error}>
        <p id={`${id()}-error`} class="field-error">
          <span aria-hidden="true">⚠ </span>
          {props.error}
        </p>
      </Show>
    </div>
  );
}
