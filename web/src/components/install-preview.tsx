import { For, Show } from 'solid-js';
import type { InstallCheck } from '../data/marketplace.ts';

/** ok: it would go ahead; no: the policy refuses it; todo: bindings are missing or do not fit yet */
const verdict = (c: InstallCheck) => (c.allow ? 'ok' : c.deny.length ? 'no' : 'todo');

/**
 * "Access and bindings": the install policy (who may install what, approvals) and the binding checks evaluated as a
 * preview (POST /templates/{id}/install-check), the same checks the install lifecycle makes
 * and records in its history.
 */
export function InstallPreview(props: { check: InstallCheck | undefined; checking: boolean; error?: string }) {
  return (
    <section class="card install-preview" aria-labelledby="preview-title" aria-live="polite" aria-busy={props.checking} data-testid="install-preview">
      <h2 id="preview-title" class="section-title">
        Access and bindings
      </h2>
      <Show when={props.error}>
        <p class="inline-error">{props.error}</p>
      </Show>
      <Show when={props.check} fallback={<p class="muted">{props.checking ? 'Checking…' : 'Choose an environment to see what the policy decides.'}</p>}>
        {(c) => (
          <>
            <p class={`verdict verdict-${verdict(c())}`} data-testid="preview-verdict" data-allow={String(c().allow)}>
              <span aria-hidden="true">{verdict(c()) === 'ok' ? '✓ ' : verdict(c()) === 'no' ? '✕ ' : '… '}</span>
              {verdict(c()) === 'ok'
                ? 'The install policy admits you and the bindings fit; the guardrails decide above.'
                : verdict(c()) === 'no'
                  ? 'The install policy refuses this install.'
                  : 'Not ready yet: bind what is listed below.'}
            </p>
            <Show when={c().approvalsRequired > 0}>
              <div class="banner banner-warn" data-testid="preview-approvals">
                <strong>
                  {c().approvalsRequired === 1 ? 'A second tenant admin must approve it' : `${c().approvalsRequired} approvals by other tenant admins are needed`}
                </strong>{' '}
                before the instance is created.
                <Show when={c().reasons.length}>
                  <ul>
                    <For each={c().reasons}>{(r) => <li>{r}</li>}</For>
                  </ul>
                </Show>
              </div>
            </Show>
            <Show when={c().deny.length}>
              <h3 class="preview-h">Refused by the policy</h3>
              <ul class="preview-list" data-testid="preview-deny">
                <For each={c().deny}>{(r) => <li>{r}</li>}</For>
              </ul>
            </Show>
            <Show when={c().missing.secrets.length || c().missing.parameters.length}>
              <h3 class="preview-h">Still to bind</h3>
              <ul class="preview-list" data-testid="preview-missing">
                <For each={c().missing.secrets}>
                  {(s) => (
                    <li>
                      secret <code>{s}</code>
                    </li>
                  )}
                </For>
                <For each={c().missing.parameters}>
                  {(p) => (
                    <li>
                      parameter <code>{p}</code>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <Show when={c().endpoints.length}>
              <h3 class="preview-h">Endpoints against your egress allow-list</h3>
              <ul class="preview-list" data-testid="preview-endpoints">
                <For each={c().endpoints}>
                  {(e) => (
                    <li data-allowed={String(e.allowed)}>
                      <span aria-hidden="true">{e.allowed ? '✓ ' : '✕ '}</span>
                      <code>{e.parameter}</code> <code class="muted">{e.url}</code> {e.allowed ? 'allowed' : `refused${e.reason ? `: ${e.reason}` : ''}`}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <Show when={c().problems?.length}>
              <h3 class="preview-h">Binding problems</h3>
              <ul class="preview-list" data-testid="preview-problems">
                <For each={c().problems}>
                  {(p) => (
                    <li>
                      <code>{p.path || '/'}</code> {p.message}
                      <Show when={p.code}>{(code) => <code class="error-code">{code()}</code>}</Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
