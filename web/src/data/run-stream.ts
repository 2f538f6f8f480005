import { SseParser } from '../lib/sse.ts';
import { ApiError } from './api.ts';
import { getRun, isTerminalRun, runPath, type RunView } from './runs.ts';
import { currentToken } from './session.ts';

/** How the page is hearing about the run right now. */
export type WatchMode = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'done';

export interface RunWatcher {
  onState: (state: RunView) => void;
  onMode: (mode: WatchMode) => void;
  /** `fatal`: the run cannot be read at all (a 4xx); otherwise a hiccup that is retried */
  onError: (error: unknown, fatal: boolean) => void;
}

export const POLL_INTERVAL_MS = 1000;
const LONG_LIVED_MS = 60_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Follows a run until it ends: server-sent `state` events read with fetch (EventSource
 * cannot send the bearer header), one reconnect if the stream drops before the run is
 * over, then polling GET /api/runs/{id} every second. Returns the function that stops it.
 */
export function watchRun(runId: string, w: RunWatcher): () => void {
  const ctrl = new AbortController();
  const { signal } = ctrl;
  let last: RunView | undefined;
  const over = () => signal.aborted || (last !== undefined && isTerminalRun(last.status));
  const accept = (s: RunView) => {
    last = s;
    w.onState(s);
  };

  /**
   * How long the stream stayed open (ms) once it ends, or undefined when it could not be
   * opened at all (not a stream, 4xx/5xx, network).
   */
  async function stream(): Promise<number | undefined> {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    const token = currentToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(`${runPath(runId)}/events`, { headers, signal, cache: 'no-store' });
    } catch {
      return undefined;
    }
    if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      void res.body?.cancel().catch(() => {});
      return undefined;
    }
    const opened = Date.now();
    w.onMode('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parser.push(value)) {
          if (ev.event !== 'state') continue;
          try {
            accept(JSON.parse(ev.data) as RunView);
          } catch {
            // a frame that is not JSON is skipped; the next one carries the whole state again
          }
        }
        if (over()) break;
      }
    } catch {
      // dropped mid-stream (network, server restart): the caller decides what next
    } finally {
      void reader.cancel().catch(() => {});
    }
    return Date.now() - opened;
  }

  async function poll() {
    w.onMode('polling');
    while (!over()) {
      try {
        accept(await getRun(runId, signal));
      } catch (e) {
        if (signal.aborted) return;
        // a refusal (no session, not your tenant, no such run) will not change by asking again
        const fatal = e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;
        w.onError(e, fatal);
        if (fatal) return;
      }
      if (!over()) await sleep(POLL_INTERVAL_MS, signal);
    }
  }

  void (async () => {
    w.onMode('connecting');
    // One reconnect after a drop. A stream that lived long ended by design (the server
    // closes streams after a while), not by failing, so it earns the reconnect back.
    let reconnects = 1;
    for (let lived = await stream(); lived !== undefined && !over(); ) {
      if (lived >= LONG_LIVED_MS) reconnects = 1;
      if (reconnects-- <= 0) break;
      w.onMode('reconnecting');
      lived = await stream();
    }
    if (!over()) await poll();
    if (!signal.aborted) w.onMode('done');
  })();

  return () => ctrl.abort();
}
