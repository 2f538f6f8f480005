import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { Config } from '../platform/config.ts';
import { createSql } from '../platform/db.ts';
import { createTypesense, ensureCatalogCollection } from '../platform/typesense.ts';
import { loadPolicyEngine } from '../platform/opa.ts';
import { createDataConverter } from '../platform/temporal.ts';
import { createActivities } from '../activities/index.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** The composition root of the core worker: every dependency is built here and nowhere else. */
export async function createCoreWorker(
  config: Config,
  secrets: { codecKeys: string; typesenseApiKey: string; databaseUrl: string },
  overrides: Partial<WorkerOptions> = {},
) {
  const sql = createSql(secrets.databaseUrl);
  const typesense = createTypesense(config.typesenseUrl, secrets.typesenseApiKey);
  await ensureCatalogCollection(typesense, config.TYPESENSE_COLLECTION);
  const policy = await loadPolicyEngine(config.POLICY_DIR);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ sql, typesense, policy, collection: config.TYPESENSE_COLLECTION, defaultQueue: config.TEMPORAL_TASK_QUEUE }),
    dataConverter: createDataConverter(secrets.codecKeys),
    ...overrides,
  });
  const close = async () => {
    await connection.close();
    await sql.end({ timeout: 5 });
  };
  return { worker, close };
}
