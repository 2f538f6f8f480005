// npm start: the whole system on one machine. Embedded Postgres, Temporal dev server (with
// its Web UI) and Typesense unless DATABASE_URL / TEMPORAL_ADDRESS / TYPESENSE_URL point
// elsewhere; then migrations + seed, the core worker, the example partner worker
// (examples/partner-adapter), the example partner systems the examples call
// (examples/partner-systems), and the API serving the Switchboard.
// Every child is supervised: one that exits on its own is started again with a backoff, and
// only repeated fast failures stop everything (docs/runbooks/supervision.md).
// Ctrl-C stops everything in reverse order. Data stays in DATA_DIR for the next start.
import path from 'node:path';
import { ConfigError, durationMs, isLoopbackHost, loadConfig, type Config } from '../platform/config.ts';
import { ensureDevSecrets } from '../platform/dev-secrets.ts';
import { isPortFree } from '../platform/embedded/ports.ts';
import { startPostgres } from '../platform/embedded/postgres.ts';
import { describeExit, killAllSync, runToCompletion, startProcess, stopAll, type ManagedProcess } from '../platform/embedded/process.ts';
import { tcpProbe, waitUntilReady } from '../platform/embedded/readiness.ts';
import { Supervisor } from '../platform/embedded/supervisor.ts';
import { startOidcProvider } from '../platform/embedded/oidc-provider.ts';
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
    supervisor.stopping();
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

// ---- supervising ----------------------------------------------------------------------
// A child that exits on its own is started again (docs/runbooks/supervision.md); only one
// that keeps failing stops everything.
const statusFile = config.SUPERVISOR_STATUS_FILE ?? path.join(config.dataDir, 'run', 'supervisor.json');
const logFile = (name: string) => path.join(logDir, `${name}.log`);
const serverLogs = new Set(['postgres', 'temporal', 'typesense']);
const whereToLook = (name: string) => (serverLogs.has(name) ? `; its log: ${rel(logFile(name))}` : '');
const supervisor = new Supervisor({
  giveUpAfter: { failures: config.SUPERVISOR_MAX_FAILURES, windowMs: durationMs(config.SUPERVISOR_FAILURE_WINDOW) },
  initialBackoffMs: durationMs(config.SUPERVISOR_BACKOFF),
  statusFile,
  onEvent(e) {
    if (stopping) return;
    const at = new Date().toISOString();
    if (e.type === 'exited') {
      console.error(
        `↻ ${at} ${e.child} exited unexpectedly (${e.reason})${whereToLook(e.child)}; starting it again in ${(e.restartInMs / 1000).toFixed(1)}s ` +
          `(failure ${e.failures}; ${config.SUPERVISOR_MAX_FAILURES} within ${config.SUPERVISOR_FAILURE_WINDOW} stop everything)`,
      );
    } else if (e.type === 'waiting') {
      console.error(`… ${at} ${e.child} waits for ${e.for.join(', ')} before it starts again`);
    } else if (e.type === 'restarted') {
      console.log(`✓ ${at} ${e.child} running again (restart ${e.restarts}, pid ${e.pid})`);
    } else {
      console.error(`✗ ${at} ${e.child} could not be started again: ${e.error}${whereToLook(e.child)}${e.output ? `\n${e.output}` : ''}`);
    }
  },
  onGiveUp: (child, reason) => void shutdown(1, `${reason}${whereToLook(child)}`),
});

// ---- starting -------------------------------------------------------------------------
async function checkPortsFree() {
  const wanted: [number, string][] = [
    [config.PORT, 'PORT'],
    [config.PARTNER_SYSTEMS_PORT, 'PARTNER_SYSTEMS_PORT'],
  ];
  if (config.embedded.postgres) wanted.push([config.PG_PORT, 'PG_PORT']);
  if (config.embedded.temporal) wanted.push([config.TEMPORAL_PORT, 'TEMPORAL_PORT'], [config.TEMPORAL_UI_PORT, 'TEMPORAL_UI_PORT']);
  if (config.embedded.oidc) wanted.push([config.OIDC_PORT, 'OIDC_PORT']);
  if (config.embedded.typesense) wanted.push([config.TYPESENSE_PORT, 'TYPESENSE_PORT'], [typesensePeeringPort, 'TYPESENSE_PORT - 1 (Typesense peering)']);
  const taken = [];
  for (const [port, name] of wanted) if (!(await isPortFree(port))) taken.push(`  - port ${port} (${name}) is already in use`);
  if (taken.length) {
    console.error(`npm start: cannot start:\n${taken.join('\n')}\nIs another "npm start" running? Stop it, or set other ports (PORT, PG_PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, TYPESENSE_PORT, OIDC_PORT, PARTNER_SYSTEMS_PORT).`);
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
  console.log(`Maestro Conductor — data in ${rel(config.dataDir)}, server logs in ${rel(logDir)}`);

  // Each server's spec starts it the same way the first time and after a crash.
  const serverSpecs = {
    postgres: {
      name: 'postgres',
      start: () =>
        startPostgres({
          dataDir: path.join(config.dataDir, 'postgres'),
          port: config.PG_PORT,
          persistent: true,
          output: { file: logFile('postgres') },
          ownProcessGroup: true,
        }),
    },
    temporal: {
      name: 'temporal',
      start: () =>
        startTemporal({
          dbFile: path.join(config.dataDir, 'temporal.sqlite'),
          port: config.TEMPORAL_PORT,
          uiPort: config.TEMPORAL_UI_PORT,
          codecEndpoint: `${config.publicUrl.replace(/\/+$/, '')}/codec`,
          namespace: config.TEMPORAL_NAMESPACE,
          output: { file: logFile('temporal') },
          ownProcessGroup: true,
        }),
    },
    typesense: {
      name: 'typesense',
      start: () =>
        startTypesense({
          dataDir: path.join(config.dataDir, 'typesense'),
          port: config.TYPESENSE_PORT,
          peeringPort: typesensePeeringPort,
          apiKey: secrets.TYPESENSE_API_KEY,
          output: { file: logFile('typesense') },
          ownProcessGroup: true,
        }),
    },
    oidc: {
      name: 'oidc-provider',
      start: () =>
        startOidcProvider({
          port: config.OIDC_PORT,
          stateFile: path.join(config.dataDir, 'keys', 'oidc-provider.json'),
          demoPassword: secrets.DEMO_PASSWORD,
          output: { file: logFile('oidc-provider') },
          ownProcessGroup: true,
        }),
    },
  };
  const supervise = async <T extends { process: ManagedProcess }>(spec: { name: string; start: () => Promise<T> }): Promise<T> => {
    const first = await spec.start();
    supervisor.adopt({ name: spec.name, start: () => spec.start().then((r) => r.process) }, first.process);
    return first;
  };
  const [postgres, temporal, typesense, oidc] = await Promise.all([
    config.embedded.postgres ? step('Postgres', `on 127.0.0.1:${config.PG_PORT}`, () => supervise(serverSpecs.postgres)) : undefined,
    config.embedded.temporal
      ? step('Temporal dev server', `on 127.0.0.1:${config.TEMPORAL_PORT} (Web UI on ${config.TEMPORAL_UI_PORT})`, () => supervise(serverSpecs.temporal))
      : undefined,
    config.embedded.typesense ? step('Typesense', `on 127.0.0.1:${config.TYPESENSE_PORT}`, () => supervise(serverSpecs.typesense)) : undefined,
    config.embedded.oidc ? step('OpenID provider', `on ${config.oidcIssuer} (the demo users)`, () => supervise(serverSpecs.oidc)) : undefined,
  ]);
  if (stopping) return;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    DATA_DIR: config.dataDir,
    DATABASE_URL: postgres?.url ?? config.DATABASE_URL,
    TEMPORAL_ADDRESS: temporal?.address ?? config.temporalAddress,
    TYPESENSE_URL: typesense?.url ?? config.typesenseUrl,
    SUPERVISOR_STATUS_FILE: statusFile,
  };
  const node = (name: string, script: string, args: string[] = [], stopTimeoutMs?: number) => ({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', script, ...args],
    env,
    output: 'prefix' as const,
    ownProcessGroup: true,
    ...(stopTimeoutMs ? { stopTimeoutMs } : {}),
  });
  /** A Node child, ready once `ready` holds; started again by the supervisor when it exits. */
  const nodeChild = (name: string, script: string, ready: (proc: ManagedProcess) => Promise<void>, dependsOn: string[], stopTimeoutMs?: number) => ({
    name,
    dependsOn,
    async start() {
      const proc = startProcess(node(name, script, [], stopTimeoutMs));
      try {
        await ready(proc);
      } catch (e) {
        await proc.stop();
        throw e;
      }
      return proc;
    },
  });

  await step('migrations', '(scripts/migrate.ts)', () => runToCompletion(node('migrate', 'scripts/migrate.ts')));
  if (stopping) return;

  // workers finish the activities in flight when stopped (WORKER_SHUTDOWN_GRACE), then exit
  const workerStop = durationMs(config.WORKER_SHUTDOWN_GRACE) + 10_000;
  // a worker has no port to probe: it counts as started once spawned (one that dies at once
  // is a failure like any other exit)
  const started = async () => {};
  const apiHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  await step('workers, API and Switchboard', `on ${config.HOST}:${config.PORT}`, () =>
    Promise.all([
      supervisor.start(nodeChild('worker', 'workers/main.ts', started, ['postgres', 'temporal', 'typesense'], workerStop)),
      // the example partner adapter, as a partner would run it: its own process and task queue
      supervisor.start(
        nodeChild('partner-worker', 'examples/partner-adapter/main.ts', started, ['postgres', 'temporal'], workerStop),
      ),
      // what the example workflows call (HRIS, billing, identity provider, webhooks…), on loopback
      supervisor.start(
        nodeChild('partner-systems', 'examples/partner-systems/main.ts', (proc) => waitUntilReady(proc, `port ${config.PARTNER_SYSTEMS_PORT}`, tcpProbe('127.0.0.1', config.PARTNER_SYSTEMS_PORT), { timeoutMs: 30_000, intervalMs: 100 }), []),
      ),
      // listening is ready: /api/health answers 503 while a server it checks is down
      supervisor.start(
        nodeChild('api', 'api/server.ts', (proc) => waitUntilReady(proc, `port ${config.PORT}`, tcpProbe(apiHost, config.PORT), { timeoutMs: 120_000, intervalMs: 250 }), ['postgres', 'temporal']),
      ),
    ]),
  );
  if (stopping) return;

  await step('example pack', '(scripts/seed.ts, through the API)', () =>
    runToCompletion(node('seed', 'scripts/seed.ts', [`http://127.0.0.1:${config.PORT}`, '--partner-systems', `http://127.0.0.1:${config.PARTNER_SYSTEMS_PORT}`])),
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
    `  Partner systems   http://127.0.0.1:${config.PARTNER_SYSTEMS_PORT}   (what the example workflows and the seeded instances call)`,
    ...(uiUrl ? [`  Temporal Web UI   ${uiUrl}`] : []),
    ...(oidc
      ? [
          `  Sign in           alice, bob, pat, carol, dave or root; password ${secrets.DEMO_PASSWORD}`,
          `                    (embedded OpenID provider ${oidc.issuer}; the password is in ${rel(path.join(config.dataDir, 'keys', 'dev-secrets.json'))})`,
          `  API token         npm run token -- alice   (then: Authorization: Bearer <token>)`,
        ]
      : [`  Sign in           through ${config.oidcIssuer}`]),
    ...(config.devLogin ? ['  Dev login         on (AUTH_DEV_LOGIN): POST /api/dev/login hands out demo tokens'] : []),
    ...(oidc && !isLoopbackHost(config.HOST) ? [`  Note              the embedded OpenID provider serves 127.0.0.1 only: browsers on other machines cannot sign in (set OIDC_ISSUER)`] : []),
    '',
    `  Health            ${base}/api/health   (crashed children are started again: docs/runbooks/supervision.md)`,
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  if (stopping) return;
  void shutdown(1, e instanceof Error ? e.message : String(e));
});
