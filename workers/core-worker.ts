import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { durationMs, reviewSettings, type Config } from '../platform/config.ts';
import { createSql, type Sql } from '../platform/db.ts';
import { createTypesense, ensureCatalogCollection } from '../platform/typesense.ts';
import { loadPolicyEngine } from '../platform/opa.ts';
import { createDataConverter } from '../platform/temporal.ts';
import { createSecretStore, type SecretStore } from '../platform/secrets.ts';
import { createKeyRing, type KeyRing } from '../platform/signing.ts';
import { ExpressionSandbox } from '../platform/expression-sandbox.ts';
import { DomainError } from '../domain/errors.ts';
import { createWorkerActivities } from '../activities/index.ts';
import { classifiedFailure } from '../activities/errors.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** The composition root of the core worker: every dependency is built here and nowhere else. */
export async function createCoreWorker(
  config: Config,
  secrets: { codecKeys: string; typesenseApiKey: string; databaseUrl: string; secretsKey?: string },
  overrides: Partial<WorkerOptions> = {},
) {
  const sql = createSql(secrets.databaseUrl);
  const typesense = createTypesense(config.typesenseUrl, secrets.typesenseApiKey);
  await ensureCatalogCollection(typesense, config.TYPESENSE_COLLECTION);
  const policy = await loadPolicyEngine(config.POLICY_DIR);
  // tenant expressions run in evaluator processes of their own, never on this thread
  const sandbox = new ExpressionSandbox();
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: createWorkerActivities({
      sql,
      typesense,
      policy,
      secrets: secretStore(sql, secrets.secretsKey ?? config.SECRETS_KEY),
      keyRing: keyRing(sql, secrets.secretsKey ?? config.SECRETS_KEY),
      collection: config.TYPESENSE_COLLECTION,
      defaultQueue: config.TEMPORAL_TASK_QUEUE,
      sandbox,
      review: reviewSettings(config),
    }),
    dataConverter: createDataConverter(secrets.codecKeys),
    interceptors: { activity: [classifyInputFailures] },
    // On SIGTERM/SIGINT (a restart, Ctrl-C) the activities in flight may finish: cancelled
    // at once, their steps would wait for their timeout before another worker retries them.
    shutdownGraceTime: durationMs(config.WORKER_SHUTDOWN_GRACE),
    ...overrides,
  });
  const close = async () => {
    await sandbox.close();
    await connection.close();
    await sql.end({ timeout: 5 });
  };
  return { worker, close };
}

/** Every activity of this worker: a failure caused by its input is not retried (activities/errors.ts). */
const classifyInputFailures: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (e) {
        throw classifiedFailure(e);
      }
    },
  },
});

/**
 * Without a SECRETS_KEY the worker cannot sign. An operator's problem, not the lifecycle's:
 * a plain (retryable) error, so publishing and receipts wait, with backoff, for a worker
 * that has the key, instead of failing a lifecycle whose outcome is already committed.
 */
function keyRing(sql: Sql, key: string | undefined): KeyRing {
  if (key) return createKeyRing(sql, key);
  const unavailable = async (): Promise<never> => {
    throw new Error('SIGNING_UNAVAILABLE: this worker has no SECRETS_KEY: it cannot sign versions or receipts');
  };
  return { activeKey: unavailable, rotate: unavailable, publicKeys: unavailable };
}

/** Without a SECRETS_KEY the worker still runs, but every secret reference fails clearly (not retried). */
function secretStore(sql: Sql, key: string | undefined): SecretStore {
  if (key) return createSecretStore(sql, key);
  const unavailable = async (): Promise<never> => {
    throw new DomainError('unavailable', 'SECRET_STORE_UNAVAILABLE', 'this worker has no SECRETS_KEY: it cannot resolve secret references');
  };
  return { put: unavailable, resolve: unavailable, delete: unavailable, list: unavailable, rewrap: unavailable };
}
