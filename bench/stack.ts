// The real stack every benchmark runs on: Postgres, the Temporal dev server, Typesense and
// the OpenID provider on free ports in a fresh temp dir, migrated and seeded (tenants and
// built-in task manifests), with the MAESTRO_TEST_* environment test/support/stack.ts reads.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePorts } from '../platform/embedded/ports.ts';
import { startPostgres } from '../platform/embedded/postgres.ts';
import { startTemporal } from '../platform/embedded/temporal.ts';
import { startTypesense } from '../platform/embedded/typesense.ts';
import { startOidcProvider } from '../platform/embedded/oidc-provider.ts';
import { migrate } from '../platform/migrate.ts';
import { createSql } from '../platform/db.ts';
import { seedTenants } from '../platform/seed.ts';
import { loadBuiltinManifests, registerManifest } from '../platform/registry.ts';
import { stackEnvVars } from '../test/support/stack-env.ts';

export interface BenchStack {
  root: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startBenchStack(prefix: string): Promise<BenchStack> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(root, 0o755);
  const [pgPort, tPort, tsPort, tsPeer, oidcPort] = await freePorts(5);
  const apiKey = randomUUID();
  const demoPassword = randomUUID();
  const oidcStateFile = path.join(root, 'keys', 'oidc-provider.json');
  const [pg, temporal, ts, oidc] = await Promise.all([
    startPostgres({ dataDir: path.join(root, 'pg'), port: pgPort!, persistent: false, output: 'quiet' }),
    startTemporal({ dbFile: path.join(root, 'temporal.sqlite'), port: tPort!, output: 'quiet' }),
    startTypesense({ dataDir: path.join(root, 'ts'), port: tsPort!, peeringPort: tsPeer!, apiKey, output: 'quiet' }),
    startOidcProvider({ port: oidcPort!, stateFile: oidcStateFile, demoPassword, output: 'quiet' }),
  ]);
  Object.assign(
    process.env,
    stackEnvVars({
      databaseUrl: pg.url,
      temporalAddress: temporal.address,
      temporalDbFile: path.join(root, 'temporal.sqlite'),
      typesenseUrl: ts.url,
      typesenseApiKey: apiKey,
      codecKeys: `bench:${Buffer.alloc(32, 7).toString('base64')}`,
      jwtSecret: randomUUID() + randomUUID(),
      dataDir: path.join(root, 'data'),
      oidcIssuer: oidc.issuer,
      oidcStateFile,
      demoPassword,
    } as never),
    { MAESTRO_TEST_SECRETS_KEY: `bench:${Buffer.from(randomUUID().replace(/-/g, '')).toString('base64')}` },
  );
  await migrate(pg.url);
  const sql = createSql(pg.url, { max: 2 });
  await seedTenants(sql);
  for (const m of loadBuiltinManifests()) await registerManifest(sql, m, 'maestro-core', null);
  await sql.end();
  return {
    root,
    databaseUrl: pg.url,
    async stop() {
      await Promise.all([pg.stop(), temporal.stop(), ts.stop(), oidc.stop()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The machine a figure was measured on, for docs/performance.md. */
export function machineDescription(): string {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/)?.[1] ?? os.cpus()[0]?.model ?? 'unknown cpu';
  return `${cpu}, ${os.cpus().length} cores (nproc), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, Temporal CLI dev server (SQLite WAL)`;
}
