import { Show } from 'solid-js';
import type { WatchMode } from '../data/run-stream.ts';

const TEXT: Record<WatchMode, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Refreshing every second',
  done: 'Final state',
};

/** How fresh the page is: a live stream, a reconnect, or polling after the stream failed. */
export function WatchIndicator(props: { mode: WatchMode; trouble?: boolean }) {
  return (
    <span class={`watch watch-${props.mode}`} data-testid="watch-mode" data-mode={props.mode} title="How this page hears about the run">
      <span class="watch-dot" aria-hidden="true" />
      {TEXT[props.mode]}
      <Show when={props.trouble}>
        <span class="watch-trouble"> · connection trouble, retrying</span>
      </Show>
    </span>
  );
}
