import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * Child processes of the embedded stack: output either prefixed line by line on our own
 * stdout/stderr (`[temporal] …`), written to a log file, or only remembered; the last
 * lines are always kept so a failure to start can show what the child said.
 */
export type OutputMode = 'prefix' | 'quiet' | { file: string };

export interface StartProcessOptions {
  /** short name used as the output prefix and in error messages */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** default 'prefix' */
  output?: OutputMode;
  /**
   * Run the child in its own process group, so a Ctrl-C in the terminal reaches only us and
   * we can stop children in order. The price: a child outlives us if we are SIGKILLed.
   */
  ownProcessGroup?: boolean;
  uid?: number;
  gid?: number;
  /** signal for a graceful stop (default SIGTERM; Postgres wants SIGINT, "fast shutdown") */
  stopSignal?: NodeJS.Signals;
  /** how long a graceful stop may take before SIGKILL (default 10 s) */
  stopTimeoutMs?: number;
  /**
   * Runs before the stop signal of a graceful stop (Typesense: take a snapshot); its
   * failure is reported and does not prevent the stop.
   */
  beforeStop?: () => Promise<void>;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** set when the process could not be started at all (e.g. ENOENT) */
  error?: Error;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** resolves (never rejects) once the process has exited and its output is read */
  readonly exited: Promise<ExitStatus>;
  /** undefined while running */
  readonly exitStatus: ExitStatus | undefined;
  /** the last `lines` lines of output (stdout and stderr interleaved) */
  tail(lines?: number): string;
  /** for error messages: the tail, preceded by earlier lines that look like errors */
  failureOutput(): string;
  /** graceful stop: stopSignal, then SIGKILL after the timeout; safe to call repeatedly */
  stop(timeoutMs?: number): Promise<ExitStatus>;
}

export class ProcessStartError extends Error {
  constructor(
    message: string,
    readonly processName: string,
    readonly output: string,
  ) {
    super(output ? `${message}\n--- last output of ${processName} ---\n${output}` : message);
    this.name = 'ProcessStartError';
  }
}

const TAIL_LINES = 200;
const ERROR_LINE = /^[EF]\d{8} |\b(error|fatal|panic|failed|refused|denied|in use)\b/i;
const live = new Set<ManagedProcess & { kill(signal: NodeJS.Signals): void }>();

export function describeExit(status: ExitStatus): string {
  if (status.error) return `failed to start: ${status.error.message}`;
  if (status.signal) return `killed by ${status.signal}`;
  return `exit code ${status.code}`;
}

/** A copy of `env` without variables starting with any of `prefixes` (tools read their own). */
export function envWithout(prefixes: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !prefixes.some((p) => key.startsWith(p))));
}

export function startProcess(options: StartProcessOptions): ManagedProcess {
  const { name, command, args = [], output = 'prefix', ownProcessGroup = false } = options;
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const defaultStopTimeout = options.stopTimeoutMs ?? 10_000;

  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });

  const lines: string[] = [];
  let file: WriteStream | undefined;
  if (typeof output === 'object') {
    mkdirSync(path.dirname(output.file), { recursive: true });
    file = createWriteStream(output.file, { flags: 'a' });
    // A log that cannot be written (disk full) must not take us down; the tail is kept anyway.
    file.on('error', () => {});
  }
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  const pump = (stream: Readable, sink: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      const reader = createInterface({ input: stream, crlfDelay: Infinity });
      reader.on('line', (line) => {
        remember(line);
        if (file) file.write(`${line}\n`);
        // Children that prefix their own lines ("[migrate] …") are not prefixed twice.
        else if (output === 'prefix') sink.write(line.startsWith(`[${name}]`) ? `${line}\n` : `[${name}] ${line}\n`);
      });
      reader.on('close', resolve);
    });
  const outputDone = Promise.all([pump(child.stdout, process.stdout), pump(child.stderr, process.stderr)]);

  let gone = false;
  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    const finish = (status: ExitStatus) => {
      if (gone) return;
      gone = true;
      live.delete(managed);
      // Helpers a killed child leaves behind (Postgres backends after its postmaster was
      // SIGKILLed) would keep its port or shared memory from the next start.
      if (ownProcessGroup && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // the group is gone with it
        }
      }
      const closeFile = () => (file ? new Promise<void>((r) => file!.end(r)) : Promise.resolve());
      // Output can arrive just after 'exit': read it before reporting the exit, so an error
      // shows the child's last words (but not forever: a grandchild may hold the pipe).
      const outputRead = Promise.race([outputDone, new Promise((r) => setTimeout(r, 1_000))]);
      void outputRead.then(closeFile).then(() => {
        exitStatus = status;
        resolve(status);
      });
    };
    child.once('exit', (code, signal) => finish({ code, signal }));
    child.once('error', (error) => {
      if (child.pid === undefined) {
        remember(`${command}: ${error.message}`);
        finish({ code: null, signal: null, error });
      }
    });
  });

  const kill = (signal: NodeJS.Signals) => {
    if (gone || child.pid === undefined) return;
    try {
      // The whole group, so helpers the child started do not linger.
      if (ownProcessGroup && signal === 'SIGKILL') process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };

  let stopping: Promise<ExitStatus> | undefined;
  const managed = {
    name,
    pid: child.pid,
    exited,
    get exitStatus() {
      return exitStatus;
    },
    tail: (count = 40) => lines.slice(-count).join('\n'),
    failureOutput() {
      // Servers often log a long shutdown after the one line that says why (Typesense: ~50).
      const tailStart = Math.max(0, lines.length - 30);
      const earlier = lines.slice(0, tailStart).filter((l) => ERROR_LINE.test(l)).slice(-10);
      const tail = lines.slice(tailStart);
      return [...earlier, ...(earlier.length ? ['…'] : []), ...tail].join('\n');
    },
    kill,
    stop(timeoutMs = defaultStopTimeout) {
      stopping ??= (async () => {
        if (gone) return exited;
        if (options.beforeStop) {
          await options.beforeStop().catch((e: unknown) =>
            process.stderr.write(`[${name}] before stopping: ${e instanceof Error ? e.message : String(e)}\n`),
          );
        }
        kill(stopSignal);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
        const first = await Promise.race([exited, timedOut]);
        clearTimeout(timer);
        if (first !== 'timeout') return first;
        process.stderr.write(`[${name}] did not stop within ${timeoutMs / 1000}s; killing it\n`);
        kill('SIGKILL');
        return exited;
      })();
      return stopping;
    },
  };
  live.add(managed);
  return managed;
}

/**
 * SIGKILLs every child still running. For `process.on('exit')`: the last resort when we
 * die without stopping them (an exception), so no server outlives us holding its port.
 */
export function killAllSync(): void {
  for (const proc of live) proc.kill('SIGKILL');
}

/** Children still running, oldest first. */
export function liveProcesses(): ManagedProcess[] {
  return [...live];
}

/**
 * Gracefully stops every child still running, one after the other: newest first, except
 * that children named in `last` (servers the others use) go last, in that order.
 */
export async function stopAll(
  options: { last?: readonly string[]; onStopped?: (proc: ManagedProcess, status: ExitStatus, ms: number) => void } = {},
): Promise<void> {
  const { last = [], onStopped } = options;
  const rank = (p: ManagedProcess) => last.indexOf(p.name);
  const newestFirst = liveProcesses().reverse();
  const order = [...newestFirst.filter((p) => rank(p) < 0), ...newestFirst.filter((p) => rank(p) >= 0).sort((a, b) => rank(a) - rank(b))];
  for (const proc of order) {
    const t0 = Date.now();
    const status = await proc.stop();
    onStopped?.(proc, status, Date.now() - t0);
  }
}

/** Runs a child to completion; rejects with its last output unless it exits 0. */
export async function runToCompletion(options: StartProcessOptions): Promise<void> {
  const proc = startProcess(options);
  const status = await proc.exited;
  if (status.code !== 0) {
    throw new ProcessStartError(`${proc.name} failed (${describeExit(status)})`, proc.name, proc.failureOutput());
  }
}
