// A secret canary of the publisher never reaches the installer, and the installer's never
// reaches the publisher: acme (publisher) stores a canary and runs its own public template
// with it; globex installs that template binding a canary of its own and runs the instance.
// Then, for each tenant, everything the other could get at is searched for the other's
// canary (raw, base64, hex): every Temporal history of this file's lifecycles, listed by
// their TenantId search attribute and decoded with the codec; every API answer the other
// tenant gets about templates, installs, instances, runs, catalog and search; the worker's
// debug logs (the real worker entry point, in a child process); every search document in
// Typesense (read with the admin key). Each canary reaches its own endpoint, and only it.
// A database of this file's own: globex gets an egress allow-list that reaches the fixture.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { EncryptionCodec } from '../../platform/codec.ts';
import { secretRef } from '../../platform/secrets.ts';
import { startFixture, type Fixture } from '../adapters/support/fixture-server.ts';
import { decodedPayloadText } from '../support/decoded-history.ts';
import { startWorkerProcess } from '../support/worker-process.ts';
import { openStack, prepareDatabase, type DemoUser, type Stack } from '../support/stack.ts';
import { startRun, step, waitForRun, type RunView } from '../engine/support.ts';
import { call, install, publishTemplate, templateSpec } from '../marketplace/support.ts';

let s: Stack;
let worker: ChildProcess | undefined;
let workerOutput = '';
/** one endpoint per tenant, so that where each canary went can be told apart */
const fx: Record<'acme' | 'globex', Fixture> = {} as Record<'acme' | 'globex', Fixture>;

const sfx = randomUUID().slice(0, 8);
/** the spec's secret; acme's own secret has this name (a direct run resolves it by name), globex binds another */
const specSecret = `canary_${sfx}`;
const globexSecret = `globex_canary_${sfx}`;
const canary = { acme: `ACME-CANARY-${randomUUID()}`, globex: `GLOBEX-CANARY-${randomUUID()}` };
const ref = { acme: secretRef('acme', specSecret), globex: secretRef('globex', globexSecret) };
const forms = (value: string) => [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')];
const other = { acme: 'globex', globex: 'acme' } as const;
type Tenant = keyof typeof canary;

let templateId = '';
let instanceId = '';
/** per tenant: a run that completes, and one whose endpoint answers 400 quoting the Authorization header it got */
const runs = {} as Record<Tenant, RunView>;
const failedRuns = {} as Record<Tenant, RunView>;
const QUOTING = '/status/400?echoAuth';

/** A global template that sends its secret as bearer token to its endpoint, which echoes the request back. */
const canarySpec = () =>
  templateSpec({
    parameters: { type: 'object', required: ['endpoint'], properties: { endpoint: { type: 'string', format: 'uri' } } },
    secrets: [{ name: specSecret, description: 'token of the endpoint' }],
    steps: [{ id: 'call', task: 'http.request@1.0.0', with: { url: '${{ params.endpoint }}', method: 'POST', authToken: `\${{ secrets.${specSecret} }}`, body: { purpose: 'canary' } } }],
  });

beforeAll(async () => {
  s = await openStack({ worker: false, databaseUrl: await prepareDatabase(`canary_${sfx}`) });
  fx.acme = await startFixture('127.0.0.1');
  fx.globex = await startFixture('127.0.0.1');
  await s.sql`update tenant_setting set egress_allow = ${['*.example.internal', '127.0.0.1']}::text[], egress_ports = ${['443', String(fx.globex.port)]}::text[]
              where tenant_id = 'globex'`;
  // the real worker entry point, logging at debug: its whole output is searched below
  worker = await startWorkerProcess(s, [], { logLevel: 'debug', onOutput: (chunk) => (workerOutput += chunk) });

  expect((await call(s, 'pat', 'PUT', `/secrets/${specSecret}`, { value: canary.acme })).status).toBe(204);
  expect((await call(s, 'gus', 'PUT', `/secrets/${globexSecret}`, { value: canary.globex })).status).toBe(204);
  templateId = await publishTemplate(s, canarySpec(), { visibility: 'public-ecosystem', offer: { summary: 'Calls your endpoint with your token', environments: ['dev', 'staging', 'prod'] } });

  // the publisher runs its own template directly, with its own secret
  const direct = async (endpoint: string) => {
    const started = await startRun(s, 'alice', templateId, { params: { endpoint } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return waitForRun(s, 'alice', started.body.runId, undefined, 60_000);
  };
  runs.acme = await direct(`${fx.acme.url}/echo`);
  failedRuns.acme = await direct(`${fx.acme.url}${QUOTING}`);

  // the installer binds its own secret, and runs its instances (an endpoint is bound at install)
  const fromInstance = async (environment: string, endpoint: string) => {
    const id = await install(s, 'gus', { templateId, environment, parameters: { endpoint }, secrets: { [specSecret]: globexSecret } });
    const started = await call<{ runId: string }>(s, 'carol', 'POST', `/instances/${id}/runs`, { params: {} });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return { id, run: await waitForRun(s, 'carol', started.body.runId, undefined, 60_000) };
  };
  const dev = await fromInstance('dev', `${fx.globex.url}/echo`);
  instanceId = dev.id;
  runs.globex = dev.run;
  failedRuns.globex = (await fromInstance('staging', `${fx.globex.url}${QUOTING}`)).run;
}, 240_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await fx.acme?.close();
  await fx.globex?.close();
  await s?.close();
});

describe("the publisher's and the installer's canaries", () => {
  it('each reaches its own endpoint, and only it', () => {
    for (const tenant of ['acme', 'globex'] as const) {
      const r = runs[tenant];
      expect(r.status, `${tenant}: ${JSON.stringify(r.error)}`).toBe('completed');
      expect(step(r, 'call').output).toMatchObject({ status: 200, body: { headers: { authorization: 'Bearer [redacted]' }, body: { purpose: 'canary' } } });
      // the endpoint quoted the value back in its error: the run failed with it scrubbed
      const failed = failedRuns[tenant];
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatchObject({ code: 'HTTP_CLIENT_ERROR', stepId: 'call' });
      expect(failed.error!.message).toContain('Bearer [redacted]');
      // the value itself went to this tenant's endpoint, once per run
      expect(fx[tenant].requests.map((q) => [q.headers['idempotency-key'], q.headers.authorization])).toEqual([
        [`${r.workflowId}/call`, `Bearer ${canary[tenant]}`],
        [`${failed.workflowId}/call`, `Bearer ${canary[tenant]}`],
      ]);
      const seen = JSON.stringify(fx[tenant].requests);
      for (const needle of forms(canary[other[tenant]])) expect(seen, `${other[tenant]}'s canary at ${tenant}'s endpoint`).not.toContain(needle);
    }
    expect(runs.acme.tenantId).toBe('acme');
    expect(runs.globex.tenantId).toBe('globex');
  });

  it("no Temporal history of either tenant's lifecycles holds a canary; each holds its own reference", async () => {
    const codec = EncryptionCodec.fromSpec(s.env.codecKeys);
    const queue = s.config.TEMPORAL_TASK_QUEUE;
    const expected: Record<Tenant, string[]> = {
      acme: [`publish/${templateId}/1.0.0`, runs.acme.workflowId, failedRuns.acme.workflowId],
      globex: [`install/${instanceId}`, runs.globex.workflowId, failedRuns.globex.workflowId],
    };
    const listed = async (tenant: Tenant) => {
      const ids: string[] = [];
      for await (const wf of s.client.workflow.list({ query: `TenantId = '${tenant}' AND TaskQueue = '${queue}'` })) ids.push(wf.workflowId);
      return ids;
    };
    for (const tenant of ['acme', 'globex'] as const) {
      // visibility is eventually consistent: wait until the lifecycles we know of are listed
      await expect.poll(() => listed(tenant), { timeout: 30_000 }).toEqual(expect.arrayContaining(expected[tenant]));
      const ids = await listed(tenant);
      const decodedByWorkflow = new Map<string, string>();
      for (const id of ids) {
        const raw = historyToJSON(await s.client.workflow.getHandle(id).fetchHistory());
        const decoded = await decodedPayloadText(raw, codec);
        decodedByWorkflow.set(id, decoded);
        // neither canary, in any form, encrypted or decoded: the other's above all, and not even its own
        for (const t of ['acme', 'globex'] as const) {
          for (const needle of forms(canary[t])) {
            expect(raw, `${t}'s canary in ${tenant}'s ${id} (raw)`).not.toContain(needle);
            expect(decoded, `${t}'s canary in ${tenant}'s ${id} (decoded)`).not.toContain(needle);
          }
        }
        // nor a reference to the other tenant's secret
        expect(decoded, `${tenant}'s ${id}`).not.toContain(ref[other[tenant]]);
      }
      // the check can fail: decoded, the runs' histories do hold the reference of their own tenant
      for (const r of [runs[tenant], failedRuns[tenant]]) {
        expect(decodedByWorkflow.get(r.workflowId)).toContain(ref[tenant]);
        expect(decodedByWorkflow.get(r.workflowId)).toContain('Bearer [redacted]');
      }
    }
    // the install's history names the installer's own secret (as a binding), never the publisher's
    const installHistory = await decodedPayloadText(historyToJSON(await s.client.workflow.getHandle(`install/${instanceId}`).fetchHistory()), codec);
    expect(installHistory).toContain(globexSecret);

    // and the server's database file holds no canary either
    const dbFiles = [s.env.temporalDbFile, `${s.env.temporalDbFile}-wal`].filter((f) => existsSync(f));
    expect(dbFiles).toContain(s.env.temporalDbFile);
    for (const f of dbFiles) {
      const bytes = readFileSync(f);
      for (const value of Object.values(canary)) for (const needle of forms(value)) expect(bytes.includes(Buffer.from(needle)), `${needle} in ${f}`).toBe(false);
    }
  });

  it('no API answer either tenant can get about templates, installs, instances, runs, catalog or search holds the other\'s canary', async () => {
    const q = encodeURIComponent(canarySpec().metadata.description.split(' ').slice(0, 3).join(' '));
    const shared = [
      '/templates?view=marketplace',
      '/templates?view=mine',
      `/templates/${templateId}`,
      `/templates/${templateId}/usage`,
      `/templates/${templateId}/audience`,
      `/catalog?q=${q}`,
      '/catalog',
      `/catalog/${templateId}`,
      `/definitions/${templateId}`,
      `/definitions/${templateId}/versions/1.0.0`,
      `/definitions/${templateId}/readiness`,
      `/definitions/${templateId}/publish-requests/1.0.0`,
      '/installs',
      `/installs/${instanceId}`,
      '/instances',
      `/instances/${instanceId}`,
      '/runs',
      `/runs/${runs.acme.runId}`,
      `/runs/${runs.acme.runId}/events`,
      `/runs/${runs.globex.runId}`,
      `/runs/${runs.globex.runId}/events`,
      `/runs/${failedRuns.acme.runId}`,
      `/runs/${failedRuns.globex.runId}`,
      '/secrets',
      '/approvals/pending',
    ];
    const users: Record<Tenant, DemoUser[]> = { acme: ['alice', 'pat', 'tina', 'cora'], globex: ['carol', 'gus', 'dave'] };
    const answers: Record<Tenant, string> = { acme: '', globex: '' };
    for (const tenant of ['acme', 'globex'] as const) {
      for (const user of users[tenant]) {
        for (const path of shared) {
          const res = await s.request('GET', `/api${path}`, { user });
          const text = await res.text();
          answers[tenant] += `\n${path} ${res.status} ${text}`;
          for (const t of ['acme', 'globex'] as const) for (const needle of forms(canary[t])) expect(text, `${user} ${path}: ${t}'s canary`).not.toContain(needle);
          expect(text, `${user} ${path}`).not.toContain(ref[other[tenant]]);
        }
      }
    }
    // the check can fail: each tenant was answered about its own run and secret, with references and redactions
    expect(answers.acme).toContain(runs.acme.runId);
    expect(answers.acme).toContain(ref.acme);
    expect(answers.globex).toContain(runs.globex.runId);
    expect(answers.globex).toContain(ref.globex);
    expect(answers.globex).toContain('Bearer [redacted]');
    expect(answers.globex).toContain(failedRuns.globex.runId);
    expect(answers.globex).toContain(templateId);
  });

  it('no search document holds a canary', async () => {
    const exported = await s.typesense.collections(s.config.TYPESENSE_COLLECTION).documents().export();
    // the check can fail: the template's document is there
    expect(exported).toContain(`"id":"${templateId}"`);
    for (const value of Object.values(canary)) for (const needle of forms(value)) expect(exported).not.toContain(needle);
    for (const r of Object.values(ref)) expect(exported).not.toContain(r);
  });

  it("never reaches the worker's logs (debug level), which did log both tenants' lifecycles", async () => {
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
    worker!.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(code).not.toBe('timeout');
    expect(workerOutput).toContain('"worker started"');
    expect(workerOutput).toContain('"worker stopped"');
    // the check can fail: the failed activities were logged, with their (scrubbed) messages
    expect(workerOutput).toContain('Activity failed');
    expect(workerOutput).toContain('Bearer [redacted]');
    for (const r of Object.values(failedRuns)) expect(workerOutput).toContain(r.workflowId);
    for (const value of Object.values(canary)) for (const needle of forms(value)) expect(workerOutput).not.toContain(needle);
  });
});
