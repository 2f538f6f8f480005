import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig, type Config } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { requireRuntimeSecrets } from '../platform/runtime-secrets.ts';
import { connectClient } from '../platform/temporal.ts';
import { createCoreWorker } from './core-worker.ts';
import { HEALTH_ROLLUP_SCHEDULE_ID } from '../workflows/contracts/index.ts';
import { ensureHealthRollupSchedule } from './health-rollup-schedule.ts';

async function ensureSchedule(config: Config, codecKeys: string) {
  const temporal = await connectClient({ address: config.temporalAddress, namespace: config.TEMPORAL_NAMESPACE, codecKeys });
  try {
    return await ensureHealthRollupSchedule(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, interval: config.HEALTH_ROLLUP_INTERVAL });
  } finally {
    await temporal.connection.close();
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
  await ensureSchedule(config, secrets.codecKeys).then(
    (outcome) => log.info({ schedule: HEALTH_ROLLUP_SCHEDULE_ID, interval: config.HEALTH_ROLLUP_INTERVAL, outcome }, 'health rollup schedule'),
    (err: unknown) => log.error({ err, schedule: HEALTH_ROLLUP_SCHEDULE_ID }, 'could not create or update the health rollup schedule'),
  );
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
