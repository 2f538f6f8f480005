import { createConnection } from 'node:net';
import { describeExit, ProcessStartError, type ManagedProcess } from './process.ts';

/** Waiting for a child of the embedded stack to become ready: probes and the polling loop. */
export interface WaitOptions {
  /** default 60 s */
  timeoutMs?: number;
  /** default 200 ms */
  intervalMs?: number;
}

/** What a probe reports: true when ready, or a reason why not (shown if we give up). */
export type Probe = () => Promise<true | string>;

/**
 * Polls `probe` until it returns true. Fails fast, with the child's last output, when the
 * child exits first; fails with the last probe result and output after the timeout.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  what: string,
  probe: Probe,
  { timeoutMs = 60_000, intervalMs = 200 }: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not checked yet';
  const exitedFirst = proc.exited.then(() => 'exited' as const);
  for (;;) {
    if (proc.exitStatus) {
      throw new ProcessStartError(
        `${proc.name} exited (${describeExit(proc.exitStatus)}) before ${what}`,
        proc.name,
        proc.failureOutput(),
      );
    }
    const result = await Promise.race([probe().catch((e: unknown) => (e instanceof Error ? e.message : String(e))), exitedFirst]);
    if (result === true) return;
    if (result !== 'exited') last = result;
    if (Date.now() >= deadline) {
      throw new ProcessStartError(
        `${proc.name}: gave up after ${Math.round(timeoutMs / 1000)}s waiting for ${what} (last check: ${last})`,
        proc.name,
        proc.failureOutput(),
      );
    }
    await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), exitedFirst]);
  }
}

/** Probe: a TCP connection to host:port succeeds. */
export function tcpProbe(host: string, port: number): Probe {
  return () =>
    new Promise((resolve) => {
      const socket = createConnection({ host, port });
      const done = (result: true | string) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(2_000, () => done(`connecting to ${host}:${port} timed out`));
      socket.once('connect', () => done(true));
      socket.once('error', (e) => done(`${host}:${port}: ${e.message}`));
    });
}

/** Probe: GET `url` answers 2xx (and `accept(body)` holds, when given). */
export function httpProbe(url: string, accept?: (body: string) => boolean): Probe {
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = await res.text();
    if (!res.ok) return `GET ${url} → ${res.status} ${body.slice(0, 200)}`;
    if (accept && !accept(body)) return `GET ${url} → ${body.slice(0, 200)}`;
    return true;
  };
}

export const waitForPort = (proc: ManagedProcess, host: string, port: number, options?: WaitOptions) =>
  waitUntilReady(proc, `${host}:${port} to accept connections`, tcpProbe(host, port), options);

export const waitForHttp = (
  proc: ManagedProcess,
  url: string,
  options?: WaitOptions & { accept?: (body: string) => boolean },
) => waitUntilReady(proc, `${url} to answer`, httpProbe(url, options?.accept), options);
