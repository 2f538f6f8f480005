import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildStatus, SupervisorStatus } from '../supervisor-status.ts';
import { describeExit, type ExitStatus, type ManagedProcess } from './process.ts';

/**
 * Keeps the children of `npm start` running: a child that exits on its own is started
 * again after a backoff (0.5 s, 1 s, 2 s… up to `maxBackoffMs`), once the children it
 * depends on are running again. A child that fails `giveUpAfter.failures` times within
 * `giveUpAfter.windowMs` (exits, or restarts that fail) makes the supervisor give up:
 * `onGiveUp` is called once, and the caller stops everything.
 *
 * Its state is written to `statusFile` (JSON, replaced atomically on every change) for
 * GET /api/health, which the API answers from another process.
 */
export interface ChildSpec {
  name: string;
  /** starts the child and resolves once it is ready (throws when it cannot start) */
  start(): Promise<ManagedProcess>;
  /** children that must be running before this one is started again */
  dependsOn?: readonly string[];
}

export type SupervisorEvent =
  | { type: 'exited'; child: string; reason: string; restartInMs: number; failures: number }
  | { type: 'waiting'; child: string; for: string[] }
  | { type: 'restarted'; child: string; restarts: number; pid: number | undefined }
  | { type: 'restart-failed'; child: string; error: string; output?: string };

export interface SupervisorOptions {
  giveUpAfter?: { failures: number; windowMs: number };
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  statusFile?: string;
  onEvent?: (event: SupervisorEvent) => void;
  /** called once when a child failed too often; the supervisor restarts nothing after it */
  onGiveUp: (child: string, reason: string) => void;
}

interface Child {
  spec: ChildSpec;
  status: ChildStatus;
  proc?: ManagedProcess;
  /** times of recent failures (exits and failed restarts), newest last */
  failures: number[];
}

export class Supervisor {
  private readonly children = new Map<string, Child>();
  private readonly startedAt = new Date().toISOString();
  private state: SupervisorStatus['state'] = 'running';
  private readonly failuresLimit: number;
  private readonly windowMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly changed = new Set<() => void>();

  constructor(private readonly options: SupervisorOptions) {
    this.failuresLimit = options.giveUpAfter?.failures ?? 5;
    this.windowMs = options.giveUpAfter?.windowMs ?? 60_000;
  }

  /** Supervises a child that was started (and is ready) already. */
  adopt(spec: ChildSpec, proc: ManagedProcess): void {
    const child: Child = { spec, status: { name: spec.name, state: 'running', restarts: 0 }, failures: [] };
    this.children.set(spec.name, child);
    this.running(child, proc);
  }

  /** Starts a child and supervises it from then on (a failure to start at all is thrown). */
  async start(spec: ChildSpec): Promise<ManagedProcess> {
    const child: Child = { spec, status: { name: spec.name, state: 'starting', restarts: 0 }, failures: [] };
    this.children.set(spec.name, child);
    this.update();
    const proc = await spec.start();
    this.running(child, proc);
    return proc;
  }

  /** No more restarts: the caller stops the children (stopAll). */
  stopping(): void {
    if (this.state === 'running') this.state = 'stopping';
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.children.values()) if (c.status.state !== 'failed') c.status.state = 'stopping';
    this.update();
  }

  status(): SupervisorStatus {
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      updatedAt: new Date().toISOString(),
      state: this.state,
      policy: { maxFailures: this.failuresLimit, windowSeconds: Math.round(this.windowMs / 1000) },
      children: [...this.children.values()].map((c) => ({ ...c.status })),
    };
  }

  private running(child: Child, proc: ManagedProcess): void {
    child.proc = proc;
    Object.assign(child.status, { state: 'running', pid: proc.pid, startedAt: new Date().toISOString() });
    delete child.status.nextStartAt;
    this.update();
    void proc.exited.then((status) => this.exited(child, proc, status));
  }

  private exited(child: Child, proc: ManagedProcess, status: ExitStatus): void {
    if (child.proc !== proc) return;
    if (this.state !== 'running') {
      child.status.state = 'stopped';
      delete child.status.pid;
      this.update();
      return;
    }
    const reason = describeExit(status);
    child.status.lastExit = { at: new Date().toISOString(), reason };
    delete child.status.pid;
    this.failed(child, `exited unexpectedly (${reason})`, (delayMs, failures) =>
      this.options.onEvent?.({ type: 'exited', child: child.spec.name, reason, restartInMs: delayMs, failures }),
    );
  }

  /** Counts a failure; gives up, or schedules the next start after the backoff. */
  private failed(child: Child, why: string, report: (delayMs: number, failures: number) => void): void {
    const now = Date.now();
    child.failures = [...child.failures.filter((t) => now - t < this.windowMs), now];
    if (child.failures.length >= this.failuresLimit) {
      child.status.state = 'failed';
      this.state = 'gave-up';
      this.update();
      this.options.onGiveUp(
        child.spec.name,
        `${child.spec.name} ${why}: ${child.failures.length} failures within ${Math.round(this.windowMs / 1000)}s, giving up`,
      );
      return;
    }
    const initial = this.options.initialBackoffMs ?? 500;
    const delayMs = Math.min(this.options.maxBackoffMs ?? 30_000, initial * 2 ** (child.failures.length - 1));
    Object.assign(child.status, { state: 'backoff', nextStartAt: new Date(now + delayMs).toISOString() });
    this.update();
    report(delayMs, child.failures.length);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.restart(child);
    }, delayMs);
    this.timers.add(timer);
  }

  private async restart(child: Child): Promise<void> {
    if (this.state !== 'running') return;
    // a dependency that is not ours to supervise (an external Postgres…) is not waited for
    const waitingFor = () => (child.spec.dependsOn ?? []).filter((d) => this.children.has(d) && this.children.get(d)!.status.state !== 'running');
    if (waitingFor().length) {
      this.options.onEvent?.({ type: 'waiting', child: child.spec.name, for: waitingFor() });
      // dependency order: a worker started while Postgres is down would only fail again
      while (waitingFor().length && this.state === 'running') await this.nextChange();
      if (this.state !== 'running') return;
    }
    child.status.state = 'starting';
    this.update();
    try {
      const proc = await child.spec.start();
      if (this.state !== 'running') {
        await proc.stop();
        return;
      }
      child.status.restarts += 1;
      this.running(child, proc);
      this.options.onEvent?.({ type: 'restarted', child: child.spec.name, restarts: child.status.restarts, pid: proc.pid });
    } catch (e) {
      if (this.state !== 'running') return;
      const error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      const output = e instanceof Error && 'output' in e ? String((e as { output: unknown }).output) : undefined;
      this.failed(child, `could not be started again (${error})`, () =>
        this.options.onEvent?.({ type: 'restart-failed', child: child.spec.name, error, ...(output ? { output } : {}) }),
      );
    }
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => this.changed.add(resolve));
  }

  private update(): void {
    this.write();
    const waiting = [...this.changed];
    this.changed.clear();
    for (const resolve of waiting) resolve();
  }

  private write(): void {
    const file = this.options.statusFile;
    if (!file) return;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(this.status(), null, 2)}\n`);
      renameSync(tmp, file);
    } catch {
      // health then shows no supervisor section; supervising goes on
    }
  }
}
