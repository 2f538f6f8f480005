import { For, Show } from 'solid-js';
import type { VerificationResult } from '../../../domain/trust.ts';
import { ownerLabel } from '../lib/dsse.ts';

const CHECK_LABELS: Record<string, string> = {
  bundle: 'Bundle',
  key: 'Key',
  signature: 'Signature',
  statement: 'Statement',
  subject: 'Subject digest',
  history: 'History digest',
};

/**
 * One verification's outcome with each check it made: who verified (this browser or the
 * API), the key's owner, and on failure the check that did not match.
 */
export function VerificationChecks(props: { title: string; result: VerificationResult | undefined; pending?: boolean; testId: string; note?: string }) {
  const failed = () => props.result?.checks.find((c) => !c.ok);
  return (
    <section class="verification" data-testid={props.testId} data-ok={props.result ? String(props.result.ok) : undefined} aria-label={props.title}>
      <h4 class="verification-title">
        {props.title}{' '}
        <Show when={props.result} fallback={<span class="chip">{props.pending ? 'verifying…' : 'not available'}</span>}>
          {(r) => (
            <span class={`chip ${r().ok ? 'chip-ok' : 'chip-danger'}`} data-testid="verification-verdict">
              {r().ok ? 'verified' : `failed: ${CHECK_LABELS[failed()?.check ?? ''] ?? failed()?.check ?? 'check'}`}
            </span>
          )}
        </Show>
      </h4>
      <Show when={props.result}>
        {(r) => (
          <>
            <Show when={r().keyOwner}>
              {(o) => (
                <p class="small verification-key">
                  Key of <strong data-testid="key-owner">{ownerLabel(o())}</strong> <code class="muted">{r().keyId}</code>
                </p>
              )}
            </Show>
            <ul class="checks">
              <For each={r().checks}>
                {(c) => (
                  <li class={c.ok ? 'check-ok' : 'check-failed'} data-check={c.check} data-ok={String(c.ok)}>
                    <span aria-hidden="true">{c.ok ? '✓' : '✕'}</span> <span class="check-name">{CHECK_LABELS[c.check] ?? c.check}</span> <span class="muted">{c.message}</span>
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
      <Show when={props.note}>
        <p class="hint">{props.note}</p>
      </Show>
    </section>
  );
}
