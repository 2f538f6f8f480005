import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { Readiness } from '../data/secrets.ts';
import { storeSecretHref } from '../data/secrets.ts';

/**
 * Shown in a run form before start when the tenant lacks a secret the version declares: a
 * run started now would fail with SECRET_NOT_FOUND at the first step that reads it. Names
 * each missing secret, with a link to store it (for those who may) on the Secrets page.
 */
export function SecretsWarning(props: { readiness: Readiness; canWrite: boolean; tenant: string; id?: string }) {
  const missing = () => props.readiness.secrets.filter((s) => !s.present);
  return (
    <Show when={missing().length}>
      <div class="banner banner-warn secrets-warning" role="note" id={props.id} tabindex="-1" data-testid="secrets-missing">
        <p>
          <strong>
            {missing().length === 1 ? 'A secret this workflow needs is missing.' : `${missing().length} secrets this workflow needs are missing.`}
          </strong>{' '}
          <code>{props.tenant}</code> has no secret by {missing().length === 1 ? 'this name' : 'these names'}, so a run started now would fail with{' '}
          <code>SECRET_NOT_FOUND</code>.
        </p>
        <ul>
          <For each={missing()}>
            {(s) => (
              <li data-testid="missing-secret" data-name={s.name}>
                <code>{s.name}</code>
                <Show when={s.description}>{(d) => <span> — {d()}</span>}</Show>{' '}
                <Show when={props.canWrite} fallback={<span class="muted">(a tenant admin or publisher can store it on the <A href="/secrets">Secrets</A> page)</span>}>
                  <A href={storeSecretHref(s.name, props.readiness.definitionId)} class="store-secret-link">
                    Store {s.name}
                  </A>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </div>
    </Show>
  );
}
