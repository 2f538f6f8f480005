// Escalation and expiry of a marketplace review on the Java time-skipping test server: a
// worker with the real activities (real Postgres, OPA, Typesense) runs the review lifecycle
// there, and the test skips the 72 h / 168 h deadlines instead of waiting for them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createCoreWorker } from '../../workers/core-worker.ts';
import { createDataConverter } from '../../platform/temporal.ts';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import { reviewWorkflowIds, type ReviewInput, type ReviewResult } from '../../domain/review.ts';
import type { Actor } from '../../domain/actor.ts';
import { REVIEW_KINDS } from '../../domain/trust.ts';
import { REVIEW_WORKFLOW_TYPE, decideReviewUpdate, reviewKindStateQuery } from '../../workflows/contracts/review.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
let env: TestWorkflowEnvironment;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let closeWorker: () => Promise<void>;
const taskQueue = `review-timers-${randomUUID().slice(0, 8)}`;
const HOUR = 3_600_000;

const user = (sub: string): Actor => DEMO_USERS.find((u) => u.sub === sub)!;

beforeAll(async () => {
  // the stack (its worker on the dev server) publishes the versions; the reviews run on the test server
  s = await openStack();
  const path = process.env.MAESTRO_TEST_TEMPORAL_TEST_SERVER;
  if (!path) throw new Error('MAESTRO_TEST_TEMPORAL_TEST_SERVER is not set: run with the global setup');
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  const w = await createCoreWorker(
    { ...s.config, TEMPORAL_TASK_QUEUE: taskQueue },
    { codecKeys: s.config.CODEC_KEYS!, typesenseApiKey: s.env.typesenseApiKey, databaseUrl: s.env.databaseUrl, secretsKey: s.config.SECRETS_KEY! },
    { connection: env.nativeConnection, taskQueue, namespace: env.namespace ?? 'default' },
  );
  worker = w.worker;
  closeWorker = w.close;
  running = worker.run();
  client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: createDataConverter(s.config.CODEC_KEYS!) });
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await closeWorker?.();
  await env?.teardown();
  await s?.close();
}, 60_000);

/** A published internal-only version of acme's (pat's), ready to be reviewed. */
async function publishedVersion(risk = 'medium'): Promise<string> {
  const spec = testSpec({ scope: 'tenant-local', risk, extra: { parameters: { type: 'object', properties: { email: { type: 'string', title: 'Email' } } } } });
  const pat = s.as('pat');
  const { body } = await pat.createDraft(spec);
  await pat.requestPublish(body.definitionId, '1.0.0');
  const first = await pat.waitForPublish(body.definitionId, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid']);
  if (first === 'awaiting_approval') await s.as('bob').decide(body.definitionId, '1.0.0', 'approve', 'Fixture approval.');
  expect(await pat.waitForPublish(body.definitionId, '1.0.0', ['published', 'rejected', 'denied', 'invalid'])).toBe('published');
  return body.definitionId;
}

async function startReview(definitionId: string) {
  const input: ReviewInput = {
    definitionId,
    version: '1.0.0',
    requestedVisibility: 'public-ecosystem',
    requestedBy: user('pat'),
    attempt: 1,
    escalateAfterMs: 72 * HOUR,
    expireAfterMs: 168 * HOUR,
    perfRuns: 0,
  };
  const workflowId = reviewWorkflowIds.request(definitionId, '1.0.0', 1);
  const handle = await client.workflow.start<(i: ReviewInput) => Promise<ReviewResult>>(REVIEW_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] });
  return { handle, workflowId };
}

/** Waits (in real time, without skipping) until every kind's evidence is gathered. */
async function untilStatus(requestId: string, statuses: string[]) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await s.sql<{ kind: string; status: string }[]>`select kind, status from review where request_id = ${requestId}`;
    if (rows.length === 3 && rows.every((r) => statuses.includes(r.status))) return rows;
    if (Date.now() > deadline) throw new Error(`reviews of ${requestId}: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const decide = (requestId: string, kind: string, reviewer: string, decision: 'approve' | 'reject' = 'approve') =>
  client.workflow.getHandle(reviewWorkflowIds.kind(requestId, kind as never)).executeUpdate(decideReviewUpdate, { args: [{ reviewer: user(reviewer), decision, rationale: `${kind}: decided by ${reviewer}.` }] });

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
  let c: unknown = e;
  while (c && !(c as { type?: string }).type) c = (c as { cause?: unknown }).cause;
  return (c as { type?: string } | undefined)?.type;
};

describe('review deadlines (time-skipping)', () => {
  it('escalates an undecided review to the escalation group after REVIEW_ESCALATE_AFTER', async () => {
    const id = await publishedVersion();
    const { handle, workflowId } = await startReview(id);
    await untilStatus(workflowId, ['open']);
    // before the deadline the escalation group (platform-admin) may not decide
    expect(await refusal(decide(workflowId, 'security', 'root'))).toBe('NOT_ELIGIBLE_REVIEWER');

    await env.sleep(73 * HOUR);
    const rows = await untilStatus(workflowId, ['escalated']);
    expect(rows).toHaveLength(3);
    const state = await client.workflow.getHandle(reviewWorkflowIds.kind(workflowId, 'security')).query(reviewKindStateQuery);
    expect(state.group).toBe('escalation');
    expect(state.escalatedAt).toBeDefined();

    // now root may: recorded as an escalation-group decision; the others decide as usual
    const byRoot = await decide(workflowId, 'security', 'root');
    expect(byRoot.group).toBe('escalation');
    await decide(workflowId, 'performance', 'perry');
    await decide(workflowId, 'docs', 'dora');
    const result = await handle.result();
    expect(result.status).toBe('passed');
    const [v] = await s.sql<{ review_state: string; visibility: string }[]>`select review_state, visibility from workflow_version where definition_id = ${id}`;
    expect(v).toEqual({ review_state: 'passed', visibility: 'public-ecosystem' });
  }, 180_000);

  it('expires a review nobody decided after REVIEW_EXPIRE_AFTER: the request ends expired, the version stays internal', async () => {
    const id = await publishedVersion();
    const { handle, workflowId } = await startReview(id);
    await untilStatus(workflowId, ['open']);
    // one kind decided in time does not save the others
    await decide(workflowId, 'docs', 'dora');
    // past both deadlines (this client does not skip time while it waits for a result: skip it here)
    await env.sleep(73 * HOUR);
    await untilStatus(workflowId, ['escalated', 'passed']);
    await env.sleep(96 * HOUR);
    const result = await handle.result();
    expect(result.status).toBe('expired');
    expect(result.reviews.map((r) => [r.kind, r.status])).toEqual([['security', 'expired'], ['performance', 'expired'], ['docs', 'passed']]);
    const [req] = await s.sql<{ status: string; outcome_reason: string }[]>`select status, outcome_reason from review_request where workflow_id = ${workflowId}`;
    expect(req).toEqual({ status: 'expired', outcome_reason: 'not decided in time: security, performance' });
    const [v] = await s.sql<{ review_state: string; visibility: string }[]>`select review_state, visibility from workflow_version where definition_id = ${id}`;
    expect(v).toEqual({ review_state: 'expired', visibility: 'internal-only' });
    const closed = await s.sql<{ status: string }[]>`select status from review where request_id = ${workflowId} order by kind`;
    expect(closed.map((r) => r.status).sort()).toEqual(['expired', 'expired', 'passed']);
    expect(REVIEW_KINDS).toHaveLength(3);
  }, 180_000);

  it('a reject fails the kind, closes the others and fails the request', async () => {
    const id = await publishedVersion();
    const { handle, workflowId } = await startReview(id);
    await untilStatus(workflowId, ['open']);
    await decide(workflowId, 'security', 'sam', 'reject');
    const result = await handle.result();
    expect(result.status).toBe('failed');
    expect(result.reviews.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    const [v] = await s.sql<{ review_state: string; visibility: string }[]>`select review_state, visibility from workflow_version where definition_id = ${id}`;
    expect(v).toEqual({ review_state: 'failed', visibility: 'internal-only' });
  }, 180_000);
});
