import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig, type Config } from '../platform/config.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { requireRuntimeSecrets } from '../platform/runtime-secrets.ts';
import { connectClient } from '../platform/temporal.ts';
import { createCoreWorker } from './core-worker.ts';
import { HEALTH_ROLLUP_SCHEDULE_ID, catalogIndexCheckScheduleId } from '../workflows/contracts/index.ts';
import { ensureCatalogIndexCheck } from './index-check-schedule.ts';
import { ensureHealthRollupSchedule } from './health-rollup-schedule.ts';
import { createSql } from '../platform/db.ts';
import { createKeyRing } from '../platform/signing.ts';
import { signUnsignedVersions } from '../platform/version-signature.ts';

async function ensureSchedules(config: Config, codecKeys: string, log: Logger) {
  const temporal = await connectClient({ address: config.temporalAddress, namespace: config.TEMPORAL_NAMESPACE, codecKeys });
  try {
    await ensureHealthRollupSchedule(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, interval: config.HEALTH_ROLLUP_INTERVAL }).then(
      (outcome) => log.info({ schedule: HEALTH_ROLLUP_SCHEDULE_ID, interval: config.HEALTH_ROLLUP_INTERVAL, outcome }, 'health rollup schedule'),
      (err: unknown) => log.error({ err, schedule: HEALTH_ROLLUP_SCHEDULE_ID }, 'could not create or update the health rollup schedule'),
    );
    // compares the search index with Postgres now and every interval; repairs a drift
    const alias = config.TYPESENSE_COLLECTION;
    await ensureCatalogIndexCheck(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, alias, interval: config.CATALOG_INDEX_CHECK_INTERVAL }).then(
      ({ schedule, triggered }) => log.info({ schedule: catalogIndexCheckScheduleId(alias), interval: config.CATALOG_INDEX_CHECK_INTERVAL, outcome: schedule, triggered }, 'catalog index check schedule'),
      (err: unknown) => log.error({ err, schedule: catalogIndexCheckScheduleId(alias) }, 'could not create, update or trigger the catalog index check schedule'),
    );
  } finally {
    await temporal.connection.close();
  }
}

/** Versions published before signing existed get their publisher's signature (installs verify it). */
async function signOlderVersions(databaseUrl: string, secretsKey: string | undefined, log: Logger) {
  if (!secretsKey) return;
  const sql = createSql(databaseUrl, { max: 1 });
  try {
    const signed = await signUnsignedVersions(sql, createKeyRing(sql, secretsKey));
    if (signed) log.info({ signed }, 'signed versions published before signing existed');
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function run() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'worker');
  Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
  const secrets = requireRuntimeSecrets(config);
  const { worker, close } = await createCoreWorker(config, secrets);
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.temporalAddress }, 'worker started');
  // The health rollup's schedule belongs to the deployment, not to a test: only this entry
  // point (npm start, the container) creates it; test stacks start rollups directly. A
  // failure here must not stop the worker: rollups can still be started on demand.
  await ensureSchedules(config, secrets.codecKeys, log).catch((err: unknown) => log.error({ err }, 'could not reach Temporal to set up the schedules'));
  await signOlderVersions(secrets.databaseUrl, secrets.secretsKey, log).catch((err: unknown) => log.error({ err }, 'could not sign older versions'));
  try {
    await worker.run();
  } finally {
    await close();
    log.info('worker stopped');
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
