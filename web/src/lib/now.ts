import { createEffect, createSignal, onCleanup } from 'solid-js';

/** The current time in ms, ticking every second while `active()` (for live durations). */
export function createNow(active: () => boolean, everyMs = 1000) {
  const [now, setNow] = createSignal(Date.now());
  createEffect(() => {
    if (!active()) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    onCleanup(() => clearInterval(t));
  });
  return now;
}
