import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { dryRun, type DryRun, type DryRunRequest, type DryRunRule } from '../data/policy.ts';
import { errorMessage } from '../lib/format.ts';

const DEBOUNCE_MS = 300;

const RESULT_LABEL: Record<DryRunRule['result'], string> = {
  pass: 'pass',
  advisory: 'advisory',
  'soft-deny': 'held',
  'hard-deny': 'denied',
  overridden: 'overridden',
};
const RESULT_TONE: Record<DryRunRule['result'], string> = { pass: 'ok', advisory: 'info', 'soft-deny': 'warn', 'hard-deny': 'danger', overridden: 'info' };
const ENFORCEMENT_LABEL = { advisory: 'advisory', soft: 'soft-mandatory', hard: 'hard-mandatory' } as const;

/**
 * Asks POST /policy/dry-run whenever `request` changes (debounced; older answers are
 * dropped) and hands the answer to `onResult`. `request` undefined: nothing to ask yet.
 */
export function createDryRun(request: () => DryRunRequest | undefined) {
  const [result, setResult] = createSignal<DryRun>();
  const [checking, setChecking] = createSignal(false);
  const [error, setError] = createSignal<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  onCleanup(() => {
    if (timer) clearTimeout(timer);
    inFlight?.abort();
  });
  createEffect(
    on(
      () => JSON.stringify(request() ?? null),
      (json) => {
        if (timer) clearTimeout(timer);
        const req = JSON.parse(json) as DryRunRequest | null;
        if (!req) {
          setResult(undefined);
          return;
        }
        setChecking(true);
        timer = setTimeout(() => {
          inFlight?.abort();
          const mine = (inFlight = new AbortController());
          dryRun(req, mine.signal).then(
            (r) => {
              if (mine !== inFlight) return;
              setResult(r);
              setError(undefined);
              setChecking(false);
            },
            (e: unknown) => {
              if (mine !== inFlight || (e instanceof DOMException && e.name === 'AbortError')) return;
              setResult(undefined);
              setError(errorMessage(e));
              setChecking(false);
            },
          );
        }, DEBOUNCE_MS);
      },
    ),
  );
  return { result, checking, error };
}

/** True when the dry-run says the real request would be denied (the action is disabled). */
export const deniedBy = (r: DryRun | undefined) => r?.outcome === 'deny';

/**
 * "What will happen if I do this?": every rule's result with its enforcement level, the
 * denying and held rules with their fix, and the approvals the lifecycle would require —
 * the guardrails evaluated on the input the lifecycle itself builds, without side effects.
 */
export function DryRunPanel(props: { result: DryRun | undefined; checking: boolean; error?: string | undefined; action: string; showPasses?: boolean }) {
  const [showAll, setShowAll] = createSignal(props.showPasses ?? false);
  const visible = (r: DryRun) => (showAll() ? r.rules : r.rules.filter((x) => x.result !== 'pass'));
  return (
    <section class="card dry-run-panel" aria-labelledby="dry-run-title" aria-live="polite" aria-busy={props.checking} data-testid="dry-run">
      <h2 id="dry-run-title" class="section-title">
        What will happen if I {props.action}?
      </h2>
      <Show when={props.error}>
        <p class="inline-error" data-testid="dry-run-error">
          The dry-run failed: {props.error}
        </p>
      </Show>
      <Show when={props.result} fallback={<p class="muted">{props.checking ? 'Asking the policy…' : 'Fill in the request to see what the policy decides.'}</p>}>
        {(r) => (
          <>
            <p class={`verdict verdict-${r().outcome === 'allow' ? 'ok' : r().outcome === 'deny' ? 'no' : 'todo'}`} data-testid="dry-run-outcome" data-outcome={r().outcome}>
              <span aria-hidden="true">{r().outcome === 'allow' ? '✓ ' : r().outcome === 'deny' ? '✕ ' : '‖ '}</span>
              {r().outcome === 'allow'
                ? 'The guardrails allow it.'
                : r().outcome === 'deny'
                  ? `Denied by ${r().denying.length === 1 ? 'a hard-mandatory rule' : `${r().denying.length} hard-mandatory rules`}.`
                  : `Held: ${r().overrideRoles.join(' or ') || 'a named role'} may override with a rationale.`}
            </p>
            <p class="muted small" data-testid="dry-run-profile">
              Profile <code>{r().profile}</code> · {r().subject.definitionId}@{r().subject.version} · risk {r().subject.risk}
              <Show when={r().assumed}>
                {' '}
                · <strong class="badge tone-warn trust-badge" data-testid="dry-run-assumed">hypothetical settings</strong>
              </Show>
            </p>
            <Show when={r().denying.length || r().held.length}>
              <ul class="dry-run-denials" data-testid="dry-run-denying">
                <For each={r().rules.filter((x) => x.result === 'hard-deny' || x.result === 'soft-deny')}>
                  {(x) => (
                    <li data-rule={x.id} data-result={x.result}>
                      <code>{x.id}</code> <span class={`badge trust-badge tone-${RESULT_TONE[x.result]}`}>{RESULT_LABEL[x.result]}</span>
                      <ul>
                        <For each={x.reasons}>{(reason) => <li>{reason}</li>}</For>
                      </ul>
                      <p class="dry-run-fix" data-testid="dry-run-fix">
                        <strong>Fix:</strong> {x.fix}
                      </p>
                      <Show when={x.result === 'soft-deny' && x.override_roles.length}>
                        <p class="hint">May be overridden by: {x.override_roles.join(', ')}</p>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <div class="dry-run-approvals" data-testid="dry-run-approvals">
              <h3 class="preview-h">Approvals the lifecycle will require</h3>
              <p>
                {r().approvals.required === 0 ? 'None.' : r().approvals.required === 1 ? 'One approval.' : `${r().approvals.required} approvals.`}
                <Show when={r().approvals.review}> A marketplace review follows the publish.</Show>
                <Show when={r().approvals.certification}>
                  {(c) => (
                    <>
                      {' '}
                      Certification: {c().status}
                      {c().required ? ' (required by your tenant)' : ''}.
                    </>
                  )}
                </Show>
              </p>
              <Show when={r().approvals.reasons.length}>
                <ul class="preview-list">
                  <For each={r().approvals.reasons}>{(x) => <li>{x}</li>}</For>
                </ul>
              </Show>
            </div>
            <h3 class="preview-h">
              Rules{' '}
              <button type="button" class="link-button small" onClick={() => setShowAll((v) => !v)} data-testid="dry-run-toggle">
                {showAll() ? 'hide passes' : `show all ${r().rules.length}`}
              </button>
            </h3>
            <ul class="dry-run-rules" data-testid="dry-run-rules">
              <For each={visible(r())} fallback={<li class="muted">Every rule passes.</li>}>
                {(x) => (
                  <li data-rule={x.id} data-result={x.result} title={x.description}>
                    <span class={`badge trust-badge tone-${RESULT_TONE[x.result]}`}>{RESULT_LABEL[x.result]}</span> <code>{x.id}</code>{' '}
                    <span class="muted small">{ENFORCEMENT_LABEL[x.enforcement]}</span>
                    <Show when={x.result === 'advisory'}>
                      <span class="small"> — {x.reasons.join('; ')}</span>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}
