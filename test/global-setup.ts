// Vitest globalSetup: one real stack for the whole run — Postgres, a headless Temporal dev
// server, Typesense and the embedded OpenID provider — on free ports, in a fresh temp dir with fresh secrets, so a
// running `npm start` is not disturbed. Test files find it through MAESTRO_TEST_* variables
// (env set here is inherited by the forked test workers; see test/support/stack-env.ts) or
// through `inject('maestroStack')`.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePorts } from '../platform/embedded/ports.ts';
import { startPostgres, type RunningPostgres } from '../platform/embedded/postgres.ts';
import { killAllSync } from '../platform/embedded/process.ts';
import { startTemporal, type RunningTemporal } from '../platform/embedded/temporal.ts';
import { startOidcProvider, type RunningOidcProvider } from '../platform/embedded/oidc-provider.ts';
import { toolPath } from '../platform/embedded/tools.ts';
import { stackEnvVars, type StackEnv, type StackExtras } from './support/stack-env.ts';
import { startTypesense, type RunningTypesense } from '../platform/embedded/typesense.ts';
import { createSql } from '../platform/db.ts';
import { migrate } from '../platform/migrate.ts';
import { seedTenants } from '../platform/seed.ts';
import { loadBuiltinManifests, registerManifest } from '../platform/registry.ts';

export type TestStack = StackEnv & StackExtras;

declare module 'vitest' {
  export interface ProvidedContext {
    maestroStack: TestStack;
  }
}


export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const root = mkdtempSync(path.join(os.tmpdir(), 'maestro-test-'));
  // Postgres runs as the "postgres" user when we are root: it must be able to enter the dir.
  chmodSync(root, 0o755);
  const logDir = path.join(root, 'logs');
  const [pgPort, temporalPort, typesensePort, typesensePeeringPort, oidcPort] = await freePorts(5);
  const demoPassword = randomBytes(12).toString('base64url');
  const oidcStateFile = path.join(root, 'keys', 'oidc-provider.json');
  const typesenseApiKey = randomBytes(18).toString('base64url');
  const temporalDbFile = path.join(root, 'temporal.sqlite');

  // If Vitest dies without teardown, the servers must not outlive it.
  process.once('exit', killAllSync);
  const results = await Promise.allSettled([
    startPostgres({ dataDir: path.join(root, 'postgres'), port: pgPort!, persistent: false, output: { file: path.join(logDir, 'postgres.log') } }),
    startTemporal({ dbFile: temporalDbFile, port: temporalPort!, output: { file: path.join(logDir, 'temporal.log') } }),
    startTypesense({
      dataDir: path.join(root, 'typesense'),
      port: typesensePort!,
      peeringPort: typesensePeeringPort!,
      apiKey: typesenseApiKey,
      output: { file: path.join(logDir, 'typesense.log') },
    }),
    startOidcProvider({ port: oidcPort!, stateFile: oidcStateFile, demoPassword, output: { file: path.join(logDir, 'oidc-provider.log') } }),
  ]);
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const teardown = async () => {
    await Promise.all(running.map((server) => server.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length) {
    await teardown();
    throw new Error(
      `test stack failed to start:\n${failures.map((e) => (e instanceof Error ? e.message : String(e))).join('\n\n')}`,
    );
  }
  const [postgres, temporal, typesense, oidc] = running as [RunningPostgres, RunningTemporal, RunningTypesense, RunningOidcProvider];

  const stack: TestStack = {
    databaseUrl: postgres.url,
    temporalAddress: temporal.address,
    temporalNamespace: temporal.namespace,
    temporalDbFile,
    temporalTestServerPath: toolPath('temporal-test-server'),
    typesenseUrl: typesense.url,
    typesenseApiKey,
    codecKeys: `test:${randomBytes(32).toString('base64')}`,
    secretsKey: `test:${randomBytes(32).toString('base64')}`,
    jwtSecret: randomBytes(32).toString('base64url'),
    dataDir: path.join(root, 'data'),
    oidcIssuer: oidc.issuer,
    oidcStateFile,
    demoPassword,
    logDir,
  };
  try {
    // The schema and reference data every test file expects, as npm start prepares them.
    await migrate(stack.databaseUrl);
    const sql = createSql(stack.databaseUrl, { max: 1 });
    try {
    await seedTenants(sql);
    // built-in adapters run on each test file's own core queue; the queue recorded here is a default
    for (const m of loadBuiltinManifests()) await registerManifest(sql, m, 'maestro-core', null);
  } finally {
    await sql.end({ timeout: 5 });
  }
  } catch (e) {
    await teardown();
    throw e;
  }

  project.provide('maestroStack', stack);
  Object.assign(process.env, stackEnvVars(stack));
  console.log(`test stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${root})`);

  return teardown;
}
