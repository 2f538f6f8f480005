// npm start: the whole system on one machine. Embedded Postgres, Temporal dev server (with
// its Web UI) and Typesense unless DATABASE_URL / TEMPORAL_ADDRESS / TYPESENSE_URL point
// elsewhere; then migrations + seed, the core worker, the example partner worker
// (examples/partner-adapter), and the API serving the Switchboard.
// Ctrl-C stops everything in reverse order. Data stays in DATA_DIR for the next start.
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../platform/config.ts';
import { ensureDevSecrets } from '../platform/dev-secrets.ts';
import { isPortFree } from '../platform/embedded/ports.ts';
import { startPostgres } from '../platform/embedded/postgres.ts';
import {
  describeExit,
  killAllSync,
  runToCompletion,
  startProcess,
  stopAll,
  type ManagedProcess,
} from '../platform/embedded/process.ts';
import { waitForHttp } from '../platform/embedded/readiness.ts';
import { startTemporal } from '../platform/embedded/temporal.ts';
import { startTypesense } from '../platform/embedded/typesense.ts';

const t0 = Date.now();
const seconds = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)}s`;
const rel = (p: string) => {
  const r = path.relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};

function parseConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`npm start: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}

const config = parseConfig();
const logDir = path.join(config.dataDir, 'logs');
const typesensePeeringPort = config.TYPESENSE_PORT > 1 ? config.TYPESENSE_PORT - 1 : config.TYPESENSE_PORT + 1;

// ---- stopping -------------------------------------------------------------------------
let stopping: Promise<void> | undefined;

function shutdown(code: number, reason?: string): Promise<void> {
  stopping ??= (async () => {
    if (reason) console.error(`\n✗ ${reason}`);
    console.log(code === 0 ? '\nstopping…' : 'stopping everything…');
    await stopAll({
      last: ['typesense', 'temporal', 'postgres'],
      onStopped: (proc, status, ms) => console.log(`  ■ ${proc.name} stopped (${describeExit(status)}, ${(ms / 1000).toFixed(1)}s)`),
    });
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // npm forwards the terminal's Ctrl-C as well, so the same signal can arrive twice.
  process.on(signal, () => void shutdown(0));
}
// Last resort (an exception): no server may outlive us holding its port.
process.on('exit', killAllSync);

/** From now on, `proc` ending on its own is a failure of the whole system. */
function watch(proc: ManagedProcess, logFile?: string) {
  void proc.exited.then((status) => {
    if (stopping) return;
    const where = logFile ? `; its log: ${rel(logFile)}\n${proc.failureOutput()}` : '';
    void shutdown(1, `${proc.name} exited unexpectedly (${describeExit(status)})${where}`);
  });
}

// ---- starting -------------------------------------------------------------------------
async function checkPortsFree() {
  const wanted: [number, string][] = [[config.PORT, 'PORT']];
  if (config.embedded.postgres) wanted.push([config.PG_PORT, 'PG_PORT']);
  if (config.embedded.temporal) wanted.push([config.TEMPORAL_PORT, 'TEMPORAL_PORT'], [config.TEMPORAL_UI_PORT, 'TEMPORAL_UI_PORT']);
  if (config.embedded.typesense) wanted.push([config.TYPESENSE_PORT, 'TYPESENSE_PORT'], [typesensePeeringPort, 'TYPESENSE_PORT - 1 (Typesense peering)']);
  const taken = [];
  for (const [port, name] of wanted) if (!(await isPortFree(port))) taken.push(`  - port ${port} (${name}) is already in use`);
  if (taken.length) {
    console.error(`npm start: cannot start:\n${taken.join('\n')}\nIs another "npm start" running? Stop it, or set other ports (PORT, PG_PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, TYPESENSE_PORT).`);
    process.exit(1);
  }
}

async function step<T>(label: string, detail: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  console.log(`▸ starting ${label} ${detail}`);
  const result = await run();
  console.log(`✓ ${label} ready (${seconds(started)})`);
  return result;
}

async function main() {
  await checkPortsFree();
  const secrets = ensureDevSecrets(config.dataDir);
  const logFile = (name: string) => path.join(logDir, `${name}.log`);
  console.log(`Maestro Conductor — data in ${rel(config.dataDir)}, server logs in ${rel(logDir)}`);

  const servers = await Promise.all([
    config.embedded.postgres
      ? step('Postgres', `on 127.0.0.1:${config.PG_PORT}`, () =>
          startPostgres({
            dataDir: path.join(config.dataDir, 'postgres'),
            port: config.PG_PORT,
            persistent: true,
            output: { file: logFile('postgres') },
            ownProcessGroup: true,
          }),
        )
      : undefined,
    config.embedded.temporal
      ? step('Temporal dev server', `on 127.0.0.1:${config.TEMPORAL_PORT} (Web UI on ${config.TEMPORAL_UI_PORT})`, () =>
          startTemporal({
            dbFile: path.join(config.dataDir, 'temporal.sqlite'),
            port: config.TEMPORAL_PORT,
            uiPort: config.TEMPORAL_UI_PORT,
            codecEndpoint: `${config.publicUrl.replace(/\/+$/, '')}/codec`,
            namespace: config.TEMPORAL_NAMESPACE,
            output: { file: logFile('temporal') },
            ownProcessGroup: true,
          }),
        )
      : undefined,
    config.embedded.typesense
      ? step('Typesense', `on 127.0.0.1:${config.TYPESENSE_PORT}`, () =>
          startTypesense({
            dataDir: path.join(config.dataDir, 'typesense'),
            port: config.TYPESENSE_PORT,
            peeringPort: typesensePeeringPort,
            apiKey: secrets.TYPESENSE_API_KEY,
            output: { file: logFile('typesense') },
            ownProcessGroup: true,
          }),
        )
      : undefined,
  ]);
  const [postgres, temporal, typesense] = servers;
  if (postgres) watch(postgres.process, logFile('postgres'));
  if (temporal) watch(temporal.process, logFile('temporal'));
  if (typesense) watch(typesense.process, logFile('typesense'));
  if (stopping) return;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    DATA_DIR: config.dataDir,
    DATABASE_URL: postgres?.url ?? config.DATABASE_URL,
    TEMPORAL_ADDRESS: temporal?.address ?? config.temporalAddress,
    TYPESENSE_URL: typesense?.url ?? config.typesenseUrl,
  };
  const node = (name: string, script: string, args: string[] = []) => ({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', script, ...args],
    env,
    output: 'prefix' as const,
    ownProcessGroup: true,
  });

  await step('migrations', '(scripts/migrate.ts)', () => runToCompletion(node('migrate', 'scripts/migrate.ts')));
  if (stopping) return;

  const worker = startProcess(node('worker', 'workers/main.ts'));
  watch(worker);
  // the example partner adapter, as a partner would run it: its own process and task queue
  const partnerWorker = startProcess(node('partner-worker', 'examples/partner-adapter/main.ts'));
  watch(partnerWorker);
  const api = startProcess(node('api', 'api/server.ts'));
  watch(api);
  const healthUrl = `http://127.0.0.1:${config.PORT}/api/health`;
  await step('API and Switchboard', `on ${config.HOST}:${config.PORT}`, () => waitForHttp(api, healthUrl, { timeoutMs: 120_000, intervalMs: 500 }));
  if (stopping) return;

  await step('example pack', '(scripts/seed.ts, through the API)', () =>
    runToCompletion(node('seed', 'scripts/seed.ts', [`http://127.0.0.1:${config.PORT}`])),
  );
  if (stopping) return;

  const uiUrl = temporal?.uiUrl ?? config.TEMPORAL_UI_URL;
  const base = config.publicUrl.replace(/\/+$/, '');
  const lines = [
    '',
    `Maestro Conductor is running (ready in ${seconds(t0)})`,
    '',
    `  Switchboard       ${base}/`,
    `  API docs          ${base}/api/docs`,
    ...(uiUrl ? [`  Temporal Web UI   ${uiUrl}`] : []),
    `  API token         npm run token -- alice   (then: Authorization: Bearer <token>)`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  if (stopping) return;
  void shutdown(1, e instanceof Error ? e.message : String(e));
});
