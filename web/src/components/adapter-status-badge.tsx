import { Show } from 'solid-js';
import type { AdapterStatus } from '../../../domain/manifest.ts';

/** Lifecycle of an adapter version; deprecated and retired ones name their replacement. */
export function AdapterStatusBadge(props: { status: AdapterStatus; replacement?: string; showReplacement?: boolean }) {
  return (
    <span class="adapter-status">
      <span class={`badge adapter-${props.status}`} data-status={props.status}>
        <span class="visually-hidden">Status: </span>
        {props.status}
      </span>
      <Show when={props.showReplacement && props.status !== 'active' && props.replacement}>
        {(r) => (
          <span class="replacement">
            use <code>{r()}</code>
          </span>
        )}
      </Show>
    </span>
  );
}
