import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { EncryptionCodec } from '../../platform/codec.ts';
import { startFixture, type Fixture } from '../adapters/support/fixture-server.ts';
import { decodedPayloadText } from '../support/decoded-history.ts';
import { startWorkerProcess } from '../support/worker-process.ts';
import { openStack, type Stack } from '../support/stack.ts';
import { engineSpec, publishSpec, startRun, step, waitForRun, type RunView } from '../engine/support.ts';

// A secret value used by a run — a random canary stored through the API — reaches the
// endpoint it is meant for and nothing else: not the Temporal history (raw or decoded), not
// the server's database file, not any API answer about the run, not the step output, not
// the worker's logs. The runs are executed by the real worker entry point in a child process
// (debug logging), so its whole output can be searched.

let s: Stack;
let fx: Fixture;
let worker: ChildProcess | undefined;
let workerOutput = '';

const canary = `CANARY-${randomUUID()}`;
let secretName: string;
let ref: string;

beforeAll(async () => {
  s = await openStack({ worker: false });
  fx = await startFixture('127.0.0.1');
  worker = await startWorkerProcess(s, [], { logLevel: 'debug', onOutput: (chunk) => (workerOutput += chunk) });
  secretName = `canary_${s.suffix}`; // "_": a "-" would read as a minus in the ${{ }} expression
  ref = `secret://acme/${secretName}`;
  const put = await s.request('PUT', `/api/secrets/${secretName}`, { user: 'pat', body: JSON.stringify({ value: canary }) });
  expect(put.status).toBe(204);
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await fx?.close();
  await s?.close();
});

/** One http.request step that sends the canary as its bearer token to `path` on the fixture. */
const canarySpec = (path: string) =>
  engineSpec({
    secrets: [{ name: secretName }],
    steps: [
      {
        id: 'call',
        task: 'http.request@1.0.0',
        with: { url: `${fx.url}${path}`, method: 'POST', authToken: `\${{ secrets.${secretName} }}`, body: { purpose: 'canary' } },
      },
    ],
  });

const canaryBytes = () => [canary, Buffer.from(canary).toString('base64'), Buffer.from(canary).toString('hex')];
const authSeenBy = (r: RunView) => fx.requests.filter((q) => q.headers['idempotency-key'] === `${r.workflowId}/call`).map((q) => q.headers.authorization);

async function expectNotInTemporal(r: RunView) {
  const raw = historyToJSON(await s.client.workflow.getHandle(r.workflowId).fetchHistory());
  for (const needle of canaryBytes()) expect(raw).not.toContain(needle);
  // the check can fail: decrypted, the history does hold the reference (but still not the value)
  const decoded = await decodedPayloadText(raw, EncryptionCodec.fromSpec(s.env.codecKeys));
  expect(decoded).toContain(ref);
  expect(decoded).toContain(r.runId);
  expect(decoded).not.toContain(canary);

  const dbFiles = [s.env.temporalDbFile, `${s.env.temporalDbFile}-wal`].filter((f) => existsSync(f));
  expect(dbFiles).toContain(s.env.temporalDbFile);
  for (const f of dbFiles) {
    const bytes = readFileSync(f);
    for (const needle of canaryBytes()) expect(bytes.includes(Buffer.from(needle)), `${needle} in ${f}`).toBe(false);
  }
}

async function apiText(path: string) {
  const res = await s.request('GET', path, { user: 'alice' });
  expect(res.status, path).toBe(200);
  return res.text();
}

describe('a secret used by a run', () => {
  let okRun: RunView;
  let failedRun: RunView;

  it('reaches the endpoint as a bearer token and appears nowhere else', async () => {
    const id = await publishSpec(s, canarySpec('/echo'));
    const { body } = await startRun(s, 'alice', id);
    okRun = await waitForRun(s, 'alice', body.runId);
    expect(okRun.status, JSON.stringify(okRun.error)).toBe('completed');

    // the endpoint got the value itself
    expect(authSeenBy(okRun)).toEqual([`Bearer ${canary}`]);
    // it echoed it back, but the step output only shows it redacted
    const output = step(okRun, 'call').output as { status: number; body: { headers: Record<string, string>; body: unknown } };
    expect(output.status).toBe(200);
    expect(output.body.headers.authorization).toBe('Bearer [redacted]');
    expect(output.body.headers['idempotency-key']).toBe(`${okRun.workflowId}/call`);
    expect(output.body.body).toEqual({ purpose: 'canary' });

    await expectNotInTemporal(okRun);

    // every API answer about the run
    const answers = {
      run: await apiText(`/api/runs/${okRun.runId}`),
      list: await apiText(`/api/runs?definitionId=${id}&limit=5`),
      definition: await apiText(`/api/definitions/${id}/versions/1.0.0`),
      secrets: await apiText('/api/secrets'),
      events: await apiText(`/api/runs/${okRun.runId}/events`),
    };
    expect(answers.run).toContain('Bearer [redacted]');
    expect(answers.events).toContain('event: state');
    expect(answers.events).toContain('Bearer [redacted]');
    expect(answers.list).toContain(okRun.runId);
    expect(answers.secrets).toContain(ref);
    for (const [what, text] of Object.entries(answers)) for (const needle of canaryBytes()) expect(text, `${needle} in ${what}`).not.toContain(needle);

    // nor the run's row in Postgres
    const [row] = await s.sql<{ t: string }[]>`select to_jsonb(r)::text as t from run r where id = ${okRun.runId}`;
    expect(row!.t).toContain(okRun.runId);
    expect(row!.t).not.toContain(canary);
  });

  it('a failure message that quotes the value is scrubbed before it is recorded', async () => {
    // the endpoint answers 400 with the Authorization header it received in its body
    const id = await publishSpec(s, canarySpec('/status/400?echoAuth'));
    const { body } = await startRun(s, 'alice', id);
    failedRun = await waitForRun(s, 'alice', body.runId);
    expect(failedRun.status).toBe('failed');
    expect(authSeenBy(failedRun)).toEqual([`Bearer ${canary}`]);
    expect(failedRun.error).toMatchObject({ code: 'HTTP_CLIENT_ERROR', stepId: 'call' });
    expect(failedRun.error!.message).toContain('answered 400');
    expect(failedRun.error!.message).toContain('Bearer [redacted]');
    expect(JSON.stringify(failedRun)).not.toContain(canary);

    await expectNotInTemporal(failedRun);
    const decoded = await decodedPayloadText(historyToJSON(await s.client.workflow.getHandle(failedRun.workflowId).fetchHistory()), EncryptionCodec.fromSpec(s.env.codecKeys));
    expect(decoded).toContain('Bearer [redacted]');
    for (const path of [`/api/runs/${failedRun.runId}`, `/api/runs/${failedRun.runId}/events`]) expect(await apiText(path)).not.toContain(canary);
  });

  it('never reaches the worker logs (debug level), which did log the runs', async () => {
    expect(okRun?.status).toBe('completed');
    expect(failedRun?.status).toBe('failed');
    // a graceful stop flushes whatever the worker still had to say
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
    worker!.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(code).not.toBe('timeout');

    expect(workerOutput).toContain('"worker started"');
    expect(workerOutput).toContain('"worker stopped"');
    // the check can fail: the failed activity was logged, with its (scrubbed) message
    expect(workerOutput).toContain('Activity failed');
    expect(workerOutput).toContain(failedRun.workflowId);
    expect(workerOutput).toContain('Bearer [redacted]');
    for (const needle of canaryBytes()) expect(workerOutput).not.toContain(needle);
  });
});
