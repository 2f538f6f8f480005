import { readFileSync } from 'node:fs';

/**
 * What npm start's supervisor (platform/embedded/supervisor.ts) writes to
 * SUPERVISOR_STATUS_FILE and GET /api/health shows: each child's state and restarts.
 */
export type ChildState = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'failed';

export interface ChildStatus {
  name: string;
  state: ChildState;
  pid?: number;
  /** how often it was started again after exiting on its own */
  restarts: number;
  startedAt?: string;
  /** its last unexpected exit */
  lastExit?: { at: string; reason: string };
  /** when in backoff: when the next start is due */
  nextStartAt?: string;
}

export interface SupervisorStatus {
  /** the supervising process (npm start) */
  pid: number;
  startedAt: string;
  updatedAt: string;
  state: 'running' | 'stopping' | 'gave-up';
  policy: { maxFailures: number; windowSeconds: number };
  children: ChildStatus[];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The supervisor's state, or undefined when there is none (not started by npm start, or left by one that is gone). */
export function readSupervisorStatus(file: string | undefined): SupervisorStatus | undefined {
  if (!file) return undefined;
  try {
    const status = JSON.parse(readFileSync(file, 'utf8')) as SupervisorStatus;
    return alive(status.pid) ? status : undefined;
  } catch {
    return undefined;
  }
}
