import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExpressionFailureCode } from '../domain/expressions.ts';

/**
 * Tenant expressions (run-engine bindings and conditions, the transform task) are evaluated
 * here, in separate evaluator processes, never on the worker's own thread: whatever an
 * expression does — run forever, allocate gigabytes, overflow a stack and abort its process
 * — it can only end its own evaluator. The pool kills an evaluator that overruns its time,
 * starts a fresh one, and answers that evaluation with EXPRESSION_LIMIT; every other
 * evaluation goes on. Each evaluator serves one evaluation at a time, so a crash is always
 * charged to the expression that caused it.
 */
export type SandboxTask =
  | { op: 'step'; when?: string; with?: unknown; context: Record<string, unknown> }
  | { op: 'transform'; expression: string; data: unknown }
  | { op: 'migrate'; expression: string; input: { parameters: unknown; secrets: unknown; from: string } };

export type SandboxOutcome = { ok: true; value: unknown } | { ok: false; code: ExpressionFailureCode; message: string };

export interface SandboxOptions {
  /** evaluator processes (default 2) */
  size?: number;
  /** V8 old-space limit of an evaluator, in MiB (default 128) */
  memoryMb?: number;
  /** evaluations waiting for an evaluator before new ones are refused (default 1000) */
  maxQueue?: number;
  /** of those, how many one tenant may have waiting (default a quarter of maxQueue) */
  maxQueuePerTenant?: number;
}

/** The pool is saturated or cannot start an evaluator: not the expression's fault, retry later. */
export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

const CHILD = fileURLToPath(new URL('./expression-sandbox-child.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const START_TIMEOUT_MS = 30_000;

interface Pending {
  tenant: string;
  task: SandboxTask;
  timeoutMs: number;
  resolve: (o: SandboxOutcome) => void;
  reject: (e: Error) => void;
}

interface Evaluator {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
}

export class ExpressionSandbox {
  private readonly size: number;
  private readonly memoryMb: number;
  private readonly maxQueue: number;
  private readonly maxQueuePerTenant: number;
  private readonly evaluators: (Evaluator | undefined)[];
  /** waiting evaluations per tenant; tenants take turns, so one cannot starve the others */
  private readonly queues = new Map<string, Pending[]>();
  private waiting = 0;
  private seq = 0;
  private closed = false;
  /** evaluators ended for an expression (time, memory, crash), for health and tests */
  killed = 0;

  constructor(opts: SandboxOptions = {}) {
    this.size = opts.size ?? 2;
    this.memoryMb = opts.memoryMb ?? 128;
    this.maxQueue = opts.maxQueue ?? 1000;
    this.maxQueuePerTenant = opts.maxQueuePerTenant ?? Math.max(1, Math.floor(this.maxQueue / 4));
    this.evaluators = Array.from({ length: this.size }, () => undefined);
  }

  /**
   * Evaluates one task within `timeoutMs` of evaluator time (waiting for a free evaluator not
   * counted). Evaluations of different tenants take turns for a free evaluator.
   */
  run(task: SandboxTask, timeoutMs: number, tenant = ''): Promise<SandboxOutcome> {
    if (this.closed) return Promise.reject(new SandboxUnavailableError('the expression sandbox is closed'));
    if (this.waiting >= this.maxQueue) {
      return Promise.reject(new SandboxUnavailableError(`${this.waiting} evaluations are already waiting`));
    }
    // a tenant that floods the queue is refused before it can crowd the others out
    const own = this.queues.get(tenant)?.length ?? 0;
    if (own >= this.maxQueuePerTenant) {
      return Promise.reject(new SandboxUnavailableError(`${own} evaluations of this tenant are already waiting`));
    }
    return new Promise((resolve, reject) => {
      this.enqueue({ tenant, task, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  private enqueue(job: Pending, first = false) {
    const q = this.queues.get(job.tenant) ?? [];
    if (first) q.unshift(job);
    else q.push(job);
    this.queues.set(job.tenant, q);
    this.waiting++;
  }

  /** The next job, from the tenant whose turn it is (Map order: the tenant then goes last). */
  private dequeue(): Pending | undefined {
    for (const [tenant, q] of this.queues) {
      const job = q.shift()!;
      this.queues.delete(tenant);
      if (q.length) this.queues.set(tenant, q);
      this.waiting--;
      return job;
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (let p = this.dequeue(); p; p = this.dequeue()) p.reject(new SandboxUnavailableError('the expression sandbox is closed'));
    await Promise.all(
      this.evaluators.map(async (e, i) => {
        this.evaluators[i] = undefined;
        if (!e || e.child.exitCode !== null || e.child.signalCode !== null) return;
        const exited = new Promise((r) => e.child.once('exit', r));
        e.child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  private pump() {
    for (let i = 0; i < this.size && this.waiting; i++) {
      if (this.evaluators[i]?.busy) continue;
      const evaluator = (this.evaluators[i] ??= this.spawn(i));
      evaluator.busy = true;
      void this.serve(i, evaluator, this.dequeue()!);
    }
  }

  private spawn(slot: number): Evaluator {
    const child = fork(CHILD, [], {
      execArgv: ['--import', TSX, `--max-old-space-size=${this.memoryMb}`, '--max-semi-space-size=16', '--disable-proto=delete'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { NODE_ENV: process.env.NODE_ENV ?? 'production', PATH: process.env.PATH ?? '' },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    // an idle evaluator must not keep the worker (or a test) alive
    child.unref();
    child.channel?.unref();
    child.once('exit', () => {
      if (this.evaluators[slot]?.child === child) this.evaluators[slot] = undefined;
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new SandboxUnavailableError(`an expression evaluator did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new SandboxUnavailableError(`an expression evaluator could not start (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
      });
    });
    ready.catch(() => {}); // observed by serve(); here only to avoid an unhandled rejection
    return { child, ready, busy: false };
  }

  private async serve(slot: number, evaluator: Evaluator, job: Pending) {
    try {
      await evaluator.ready;
    } catch (e) {
      this.evaluators[slot] = undefined;
      job.reject(e as Error);
      return this.pump();
    }
    const id = ++this.seq;
    const { child } = evaluator;
    const outcome = await new Promise<SandboxOutcome | 'unsent'>((resolve) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, job.timeoutMs);
      const onMessage = (m: { id: number; outcome: SandboxOutcome }) => {
        if (m.id !== id) return;
        done();
        resolve(m.outcome);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        this.killed++;
        resolve({
          ok: false,
          code: 'EXPRESSION_LIMIT',
          message: timedOut
            ? `the expression ran longer than ${job.timeoutMs} ms`
            : `the expression exhausted its evaluator (${signal ?? `exit ${code}`}: memory or stack limit)`,
        });
      };
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, task: job.task }, (err) => {
        // the evaluator died between two evaluations: this one never reached it
        if (err) {
          done();
          resolve('unsent');
        }
      });
    });
    if (this.evaluators[slot] === evaluator) {
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) this.evaluators[slot] = undefined;
      else evaluator.busy = false;
    }
    if (outcome === 'unsent') {
      if (this.evaluators[slot] === evaluator) this.evaluators[slot] = undefined;
      this.enqueue(job, true);
    } else job.resolve(outcome);
    this.pump();
  }
}
