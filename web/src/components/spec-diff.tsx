import { createAsync } from '@solidjs/router';
import { createMemo, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { definitionVersion } from '../data/definitions.ts';
import { definitionChanges } from '../data/upgrades.ts';
import { errorMessage } from '../lib/format.ts';
import { lineDiff, sortedJson } from '../lib/line-diff.ts';
import { ChangeKindChip } from './change-kind-chip.tsx';
import { Contained } from './contained.tsx';

/**
 * What a version changes against the one before it: the computed change kind with its
 * reasons (the API's classification), and a unified diff of the two specs.
 */
export function SpecDiff(props: { definitionId: string; from: string; to: string; toSpec: unknown }) {
  return (
    <Contained what="The change">
      <SpecDiffBody {...props} />
    </Contained>
  );
}

function SpecDiffBody(props: { definitionId: string; from: string; to: string; toSpec: unknown }) {
  const change = createAsync(() => definitionChanges(props.definitionId, props.from, props.to));
  const before = createAsync(() => definitionVersion(props.definitionId, props.from));
  const diff = createMemo(() => {
    const b = before();
    return b ? lineDiff(sortedJson(b.spec), sortedJson(props.toSpec)) : undefined;
  });
  const computed = () => {
    const d = diff();
    return d?.ok ? d : undefined;
  };
  const refused = () => {
    const d = diff();
    return d && !d.ok ? d.reason : undefined;
  };
  return (
    <ErrorBoundary fallback={(err) => <p class="inline-error">The change cannot be computed: {errorMessage(err)}</p>}>
      <Suspense fallback={<p class="muted">Comparing with v{props.from}…</p>}>
        <Show when={change()}>
          {(c) => (
            <div class="change-summary" data-testid="change-summary" data-kind={c().kind}>
              <p>
                <ChangeKindChip kind={c().kind} /> against <code>v{c().from}</code>: {c().reasons.length} {c().reasons.length === 1 ? 'reason' : 'reasons'}
              </p>
              <Show when={c().reasons.length}>
                <ul class="change-reason-list">
                  <For each={c().reasons}>
                    {(r) => (
                      <li data-testid="change-reason" data-rule={r.rule}>
                        <span class={`chip change-${r.kind}`}>{r.kind}</span> {r.message} <code class="muted small">{r.pointer}</code>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </div>
          )}
        </Show>
        <Show when={refused()}>{(reason) => <p class="muted">The spec diff is {reason()}.</p>}</Show>
        <Show when={computed()}>
              {(ok) => (
                <figure class="spec-diff" data-testid="spec-diff">
                  <figcaption class="small">
                    <code>v{props.from}</code> → <code>v{props.to}</code>: <span class="diff-add-count">+{ok().added}</span> <span class="diff-del-count">−{ok().removed}</span> lines
                  </figcaption>
                  <Show when={ok().hunks.length} fallback={<p class="muted">The specs are the same.</p>}>
                    <div class="diff-scroll" tabindex="0" role="region" aria-label={`Spec diff from v${props.from} to v${props.to}`}>
                      <table class="diff-table">
                        <For each={ok().hunks}>
                          {(h) => (
                            <tbody>
                              <tr class="diff-hunk">
                                <td colspan="3">
                                  @@ −{h.oldStart} +{h.newStart} @@
                                </td>
                              </tr>
                              <For each={h.lines}>
                                {(l) => (
                                  <tr class={`diff-${l.op}`} data-op={l.op}>
                                    <td class="diff-no">{l.oldNo ?? ''}</td>
                                    <td class="diff-no">{l.newNo ?? ''}</td>
                                    <td class="diff-text">
                                      <span class="visually-hidden">{l.op === 'add' ? 'added: ' : l.op === 'del' ? 'removed: ' : ''}</span>
                                      <span aria-hidden="true">{l.op === 'add' ? '+' : l.op === 'del' ? '−' : ' '}</span>
                                      {l.text}
                                    </td>
                                  </tr>
                                )}
                              </For>
                            </tbody>
                          )}
                        </For>
                      </table>
                    </div>
                  </Show>
                </figure>
              )}
        </Show>
      </Suspense>
    </ErrorBoundary>
  );
}
