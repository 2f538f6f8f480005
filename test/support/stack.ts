import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../platform/config.ts';
import { createSql } from '../../platform/db.ts';
import { migrate } from '../../platform/migrate.ts';
import { seedTenants } from '../../platform/seed.ts';
import { loadBuiltinManifests, registerManifest } from '../../platform/registry.ts';
import { connectClient } from '../../platform/temporal.ts';
import { createTypesense } from '../../platform/typesense.ts';
import { EncryptionCodec } from '../../platform/codec.ts';
import { apiClient } from '../../platform/api-client.ts';
import { createApp } from '../../api/app.ts';
import { createCoreWorker } from '../../workers/core-worker.ts';
import { stackEnv } from './stack-env.ts';
import { demoTokens, type DemoUser } from './oidc.ts';

export type { DemoUser };

/**
 * One test file's view of the real stack started by the global setup: its own task queue
 * and Typesense collection (so files never see each other's lifecycles), an in-process
 * worker, and the API app called through `app.request` (or served on a port by a test).
 */
export async function openStack(opts: { worker?: boolean; envOverrides?: Record<string, string>; workflowsPath?: string; databaseUrl?: string } = {}) {
  // a database of its own (see prepareDatabase) for a file whose writes others must not see
  const env = { ...stackEnv(), ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}) };
  const suffix = randomUUID().slice(0, 8);
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TYPESENSE_URL: env.typesenseUrl,
    TYPESENSE_API_KEY: env.typesenseApiKey,
    TYPESENSE_COLLECTION: `catalog_${suffix}`,
    TEMPORAL_TASK_QUEUE: `test-${suffix}`,
    CODEC_KEYS: env.codecKeys,
    SECRETS_KEY: env.secretsKey,
    AUTH_JWT_SECRET: env.jwtSecret,
    OIDC_ISSUER: env.oidcIssuer,
    DATA_DIR: env.dataDir,
    // marketplace reviews dry-run a version twice in tests (5 by default)
    REVIEW_PERF_RUNS: '2',
    ...opts.envOverrides,
  });
  const sql = createSql(env.databaseUrl, { max: 5 });
  const { connection, client } = await connectClient({ address: config.temporalAddress, namespace: config.TEMPORAL_NAMESPACE, codecKeys: config.CODEC_KEYS! });
  const typesense = createTypesense(config.typesenseUrl, env.typesenseApiKey);
  const app = createApp({
    config,
    sql,
    temporal: client,
    typesense,
    codec: EncryptionCodec.fromSpec(config.CODEC_KEYS!),
    jwtSecret: env.jwtSecret,
    log: pino({ level: 'silent' }),
  });

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let closeWorker: (() => Promise<void>) | undefined;
  if (opts.worker !== false) {
    const w = await createCoreWorker(
      config,
      { codecKeys: config.CODEC_KEYS!, typesenseApiKey: env.typesenseApiKey, databaseUrl: env.databaseUrl, secretsKey: config.SECRETS_KEY! },
      opts.workflowsPath ? { workflowsPath: opts.workflowsPath } : {},
    );
    worker = w.worker;
    closeWorker = w.close;
    workerRun = worker.run();
  }

  // real access tokens, from sign-ins at the embedded OpenID provider
  const tokens = await demoTokens(env);
  const fetchViaApp = (input: string, init?: RequestInit) => Promise.resolve(app.request(input, init));
  const as = (user: DemoUser) => apiClient('http://test', tokens[user], fetchViaApp);

  /** A raw request through the app, for error-shape tests. */
  const request = (method: string, path: string, init: { user?: DemoUser; body?: string; headers?: Record<string, string> } = {}) =>
    app.request(`http://test${path}`, {
      method,
      headers: {
        ...(init.user ? { authorization: `Bearer ${tokens[init.user]}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });

  async function close() {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch(() => {});
    await closeWorker?.();
    await typesense.collections(config.TYPESENSE_COLLECTION).delete().catch(() => {});
    await typesense.aliases(config.TYPESENSE_COLLECTION).delete().catch(() => {});
    await typesense.collections(`${config.TYPESENSE_COLLECTION}_v1`).delete().catch(() => {});
    await connection.close();
    await sql.end({ timeout: 5 });
  }

  return { env, config, sql, client, typesense, app, tokens, as, request, close, suffix };
}

export type Stack = Awaited<ReturnType<typeof openStack>>;

/** A unique, valid spec for a test (names must be unique across the shared database). */
export function testSpec(
  overrides: { name?: string; version?: string; risk?: string; scope?: string; description?: string; changelog?: string; extra?: Record<string, unknown> } = {},
) {
  const name = overrides.name ?? `t-${randomUUID().slice(0, 12)}`;
  return {
    apiVersion: 'maestro.dev/v1',
    kind: 'Workflow',
    metadata: {
      name,
      version: overrides.version ?? '1.0.0',
      title: `Test workflow ${name}`,
      description: overrides.description ?? `A test workflow named ${name}`,
      category: 'HR',
      risk: overrides.risk ?? 'low',
      scope: overrides.scope ?? 'tenant-local',
      tags: ['test'],
      // every published version says what changed (CHANGELOG_REQUIRED)
      changelog: overrides.changelog ?? `Release ${overrides.version ?? '1.0.0'}.`,
    },
    parameters: { type: 'object', properties: { email: { type: 'string' } } },
    steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'email': email }", data: { email: '${{ params.email }}' } } }],
    ...overrides.extra,
  };
}

/**
 * A fresh database on the test stack's Postgres, prepared as the global setup prepares the
 * shared one (migrations, tenants, built-in adapters): for a test that writes what other
 * files would see (e.g. schema fuzzing). Returns its URL.
 */
export async function prepareDatabase(name: string): Promise<string> {
  const shared = stackEnv().databaseUrl;
  const admin = createSql(shared, { max: 1 });
  try {
    await admin`create database ${admin(name)}`;
  } finally {
    await admin.end({ timeout: 5 });
  }
  const u = new URL(shared);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  const sql = createSql(url, { max: 1 });
  try {
    await seedTenants(sql);
    for (const m of loadBuiltinManifests()) await registerManifest(sql, m, 'maestro-core', null);
  } finally {
    await sql.end({ timeout: 5 });
  }
  return url;
}
