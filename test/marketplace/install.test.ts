import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, prepareDatabase, type Stack } from '../support/stack.ts';
import { startFixture, type Fixture } from '../adapters/support/fixture-server.ts';
import { waitForRun, waitingAt, step, type RunView } from '../engine/support.ts';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { EncryptionCodec } from '../../platform/codec.ts';
import { decodedPayloadText } from '../support/decoded-history.ts';
import { call, install, publishTemplate, requestInstall, templateSpec, waitForInstall, type User } from './support.ts';

// The install lifecycle against the real stack, in a database of its own: globex (the
// installer) is given an egress allow-list that reaches the fixture endpoint, which the
// shared database's globex must never have.

let s: Stack;
let fx: Fixture;
const publisherCanary = `ACME-CANARY-${randomUUID()}`;
const installerCanary = `GLOBEX-CANARY-${randomUUID()}`;

/** A low-risk global template that calls its endpoint with its api_token as bearer token. */
const callerSpec = (risk = 'low') =>
  templateSpec(
    {
      parameters: {
        type: 'object',
        required: ['endpoint'],
        properties: { endpoint: { type: 'string', format: 'uri' }, greeting: { type: 'string', default: 'hello' } },
      },
      secrets: [{ name: 'api_token', description: 'bearer token of the endpoint' }],
      steps: [
        // above low risk, a tenant admin approves before the call (local.approval-before-side-effects)
        ...(risk === 'low' ? [] : [{ id: 'agree', task: 'approval@1.0.0', with: { message: 'Call the endpoint?', approvers: { roles: ['tenant-admin'] } } }]),
        {
          id: 'call',
          task: 'http.request@1.0.0',
          // a high-risk template only reads (GET) before any approval: local.approval-before-side-effects
          with:
            risk === 'low'
              ? { url: '${{ params.endpoint }}', method: 'POST', authToken: '${{ secrets.api_token }}', body: { greeting: '${{ params.greeting }}' } }
              : { url: '${{ params.endpoint }}?greeting=${{ params.greeting }}', method: 'GET', authToken: '${{ secrets.api_token }}' },
        },
      ],
    },
    { risk },
  );

/** A template whose runs wait at an approval step (for quotas and in-flight runs). */
const waitingSpec = () =>
  templateSpec({
    steps: [
      { id: 'gate', task: 'approval@1.0.0', with: { message: 'Go on?', approvers: { roles: ['tenant-admin'] } } },
      { id: 'done', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } },
    ],
  });

const runInstance = (user: User, id: string, params: Record<string, unknown> = {}) =>
  call<{ runId: string; workflowId: string; status: string }>(s, user, 'POST', `/instances/${id}/runs`, { params });
const run = (runId: string, until?: (r: RunView) => boolean) => waitForRun(s, 'dave', runId, until, 60_000);

let callerTemplate: string;
let endpoint: string;

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`install_${randomUUID().slice(0, 8)}`) });
  fx = await startFixture('127.0.0.1');
  endpoint = `${fx.url}/echo`;
  await s.sql`update tenant_setting set egress_allow = ${['*.example.internal', '127.0.0.1']}::text[], egress_ports = ${['443', String(fx.port)]}::text[]
              where tenant_id = 'globex'`;
  // the publisher's secret of the same name: never used by an installer's run
  expect((await call(s, 'pat', 'PUT', '/secrets/api_token', { value: publisherCanary })).status).toBe(204);
  expect((await call(s, 'gus', 'PUT', '/secrets/partner_token', { value: installerCanary })).status).toBe(204);
  callerTemplate = await publishTemplate(s, callerSpec());
}, 180_000);

afterAll(async () => {
  await fx?.close();
  await s?.close();
});

describe('installing a public-ecosystem template', () => {
  let instanceId: string;

  it('previews the policy and the bindings without side effects', async () => {
    const preview = await call<{ allow: boolean; approvalsRequired: number; endpoints: { allowed: boolean }[]; missing: { secrets: string[] } }>(
      s,
      'gus',
      'POST',
      `/templates/${callerTemplate}/install-check`,
      { environment: 'dev', parameters: { endpoint }, secrets: { api_token: 'partner_token' } },
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ allow: true, approvalsRequired: 0, deny: [], missing: { secrets: [], parameters: [] }, problems: [] });
    expect(preview.body.endpoints).toEqual([{ parameter: 'endpoint', url: endpoint, allowed: true }]);
    expect((await s.sql`select count(*)::int as n from workflow_instance where template_id = ${callerTemplate}`)[0]!.n).toBe(0);
  });

  it('binds the installer\'s own secret: the instance runs with it, never with the publisher\'s', async () => {
    instanceId = await install(s, 'gus', { templateId: callerTemplate, environment: 'dev', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
    expect(instanceId).toMatch(new RegExp(`^globex\\.${callerTemplate.split('.')[1]}\\.dev-[0-9a-f]{6}$`));

    const inst = await call<Record<string, unknown>>(s, 'carol', 'GET', `/instances/${instanceId}`);
    expect(inst.status).toBe(200);
    expect(inst.body).toMatchObject({
      id: instanceId,
      templateId: callerTemplate,
      publisherTenant: 'acme',
      version: '1.0.0',
      environment: 'dev',
      status: 'active',
      parameters: { endpoint },
      lockedParameters: ['endpoint'],
      secretBindings: { api_token: 'secret://globex/partner_token' },
      quotaUse: { concurrentRuns: 0, runsToday: 0 },
      install: { workflowId: `install/${instanceId}`, status: 'installed' },
    });
    const [receipt] = await s.sql<{ tenant_id: string; subject: string; decisions: { bindings: { secrets: Record<string, string> } } }[]>`
      select tenant_id, subject, decisions from provenance_receipt where lifecycle = 'install' and workflow_id = ${`install/${instanceId}`}`;
    expect(receipt).toMatchObject({ tenant_id: 'globex', subject: `instance:${instanceId}`, decisions: { bindings: { secrets: { api_token: 'secret://globex/partner_token' } } } });

    // another tenant sees neither the instance nor its install
    expect((await call(s, 'pat', 'GET', `/instances/${instanceId}`)).status).toBe(404);
    expect((await call(s, 'pat', 'GET', `/installs/${instanceId}`)).status).toBe(404);

    const started = await runInstance('carol', instanceId, { greeting: 'hi from globex' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await run(started.body.runId);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(step(done, 'call').output).toMatchObject({ status: 200, body: { body: { greeting: 'hi from globex' }, headers: { authorization: 'Bearer [redacted]' } } });
    const seen = fx.requests.filter((q) => q.headers['idempotency-key'] === `${done.workflowId}/call`).map((q) => q.headers.authorization);
    expect(seen).toEqual([`Bearer ${installerCanary}`]);
    expect(JSON.stringify(fx.requests)).not.toContain(publisherCanary);
    const [row] = await s.sql`select tenant_id, instance_id, status from run where id = ${started.body.runId}`;
    expect(row).toEqual({ tenant_id: 'globex', instance_id: instanceId, status: 'completed' });

    // the install's and the run's histories hold the reference to globex's secret, never a value
    const codec = EncryptionCodec.fromSpec(s.env.codecKeys);
    for (const workflowId of [`install/${instanceId}`, done.workflowId]) {
      const decoded = await decodedPayloadText(historyToJSON(await s.client.workflow.getHandle(workflowId).fetchHistory()), codec);
      expect(decoded, workflowId).toContain(workflowId.startsWith('run/') ? 'secret://globex/partner_token' : 'partner_token');
      expect(decoded, workflowId).not.toContain('secret://acme/');
      for (const canary of [installerCanary, publisherCanary]) expect(decoded, workflowId).not.toContain(canary);
    }
    for (const path of [`/instances/${instanceId}`, `/installs/${instanceId}`, `/runs/${done.runId}`, '/instances']) {
      const text = JSON.stringify((await call(s, 'gus', 'GET', path)).body);
      for (const canary of [installerCanary, publisherCanary]) expect(text, path).not.toContain(canary);
    }
  });

  it('refuses to let a run override an endpoint (PARAMETER_LOCKED)', async () => {
    const res = await runInstance('carol', instanceId, { endpoint: 'https://evil.example.internal/' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PARAMETER_LOCKED');
    expect(res.body.details).toEqual([{ path: '/params/endpoint', message: expect.any(String) as string }]);
  });

  it('refuses a second install in the same environment; another environment is another instance', async () => {
    const again = await call(s, 'gus', 'POST', '/installs', { templateId: callerTemplate, environment: 'dev', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INSTANCE_EXISTS');
    expect(again.body.message).toContain(instanceId);

    const staging = await install(s, 'gus', { templateId: callerTemplate, environment: 'staging', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
    expect(staging).not.toBe(instanceId);
    const list = await call<{ items: { id: string; environment: string }[] }>(s, 'gus', 'GET', `/instances?templateId=${callerTemplate}`);
    expect(list.body.items.map((i) => i.environment).sort()).toEqual(['dev', 'staging']);
  });

  it('has the unique live index as the backstop when two installs race past the API', async () => {
    // a lifecycle started straight through Temporal (as a racing second request would be) for an environment taken
    const { installLifecycle } = await import('../../workflows/contracts/index.ts');
    const { lifecycleStarter } = await import('../../api/lifecycles.ts');
    const raced = `globex.${callerTemplate.split('.')[1]}.dev-abcdef`;
    const gus = { sub: 'gus', tenant: 'globex', roles: ['tenant-admin' as const] };
    await lifecycleStarter({ temporal: s.client, config: s.config }).start(installLifecycle, {
      instanceId: raced,
      templateId: callerTemplate,
      definitionId: callerTemplate,
      version: '1.0.0',
      environment: 'dev',
      parameters: { endpoint },
      secrets: { api_token: 'partner_token' },
      policies: {},
      quotas: {},
      requestedBy: gus,
    });
    const done = await waitForInstall(s, 'gus', raced);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('INSTANCE_EXISTS');
    expect((await s.sql`select count(*)::int as n from workflow_instance where id = ${raced}`)[0]!.n).toBe(0);
  });
});

describe('bindings that do not fit', () => {
  const check = (body: Record<string, unknown>) =>
    call<{ allow: boolean; problems: { path: string; code: string }[]; missing: { secrets: string[]; parameters: string[] }; endpoints: { allowed: boolean; reason?: string }[] }>(
      s,
      'gus',
      'POST',
      `/templates/${callerTemplate}/install-check`,
      { environment: 'prod', ...body },
    );

  it('names each problem with its code in the preview', async () => {
    const missing = await check({ parameters: {}, secrets: {} });
    expect(missing.body.allow).toBe(false);
    expect(missing.body.missing).toEqual({ secrets: ['api_token'], parameters: ['endpoint'] });
    expect(missing.body.problems.map((p) => p.code).sort()).toEqual(['PARAMETER_REQUIRED', 'SECRET_BINDING_MISSING']);

    const foreign = await check({ parameters: { endpoint }, secrets: { api_token: 'secret://acme/api_token' } });
    expect(foreign.body.problems).toEqual([{ path: '/secrets/api_token', code: 'SECRET_FORBIDDEN', message: expect.stringContaining('tenant "acme"') as string }]);

    const absent = await check({ parameters: { endpoint }, secrets: { api_token: 'no_such_secret' } });
    expect(absent.body.problems.map((p) => p.code)).toEqual(['SECRET_NOT_FOUND']);

    const host = await check({ parameters: { endpoint: 'https://api.partner.test/x' }, secrets: { api_token: 'partner_token' } });
    expect(host.body.problems.map((p) => p.code)).toEqual(['EGRESS_DENIED']);
    expect(host.body.endpoints[0]).toMatchObject({ allowed: false, reason: expect.stringContaining('tenant "globex"') as string });

    const port = await check({ parameters: { endpoint: 'http://127.0.0.1:1/x' }, secrets: { api_token: 'partner_token' } });
    expect(port.body.problems.map((p) => p.code)).toEqual(['EGRESS_PORT_DENIED']);

    const region = await check({ region: 'eu-west-1', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
    expect(region.body.allow).toBe(true); // a template that lists no regions runs in any
  });

  it('ends the install invalid, with the code, and creates nothing', async () => {
    const noSecret = await requestInstall(s, 'gus', { templateId: callerTemplate, environment: 'prod', parameters: { endpoint } });
    const a = await waitForInstall(s, 'gus', noSecret);
    expect(a.status).toBe('invalid');
    expect(a.error).toMatchObject({ code: 'SECRET_BINDING_MISSING', details: [{ path: '/secrets/api_token', code: 'SECRET_BINDING_MISSING' }] });

    const noParam = await requestInstall(s, 'gus', { templateId: callerTemplate, environment: 'prod', secrets: { api_token: 'partner_token' } });
    expect((await waitForInstall(s, 'gus', noParam)).error?.code).toBe('PARAMETER_REQUIRED');

    const egress = await requestInstall(s, 'gus', { templateId: callerTemplate, environment: 'prod', parameters: { endpoint: 'https://api.partner.test/' }, secrets: { api_token: 'partner_token' } });
    const c = await waitForInstall(s, 'gus', egress);
    expect(c.status).toBe('invalid');
    expect(c.error?.code).toBe('EGRESS_DENIED');

    expect((await s.sql`select count(*)::int as n from workflow_instance where template_id = ${callerTemplate} and environment = 'prod'`)[0]!.n).toBe(0);
  });

  it('refuses hostile or out-of-bounds input at the edge', async () => {
    const quota = await call(s, 'gus', 'POST', '/installs', { templateId: callerTemplate, environment: 'prod', quotas: { maxConcurrentRuns: 0 } });
    expect(quota.status).toBe(422);
    const role = await call(s, 'carol', 'POST', '/installs', { templateId: callerTemplate, environment: 'prod' });
    expect(role.status).toBe(403);
    expect(role.body.code).toBe('ROLE_REQUIRED');
    const hidden = await call(s, 'gus', 'POST', '/installs', { templateId: 'acme.no-such-template', environment: 'prod' });
    expect(hidden.status).toBe(404);
    const deep = await call(s, 'gus', 'POST', `/templates/${callerTemplate}/install-check`, {
      environment: 'prod',
      parameters: { greeting: JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`) as unknown },
    });
    expect(deep.status).toBe(200);
    expect((deep.body as { problems: { code: string }[] }).problems.map((p) => p.code)).toContain('TOO_DEEP');
  });
});

describe('a high-risk install', () => {
  it('waits for a second tenant admin: self-approval and non-admins are refused', async () => {
    const risky = await publishTemplate(s, callerSpec('high'));
    const id = await requestInstall(s, 'gus', { templateId: risky, environment: 'dev', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
    const waiting = await waitForInstall(s, 'gus', id, ['awaiting_approval', 'installed', 'invalid', 'denied', 'failed']);
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.decision).toMatchObject({ allow: true, approvalsRequired: 1, reasons: ['risk is high: a second tenant admin of "globex" must approve'] });
    // reserved: a second install of the template into dev is refused at once
    const second = await call(s, 'gus', 'POST', '/installs', { templateId: risky, environment: 'dev', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
    expect(second.body.code).toBe('INSTANCE_EXISTS');

    const self = await call(s, 'gus', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: 'I trust myself.' });
    expect({ status: self.status, code: self.body.code }).toEqual({ status: 403, code: 'SELF_APPROVAL' });
    const author = await call(s, 'carol', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: 'Looks fine.' });
    expect({ status: author.status, code: author.body.code }).toEqual({ status: 403, code: 'ROLE_REQUIRED' });
    const other = await call(s, 'tina', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: 'Not mine to decide.' });
    expect(other.status).toBe(404);
    const blank = await call(s, 'dave', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: '   ' });
    expect({ status: blank.status, code: blank.body.code }).toEqual({ status: 422, code: 'RATIONALE_REQUIRED' });
    expect((await s.sql`select status from workflow_instance where id = ${id}`)[0]).toEqual({ status: 'installing' });
    expect((await runInstance('gus', id)).body.code).toBe('INSTANCE_INSTALLING');

    const ok = await call(s, 'dave', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: 'The partner endpoint is ours.' });
    expect(ok.status).toBe(200);
    const done = await waitForInstall(s, 'gus', id);
    expect(done.status).toBe('installed');
    expect(done.approvals).toMatchObject([{ approver: { sub: 'dave' }, decision: 'approve', rationale: 'The partner endpoint is ours.' }]);
    const approvals = await s.sql`select subject_kind, tenant_id, approver from approval where workflow_id = ${`install/${id}`}`;
    expect(approvals).toEqual([{ subject_kind: 'install', tenant_id: 'globex', approver: 'dave' }]);
  });

  it('compensates when the template is withdrawn while it waits: no instance is left', async () => {
    const curated = await publishTemplate(s, callerSpec('high'), { visibility: 'partner-curated' });
    // the curated list, as the platform curator keeps it
    await s.sql`insert into template_audience (template_id, tenant_id, added_by) values (${curated}, 'globex', 'cora')`;
    const id = await requestInstall(s, 'gus', { templateId: curated, environment: 'staging', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
    expect((await waitForInstall(s, 'gus', id, ['awaiting_approval', 'installed', 'invalid', 'denied', 'failed'])).status).toBe('awaiting_approval');
    expect((await s.sql`select status from workflow_instance where id = ${id}`)[0]).toEqual({ status: 'installing' });

    await s.sql`delete from template_audience where template_id = ${curated} and tenant_id = 'globex'`;
    expect((await call(s, 'dave', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: 'Approved before the list changed.' })).status).toBe(200);
    const done = await waitForInstall(s, 'gus', id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('TEMPLATE_WITHDRAWN');
    expect((await s.sql`select count(*)::int as n from workflow_instance where id = ${id}`)[0]!.n).toBe(0);
    expect((await s.sql`select count(*)::int as n from provenance_receipt where workflow_id = ${`install/${id}`}`)[0]!.n).toBe(0);
    expect((await call(s, 'gus', 'GET', `/instances/${id}`)).status).toBe(404);
  });
});

describe('instances: policies, quotas and uninstall', () => {
  let waiting: string;
  beforeAll(async () => {
    waiting = await publishTemplate(s, waitingSpec());
  }, 60_000);

  it('refuses a run over maxConcurrentRuns (429 naming the quota); nothing is queued', async () => {
    const id = await install(s, 'gus', { templateId: waiting, environment: 'dev', quotas: { maxConcurrentRuns: 1 }, policies: { runRoles: ['tenant-admin'] } });
    const denied = await runInstance('carol', id);
    expect({ status: denied.status, code: denied.body.code }).toEqual({ status: 403, code: 'RUN_NOT_ALLOWED' });

    const first = await runInstance('gus', id);
    expect(first.status).toBe(202);
    await run(first.body.runId, waitingAt('gate'));
    const second = await runInstance('gus', id);
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ code: 'QUOTA_EXCEEDED', details: [{ path: '/quotas/maxConcurrentRuns' }] });
    expect(second.body.message).toContain('maxConcurrentRuns');
    expect((await s.sql`select count(*)::int as n from run where instance_id = ${id}`)[0]!.n).toBe(1);
    const view = await call<{ quotaUse: unknown }>(s, 'gus', 'GET', `/instances/${id}`);
    expect(view.body.quotaUse).toEqual({ concurrentRuns: 1, runsToday: 1 });

    // once the first run is done, a slot is free again
    expect((await call(s, 'dave', 'POST', `/runs/${first.body.runId}/steps/gate/approvals`, { decision: 'approve', rationale: 'Go.' })).status).toBe(200);
    expect((await run(first.body.runId)).status).toBe('completed');
    expect((await runInstance('gus', id)).status).toBe(202);
  });

  it('refuses a run over runsPerDay, and two concurrent starts cannot both take the last slot', async () => {
    const id = await install(s, 'gus', { templateId: waiting, environment: 'staging', quotas: { runsPerDay: 2 } });
    expect((await runInstance('gus', id)).status).toBe(202);
    const raced = await Promise.all([runInstance('gus', id), runInstance('dave', id)]);
    expect(raced.map((r) => r.status).sort()).toEqual([202, 429]);
    expect(raced.find((r) => r.status === 429)!.body).toMatchObject({ code: 'QUOTA_EXCEEDED', details: [{ path: '/quotas/runsPerDay' }] });
    expect((await s.sql`select count(*)::int as n from run where instance_id = ${id}`)[0]!.n).toBe(2);
  });

  it('holds every run for approvalsPerRun, then uninstalls with inFlight=cancel, cancelling the waiting run', async () => {
    // dev and staging hold callerTemplate's instances; prod takes certified marketplace versions only
    const caller = await publishTemplate(s, callerSpec());
    const id = await install(s, 'gus', { templateId: caller, environment: 'dev', parameters: { endpoint }, secrets: { api_token: 'partner_token' }, policies: { approvalsPerRun: 1 } });
    const started = await runInstance('gus', id);
    const held = await run(started.body.runId, waitingAt('instanceApproval'));
    expect(step(held, 'instanceApproval').approval).toMatchObject({ approvers: { roles: ['tenant-admin'] }, count: 1 });
    expect(step(held, 'call').status).toBe('pending');
    const self = await call(s, 'gus', 'POST', `/runs/${started.body.runId}/steps/instanceApproval/approvals`, { decision: 'approve', rationale: 'mine' });
    expect(self.body.code).toBe('SELF_APPROVAL');

    const disabled = await call<{ status: string }>(s, 'gus', 'POST', `/instances/${id}/disable`);
    expect({ status: disabled.status, instance: disabled.body.status }).toEqual({ status: 202, instance: 'disabled' });
    expect((await runInstance('gus', id)).body.code).toBe('INSTANCE_DISABLED');
    expect((await call<{ status: string }>(s, 'gus', 'POST', `/instances/${id}/enable`)).body.status).toBe('active');

    const del = await call<{ workflowId: string }>(s, 'gus', 'DELETE', `/instances/${id}?inFlight=cancel`);
    expect(del.status).toBe(202);
    expect(del.body.workflowId).toBe(`uninstall/${id}`);
    const result = (await s.client.workflow.getHandle(del.body.workflowId).result()) as { status: string; cancelled: string[] };
    expect(result).toMatchObject({ status: 'uninstalled', cancelled: [started.body.runId] });
    const cancelled = await run(started.body.runId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancellation).toMatchObject({ by: 'gus', reason: expect.stringContaining(id) as string });
    expect(fx.requests.some((q) => q.headers['idempotency-key'] === `${cancelled.workflowId}/call`)).toBe(false);

    const after = await call<{ status: string; uninstall: { status: string } }>(s, 'gus', 'GET', `/instances/${id}`);
    expect(after.body).toMatchObject({ status: 'uninstalled', uninstall: { status: 'uninstalled' } });
    expect((await runInstance('gus', id)).body.code).toBe('INSTANCE_UNINSTALLED');
    expect((await s.sql`select count(*)::int as n from provenance_receipt where lifecycle = 'uninstall' and workflow_id = ${`uninstall/${id}`}`)[0]!.n).toBe(1);
    expect((await call(s, 'gus', 'GET', '/instances')).body).not.toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ id })]) as unknown });
    // the environment is free again
    await install(s, 'gus', { templateId: caller, environment: 'dev', parameters: { endpoint }, secrets: { api_token: 'partner_token' } });
  });

  it('with inFlight=finish waits for the run in flight to end', async () => {
    // dev and staging hold waiting's instances; prod takes certified marketplace versions only
    const held = await publishTemplate(s, waitingSpec());
    const id = await install(s, 'gus', { templateId: held, environment: 'dev' });
    const started = await runInstance('gus', id);
    await run(started.body.runId, waitingAt('gate'));
    const del = await call<{ workflowId: string }>(s, 'gus', 'DELETE', `/instances/${id}`);
    expect(del.status).toBe(202);
    // no new runs while it uninstalls
    await expect.poll(async () => (await s.sql`select status from workflow_instance where id = ${id}`)[0]!.status, { timeout: 30_000 }).toBe('uninstalling');
    expect((await runInstance('gus', id)).body.code).toBe('INSTANCE_UNINSTALLED');
    expect((await call(s, 'dave', 'POST', `/runs/${started.body.runId}/steps/gate/approvals`, { decision: 'approve', rationale: 'Finish it.' })).status).toBe(200);
    expect(((await s.client.workflow.getHandle(del.body.workflowId).result()) as { cancelled: string[] }).cancelled).toEqual([]);
    expect((await run(started.body.runId)).status).toBe('completed');
    expect((await s.sql`select status from workflow_instance where id = ${id}`)[0]).toEqual({ status: 'uninstalled' });
  });
});
