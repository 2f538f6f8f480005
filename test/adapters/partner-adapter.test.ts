import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataConverter } from '../../platform/temporal.ts';
import { checkManifest } from '../../platform/registry.ts';
import { parseSource } from '../../domain/spec-source.ts';
import { createPartnerWorker } from '../../examples/partner-adapter/worker.ts';
import { MANIFEST_FILE } from '../../examples/partner-adapter/activity.ts';
import { stackEnv } from '../support/stack-env.ts';
import { openStack } from '../support/stack.ts';
import { startFixture, type Fixture } from './support/fixture-server.ts';

const REF = 'acme-hris.create-employee@1.0.0';
const env = stackEnv();
let fx: Fixture;
let connection: Connection;
let client: Client;
let workflowConnection: NativeConnection;

beforeAll(async () => {
  fx = await startFixture();
  connection = await Connection.connect({ address: env.temporalAddress });
  client = new Client({ connection, namespace: 'default', dataConverter: createDataConverter(env.codecKeys) });
  workflowConnection = await NativeConnection.connect({ address: env.temporalAddress });
});
afterAll(async () => {
  await workflowConnection?.close();
  await connection?.close();
  await fx?.close();
});

/** Runs the partner worker (its own queue, unique per test) and a one-step workflow that calls it. */
async function runThroughTemporal(tenantId: string, inputs: Record<string, unknown>) {
  const suffix = randomUUID().slice(0, 8);
  const partner = await createPartnerWorker({
    temporalAddress: env.temporalAddress,
    namespace: 'default',
    codecKeys: env.codecKeys,
    databaseUrl: env.databaseUrl,
    policyDir: '.build/policies',
    taskQueue: `partner-acme-hris-${suffix}`,
  });
  const engine = await Worker.create({
    connection: workflowConnection,
    taskQueue: `test-engine-${suffix}`,
    workflowsPath: fileURLToPath(new URL('./workflows/call-task.ts', import.meta.url)),
    dataConverter: createDataConverter(env.codecKeys),
  });
  const workflowId = `run/partner-test/${suffix}`;
  try {
    const result = partner.worker.runUntil(
      engine.runUntil(
        client.workflow.execute('callTaskWorkflow', {
          taskQueue: `test-engine-${suffix}`,
          workflowId,
          args: [{ taskRef: REF, taskQueue: partner.taskQueue, tenantId, stepId: 'create-employee', inputs }],
        }),
      ),
    );
    return { workflowId, result: await result.then((value) => ({ value }), (error: unknown) => ({ error })) };
  } finally {
    await partner.close();
  }
}

describe('partner adapter (examples/partner-adapter) on its own worker and task queue', () => {
  it('its manifest is a valid adapter manifest on its own queue', () => {
    const parsed = parseSource(readFileSync(MANIFEST_FILE, 'utf8'));
    if ('error' in parsed) throw new Error(parsed.error.message);
    const m = checkManifest(parsed.doc);
    expect(m.metadata).toMatchObject({ name: 'acme-hris.create-employee', version: '1.0.0', publisher: 'Acme Partners' });
    expect(m.spec).toMatchObject({ taskQueue: 'partner-acme-hris', security: { sideEffects: 'external', idempotent: true } });
  });

  it('registers through the API as the publisher pat, idempotently, as scripts/seed.ts does', async () => {
    const s = await openStack();
    try {
      const source = readFileSync(MANIFEST_FILE, 'utf8');
      const first = await s.as('pat').call<{ ref: string; created: boolean }>('POST', '/adapters', { source });
      expect(first.body.ref).toBe(REF);
      const again = await s.as('pat').call<{ ref: string; created: boolean }>('POST', '/adapters', { source });
      expect(again).toMatchObject({ status: 200, body: { ref: REF, created: false } });
      const shown = await s.as('alice').call<{ versions: { taskQueue: string; manifest: { metadata: { publisher: string } } }[] }>('GET', '/adapters/acme-hris.create-employee');
      expect(shown.body.versions[0]).toMatchObject({ taskQueue: 'partner-acme-hris', manifest: { metadata: { publisher: 'Acme Partners' } } });
      // only publishers register adapters
      await expect(s.as('alice').call('POST', '/adapters', { source })).rejects.toMatchObject({ status: 403 });
    } finally {
      await s.close();
    }
  });

  it('creates the employee once although the first response is lost and the call is retried', async () => {
    const before = fx.applied;
    const { workflowId, result } = await runThroughTemporal('acme', {
      hrisUrl: `${fx.url}/hris-flaky`,
      email: 'ada@acme.example',
      fullName: 'Ada Lovelace',
      startDate: '2027-01-04',
    });
    expect(result).toEqual({ value: { employeeId: expect.stringMatching(/^emp-\d+$/) } });
    const key = `${workflowId}/create-employee`;
    expect(fx.callsByKey.get(key)).toBe(2); // first attempt lost its response, the retry got the same id
    expect(fx.applied - before).toBe(1);
    expect(fx.employees.get(key)?.id).toBe((result as { value: { employeeId: string } }).value.employeeId);
  });

  it('fails with EGRESS_DENIED, without retry or connection, for a tenant that may not reach the host', async () => {
    const connectionsBefore = fx.connections;
    const { workflowId, result } = await runThroughTemporal('globex', {
      hrisUrl: `${fx.url}/hris`,
      email: 'bo@globex.example',
      fullName: 'Bo Globex',
      startDate: '2027-01-04',
    });
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activity = (error as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    const failure = (activity as ActivityFailure).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'EGRESS_DENIED', nonRetryable: true });
    expect(failure.message).toContain('tenant "globex"');
    expect(fx.connections).toBe(connectionsBefore);
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const attempts = (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
    expect(attempts).toEqual([1]);
  });
});
