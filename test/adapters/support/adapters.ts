import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import type { AdapterContext } from '../../../domain/adapter-io.ts';
import { createSql } from '../../../platform/db.ts';
import { loadPolicyEngine } from '../../../platform/opa.ts';
import { createSecretStore } from '../../../platform/secrets.ts';
import { createAdapterActivities } from '../../../activities/adapters/index.ts';
import { ExpressionSandbox } from '../../../platform/expression-sandbox.ts';
import { stackEnv } from '../../support/stack-env.ts';

/** A context as the run engine builds it: the idempotency key is `<workflow id>/<step id>`. */
export function adapterContext(tenantId = 'acme', stepId = 'call'): AdapterContext {
  const workflowId = `run/test/${randomUUID()}`;
  return { tenantId, workflowId, runId: randomUUID(), stepId, idempotencyKey: `${workflowId}/${stepId}` };
}

// expected failures are asserted, not logged
const quiet = new DefaultLogger('ERROR');

/** The built-in adapter activities on the real Postgres and policy bundle, called in a mock activity context. */
export async function openAdapters() {
  const env = stackEnv();
  const sql = createSql(env.databaseUrl, { max: 3 });
  const policy = await loadPolicyEngine('.build/policies');
  const secrets = createSecretStore(sql, env.secretsKey);
  const sandbox = new ExpressionSandbox({ size: 1 });
  const activities = createAdapterActivities({ sql, policy, secrets, sandbox });
  const run = (ref: string, inputs: Record<string, unknown>, context: AdapterContext = adapterContext()) =>
    new MockActivityEnvironment({ activityType: ref }, { logger: quiet }).run(activities[ref]!, { inputs, context });
  return { env, sql, policy, secrets, activities, run, close: async () => {
      await sandbox.close();
      await sql.end({ timeout: 5 });
    },
  };
}

/** The ApplicationFailure an activity call rejected with. */
export async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
