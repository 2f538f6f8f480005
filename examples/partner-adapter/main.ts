// The partner worker's entry: node --import tsx examples/partner-adapter/main.ts
// Reads the same environment as the core worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// CODEC_KEYS, DATABASE_URL, POLICY_DIR; embedded dev defaults otherwise) plus
// PARTNER_TASK_QUEUE to override the manifest's queue.
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { durationMs, loadConfig } from '../../platform/config.ts';
import { ensureDevSecrets } from '../../platform/dev-secrets.ts';
import { createLogger } from '../../platform/logger.ts';
import { createPartnerWorker } from './worker.ts';

async function run() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'partner-worker');
  Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
  const dev = config.NODE_ENV === 'production' ? undefined : ensureDevSecrets(config.dataDir);
  const codecKeys = config.CODEC_KEYS ?? dev?.CODEC_KEYS;
  if (!codecKeys) throw new Error('CODEC_KEYS must be set in production');
  const { worker, taskQueue, manifest, close } = await createPartnerWorker({
    temporalAddress: config.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    codecKeys,
    databaseUrl: config.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${config.PG_PORT}/maestro`,
    policyDir: config.POLICY_DIR,
    ...(process.env.PARTNER_TASK_QUEUE ? { taskQueue: process.env.PARTNER_TASK_QUEUE } : {}),
  }, { shutdownGraceTime: durationMs(config.WORKER_SHUTDOWN_GRACE) }); // calls in flight finish on SIGTERM
  log.info({ taskQueue, adapter: `${manifest.metadata.name}@${manifest.metadata.version}`, address: config.temporalAddress }, 'partner worker started');
  try {
    await worker.run();
  } finally {
    await close();
    log.info('partner worker stopped');
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
