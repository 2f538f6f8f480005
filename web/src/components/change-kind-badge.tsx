import { For, Show } from 'solid-js';
import type { VersionChangeFields } from '../../../domain/change-kind.ts';

const LABEL: Record<string, string> = { initial: 'initial', breaking: 'breaking', 'non-breaking': 'non-breaking', patch: 'patch' };

/** A version's computed change kind, what it was compared with, and its reasons (expandable). */
export function ChangeKindBadge(props: { change: VersionChangeFields }) {
  const c = () => props.change;
  return (
    <Show when={c().changeKind} fallback={<span class="muted">—</span>}>
      {(kind) => (
        <div class="change-kind" data-testid="change-kind" data-kind={kind()}>
          <span class={`chip change-${kind()}`}>{LABEL[kind()] ?? kind()}</span>
          <Show when={c().changeFrom}>{(from) => <span class="muted small"> from v{from()}</span>}</Show>
          <Show when={c().changeReasons?.length}>
            <details class="change-reasons" data-testid="change-reasons">
              <summary>
                {c().changeReasons!.length} {c().changeReasons!.length === 1 ? 'reason' : 'reasons'}
              </summary>
              <ul>
                <For each={c().changeReasons}>
                  {(r) => (
                    <li data-rule={r.rule}>
                      <span class={`chip change-${r.kind}`}>{r.kind}</span> {r.message} <code class="muted small">{r.pointer}</code>
                    </li>
                  )}
                </For>
              </ul>
            </details>
          </Show>
        </div>
      )}
    </Show>
  );
}
