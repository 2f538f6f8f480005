import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createSql } from '../../platform/db.ts';
import { createEgressGuard, tenantAllowFromDb } from '../../platform/egress.ts';
import { loadPolicyEngine } from '../../platform/opa.ts';
import { createDataConverter } from '../../platform/temporal.ts';
import { createHrisActivities, loadPartnerManifest } from './activity.ts';

export interface PartnerWorkerOptions {
  temporalAddress: string;
  namespace: string;
  /** the installation's payload keys: the partner worker must read and write encrypted payloads */
  codecKeys: string;
  /** read for the tenants' egress allow-lists only */
  databaseUrl: string;
  policyDir: string;
  /** default: the manifest's spec.taskQueue */
  taskQueue?: string;
}

/**
 * The partner's composition root: an activity-only worker on the partner's own task
 * queue, with the installation's data converter (encrypted payloads and failures).
 */
export async function createPartnerWorker(opts: PartnerWorkerOptions, overrides: Partial<WorkerOptions> = {}) {
  const manifest = loadPartnerManifest();
  const taskQueue = opts.taskQueue ?? manifest.spec.taskQueue;
  if (!taskQueue) throw new Error('the partner manifest names no spec.taskQueue');
  const sql = createSql(opts.databaseUrl, { max: 2 });
  const policy = await loadPolicyEngine(opts.policyDir);
  const guard = createEgressGuard({ policy, tenantAllow: tenantAllowFromDb(sql) });
  const connection = await NativeConnection.connect({ address: opts.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue,
    activities: createHrisActivities({ guard, manifest }),
    dataConverter: createDataConverter(opts.codecKeys),
    ...overrides,
  });
  const close = async () => {
    await connection.close();
    await sql.end({ timeout: 5 });
  };
  return { worker, manifest, taskQueue, close };
}
