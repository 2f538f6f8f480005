// The certification's expiry, on the time-skipping test server: the certify workflow sleeps
// until expires_at (180 days by default) and then marks the certification overdue, which
// flips the catalog's badge to "review overdue" and warns installs. The version is prepared
// (published, reviewed, signed) on the dev-server stack; the certify lifecycle then runs on
// the time-skipping server against the same database, with the real activities.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { openStack, type Stack } from '../support/stack.ts';
import { call, publishTemplate } from '../marketplace/support.ts';
import { createActivities } from '../../activities/index.ts';
import { WORKFLOWS_PATH } from '../../workers/core-worker.ts';
import { loadPolicyEngine } from '../../platform/opa.ts';
import { createKeyRing } from '../../platform/signing.ts';
import { ExpressionSandbox } from '../../platform/expression-sandbox.ts';
import { certifyWorkflowId, ttlMs, type CertifyInput, type CertifyResult } from '../../domain/certification.ts';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import type { Actor } from '../../domain/actor.ts';
import type { CatalogTrust } from '../../domain/catalog.ts';
import { CERTIFY_WORKFLOW_TYPE } from '../../workflows/contracts/index.ts';
import { documentedSpec } from './support.ts';

let s: Stack;
let env: TestWorkflowEnvironment;
let sandbox: ExpressionSandbox;
beforeAll(async () => {
  s = await openStack();
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('maestroStack').temporalTestServerPath } } });
  sandbox = new ExpressionSandbox();
});
afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
  await s?.close();
});

const cid = DEMO_USERS.find((u) => u.sub === 'cid')! as Actor;

it('a certification expires after CERTIFICATION_TTL: overdue, "review overdue" in the catalog and on installs', async () => {
  const id = await publishTemplate(s, documentedSpec());
  const taskQueue = `certify-expiry-${s.suffix}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({
      sql: s.sql,
      typesense: s.typesense,
      collection: s.config.TYPESENSE_COLLECTION,
      policy: await loadPolicyEngine(s.config.POLICY_DIR),
      keyRing: createKeyRing(s.sql, s.env.secretsKey),
      defaultQueue: taskQueue,
      sandbox,
    }),
  });
  const input: CertifyInput = { definitionId: id, version: '1.0.0', attempt: 1, requestedBy: cid, rationale: 'Yearly marketplace certification.', ttlMs: ttlMs('180d') };
  const workflowId = certifyWorkflowId(id, '1.0.0', 1);

  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<(i: CertifyInput) => Promise<CertifyResult>>(CERTIFY_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
    // certified first, while the timer waits
    const certifiedAt = Date.now();
    for (;;) {
      const [row] = await s.sql<{ status: string }[]>`select status from certification where workflow_id = ${workflowId}`;
      if (row?.status === 'certified') break;
      if (Date.now() - certifiedAt > 60_000) throw new Error(`not certified: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = await call<{ trust: CatalogTrust }>(s, 'gus', 'GET', `/catalog/${id}`);
    expect(before.body.trust.certification).toMatchObject({ status: 'certified', overdue: false });
    expect(before.body.trust.badges).toContain('certified');
    // the result waits on the timer: the test server skips the 180 days
    return handle.result();
  });

  expect(result.status).toBe('overdue');
  const [row] = await s.sql<{ status: string; overdue_at: Date | null; expires_at: Date }[]>`select status, overdue_at, expires_at from certification where workflow_id = ${workflowId}`;
  expect(row!.status).toBe('overdue');
  expect(row!.overdue_at).not.toBeNull();
  const [t] = await s.sql<{ certification_state: string }[]>`select certification_state from workflow_template where id = ${id}`;
  expect(t!.certification_state).toBe('stale');

  // the catalog detail: the badge flips, the warning appears
  const after = await call<{ trust: CatalogTrust }>(s, 'gus', 'GET', `/catalog/${id}`);
  expect(after.body.trust.certification).toMatchObject({ status: 'overdue', overdue: true });
  expect(after.body.trust.badges).toContain('review overdue');
  expect(after.body.trust.badges).not.toContain('certified');
  expect(after.body.trust.warnings).toContain('review overdue: the certification expired and awaits recertification');
  // the search document was rebuilt: the reviewOverdue facet finds it
  const search = await call<{ items: { id: string }[] }>(s, 'gus', 'GET', `/catalog?q=${encodeURIComponent(id.split('.')[1]!)}&reviewOverdue=true`);
  expect(search.body.items.map((i) => i.id)).toContain(id);
  // an install is warned
  const check = await call<{ trust: { warnings: string[] } }>(s, 'gus', 'POST', `/templates/${id}/install-check`, { environment: 'dev' });
  expect(check.body.trust.warnings).toEqual([`review overdue: the certification of ${id}@1.0.0 expired and awaits recertification`]);
});
