import { spawn, type ChildProcess } from 'node:child_process';
import type { Stack } from './stack.ts';

/**
 * The real worker entry point (workers/main.ts) as its own process, on the stack's task
 * queue — as test/chaos/worker-kill.test.ts starts it. Resolves once it logged "worker
 * started"; `children` collects every process so that a file can kill leftovers.
 */
export function startWorkerProcess(
  s: Stack,
  children: ChildProcess[],
  opts: { logLevel?: string; onOutput?: (chunk: string) => void } = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: opts.logLevel ?? 'info',
      DATABASE_URL: s.env.databaseUrl,
      TEMPORAL_ADDRESS: s.config.temporalAddress,
      TEMPORAL_TASK_QUEUE: s.config.TEMPORAL_TASK_QUEUE,
      TYPESENSE_URL: s.config.typesenseUrl,
      TYPESENSE_API_KEY: s.env.typesenseApiKey,
      TYPESENSE_COLLECTION: s.config.TYPESENSE_COLLECTION,
      CODEC_KEYS: s.env.codecKeys,
      SECRETS_KEY: s.env.secretsKey,
      AUTH_JWT_SECRET: s.env.jwtSecret,
      DATA_DIR: s.env.dataDir,
      // a file's collection holds only that file's documents, not the shared Postgres's
      // whole catalog: a check would take that for drift and reindex (index-durability.test.ts tests it)
      CATALOG_INDEX_CHECK_INTERVAL: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      opts.onOutput?.(b.toString());
      if (output.includes('"worker started"')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it started:\n${output.slice(-2000)}`)));
  });
}

/** SIGKILL, resolved with the signal once the process is gone. */
export function killWorker(child: ChildProcess): Promise<NodeJS.Signals | null> {
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  return exited;
}
