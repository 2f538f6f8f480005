import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { requireRuntimeSecrets } from '../platform/runtime-secrets.ts';
import { createCoreWorker } from './core-worker.ts';

async function run() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'worker');
  Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
  const secrets = requireRuntimeSecrets(config);
  const { worker, close } = await createCoreWorker(config, secrets);
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.temporalAddress }, 'worker started');
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
