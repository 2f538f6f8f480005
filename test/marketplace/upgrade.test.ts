import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, prepareDatabase, testSpec, type Stack } from '../support/stack.ts';
import { waitForRun, waitingAt, step } from '../engine/support.ts';
import { call, install, publishTemplate } from './support.ts';
import { instanceRow, requestUpgrade, upgradeUntil, waitForUpgrade, type UpgradeView } from './upgrade-support.ts';

// The upgrade lifecycle against the real stack, in a database of its own. acme (pat)
// publishes, globex installs (gus, a tenant admin) and approves (dave, the second admin).

let s: Stack;

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`upgrade_${randomUUID().slice(0, 8)}`) });
}, 180_000);
afterAll(async () => s?.close());

/** A version of the template `name`: a global spec with a changelog (a published version needs one). */
function version(name: string, v: string, extra: Record<string, unknown>, risk = 'low') {
  const spec = testSpec({ scope: 'global', name, version: v, risk, extra: { parameters: { type: 'object', properties: {} }, ...extra } });
  (spec.metadata as Record<string, unknown>).changelog = `Release ${v}.`;
  return spec;
}

/** One step that yields its greeting, or fails when asked to (a run's `fail` parameter). */
const greeter = (greeting = "greeting & ', ' & region") => ({
  id: 'work',
  task: 'transform@1.0.0',
  with: { expression: `fail ? $error('asked to fail') : ${greeting}`, data: { greeting: '${{ params.greeting }}', region: '${{ params.region }}', fail: '${{ params.fail }}' } },
});

const v1Params = {
  type: 'object',
  properties: { greeting: { type: 'string', default: 'hello' }, fail: { type: 'boolean', default: false }, region: { type: 'string', default: 'us' } },
};

const runInstance = (id: string, params: Record<string, unknown> = {}) => call<{ runId: string; workflowId: string }>(s, 'gus', 'POST', `/instances/${id}/runs`, { params });
const run = (runId: string, until?: Parameters<typeof waitForRun>[3]) => waitForRun(s, 'gus', runId, until, 60_000);

describe('a breaking upgrade with a migration and a new required parameter', () => {
  const name = `upg-breaking-${randomUUID().slice(0, 8)}`;
  let template: string;
  let instance: string;

  beforeAll(async () => {
    template = await publishTemplate(s, version(name, '1.0.0', { parameters: v1Params, steps: [greeter()] }));
    instance = await install(s, 'gus', { templateId: template, environment: 'dev', parameters: { greeting: 'hi' } });
    // 2.0.0 renames greeting to salutation (the migration maps it) and needs a new `team` nothing provides
    await publishTemplate(
      s,
      version(name, '2.0.0', {
        parameters: {
          type: 'object',
          required: ['salutation', 'team'],
          properties: { salutation: { type: 'string' }, team: { type: 'string', minLength: 2 }, fail: { type: 'boolean', default: false } },
        },
        steps: [
          {
            id: 'work',
            task: 'transform@1.0.0',
            with: { expression: "fail ? $error('asked to fail') : salutation & ' ' & team", data: { salutation: '${{ params.salutation }}', team: '${{ params.team }}', fail: '${{ params.fail }}' } },
          },
        ],
        upgrade: {
          migration: { from: '1.x', expression: "{ 'parameters': { 'salutation': parameters.greeting & '!' } }" },
          smoke: { parameters: {} },
        },
      }),
    );
  }, 180_000);

  it('shows the instance pinned, with the breaking upgrade available', async () => {
    const inst = await call<Record<string, unknown>>(s, 'gus', 'GET', `/instances/${instance}`);
    expect(inst.body).toMatchObject({ version: '1.0.0', upgradePolicy: 'pinned', latestVersion: '2.0.0', upgradeAvailable: { version: '2.0.0', changeKind: 'breaking' } });
  });

  it('plans the migration and names the binding nothing provides', async () => {
    const check = await call<UpgradeView['plan'] & { parameters: { name: string; change: string }[] }>(s, 'gus', 'POST', `/instances/${instance}/upgrade-check`, {});
    expect(check.status, JSON.stringify(check.body)).toBe(200);
    expect(check.body).toMatchObject({
      fromVersion: '1.0.0',
      toVersion: '2.0.0',
      changeKind: 'breaking',
      migration: { declared: true, applied: true, problems: [] },
      missing: { parameters: ['team'], secrets: [] },
      approval: { required: true },
      next: { parameters: { salutation: 'hi!' } },
    });
    expect(check.body.parameters).toEqual(
      expect.arrayContaining([
        { name: 'greeting', change: 'removed', before: 'hi' },
        { name: 'salutation', change: 'added', after: 'hi!' },
      ]),
    );
    // a preview has no side effects
    expect((await s.sql`select count(*)::int as n from instance_upgrade where instance_id = ${instance}`)[0]!.n).toBe(0);
  });

  it('ends blocked, naming the missing binding, and leaves the instance as it was', async () => {
    const before = await instanceRow(s, instance);
    const started = await requestUpgrade(s, 'gus', instance, { toVersion: '2.0.0' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.workflowId).toBe(`upgrade/${instance}/2.0.0`);
    const done = await waitForUpgrade(s, 'gus', instance, '2.0.0', undefined, { runId: started.body.runId });
    expect(done.status).toBe('blocked');
    expect(done.error?.code).toBe('UPGRADE_BINDINGS_MISSING');
    expect(done.error?.message).toContain('parameter "team"');
    expect(done.error?.details).toEqual([expect.objectContaining({ path: '/parameters/team', code: 'PARAMETER_REQUIRED' })]);
    expect(await instanceRow(s, instance)).toEqual(before);
  });

  it('refuses an invalid supplied binding (UPGRADE_BINDINGS_INVALID)', async () => {
    const done = await upgradeUntil(s, 'gus', instance, { toVersion: '2.0.0', parameters: { team: 'x' } });
    expect(done).toMatchObject({ status: 'blocked', error: { code: 'UPGRADE_BINDINGS_INVALID' } });
    expect((await instanceRow(s, instance)).version).toBe('1.0.0');
  });

  it('waits for a second tenant admin, applies, smoke-tests, and the next run uses the migrated bindings', async () => {
    const waiting = await upgradeUntil(s, 'gus', instance, { toVersion: '2.0.0', parameters: { team: 'payroll' } }, ['awaiting_approval', 'blocked', 'failed']);
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.plan?.approval.reasons).toContain('the change is breaking');

    // a second request while it runs
    const again = await requestUpgrade(s, 'gus', instance, { toVersion: '2.0.0', parameters: { team: 'payroll' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('UPGRADE_IN_PROGRESS');

    const approve = (user: 'gus' | 'dave' | 'carol' | 'pat' | 'tina') =>
      call(s, user, 'POST', `/instances/${instance}/upgrades/2.0.0/approvals`, { decision: 'approve', rationale: 'Reviewed the new binding.' });
    expect((await approve('gus')).body.code).toBe('SELF_APPROVAL');
    expect((await approve('carol')).status).toBe(403); // an author of globex: not a tenant admin
    expect((await approve('tina')).status).toBe(404); // acme's tenant admin: not her instance
    expect((await approve('pat')).status).toBe(403);
    expect((await call(s, 'dave', 'POST', `/instances/${instance}/upgrades/2.0.0/approvals`, { decision: 'approve', rationale: ' ' })).status).toBe(422);
    const ok = await approve('dave');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await approve('dave')).status).toBe(409);

    const done = await waitForUpgrade(s, 'gus', instance, '2.0.0');
    expect(done.status, JSON.stringify(done.error ?? done.rollback)).toBe('upgraded');
    expect(done.smokeRun?.status).toBe('completed');
    expect(done.receiptId).toMatch(/^rcpt_/);
    expect(await instanceRow(s, instance)).toMatchObject({ version: '2.0.0', parameters: { salutation: 'hi!', team: 'payroll' } });
    const smoke = await run(done.smokeRun!.runId);
    expect(smoke).toMatchObject({ status: 'completed', version: '2.0.0' });

    const next = await runInstance(instance);
    expect(next.status, JSON.stringify(next.body)).toBe(202);
    const finished = await run(next.body.runId);
    expect(finished.status, JSON.stringify(finished.error)).toBe('completed');
    expect(finished.version).toBe('2.0.0');
    expect(step(finished, 'work').output).toMatchObject({ result: 'hi! payroll' });

    const [receipt] = await s.sql<{ tenant_id: string; subject: string; decisions: Record<string, unknown> }[]>`
      select tenant_id, subject, decisions from provenance_receipt where lifecycle = 'upgrade' and id = ${done.receiptId!}`;
    expect(receipt).toMatchObject({ tenant_id: 'globex', subject: `instance:${instance}`, decisions: { from: '1.0.0', to: '2.0.0', outcome: 'upgraded', changeKind: 'breaking' } });

    const list = await call<{ items: UpgradeView[] }>(s, 'gus', 'GET', `/instances/${instance}/upgrades`);
    expect(list.body.items.map((u) => u.status)).toEqual(['upgraded', 'blocked', 'blocked']);
    const inst = await call<Record<string, unknown>>(s, 'gus', 'GET', `/instances/${instance}`);
    expect(inst.body).toMatchObject({ version: '2.0.0', latestVersion: '2.0.0', upgrade: { toVersion: '2.0.0', status: 'upgraded' } });
    expect(inst.body.upgradeAvailable).toBeUndefined();
  });

  it('refuses a version that is not newer (UPGRADE_NOT_NEWER)', async () => {
    const res = await requestUpgrade(s, 'gus', instance, { toVersion: '1.0.0' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('UPGRADE_NOT_NEWER');
  });

  it("keeps another tenant's instance and upgrades as absent as missing ones", async () => {
    for (const [method, path, body] of [
      ['GET', `/instances/${instance}/upgrades`, undefined],
      ['GET', `/instances/${instance}/upgrades/2.0.0`, undefined],
      ['POST', `/instances/${instance}/upgrade-check`, {}],
      ['POST', `/instances/${instance}/upgrades`, {}],
      ['PATCH', `/instances/${instance}`, { upgradePolicy: 'minor' }],
    ] as const) {
      const res = await call(s, 'tina', method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('hi!');
    }
  });
});

describe('upgrade policy', () => {
  it('is the tenant admin\'s to set; a pinned instance does not move when a new version is published', async () => {
    const name = `upg-policy-${randomUUID().slice(0, 8)}`;
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: v1Params, steps: [greeter()] }));
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev' });
    await publishTemplate(s, version(name, '1.0.1', { parameters: v1Params, steps: [greeter()]}));
    const inst = await call<Record<string, unknown>>(s, 'gus', 'GET', `/instances/${instance}`);
    expect(inst.body).toMatchObject({ version: '1.0.0', upgradePolicy: 'pinned', upgradeAvailable: { version: '1.0.1', changeKind: 'patch' } });
    expect((await s.sql`select count(*)::int as n from instance_upgrade where instance_id = ${instance}`)[0]!.n).toBe(0);

    expect((await call(s, 'carol', 'PATCH', `/instances/${instance}`, { upgradePolicy: 'minor' })).status).toBe(403);
    expect((await call(s, 'gus', 'PATCH', `/instances/${instance}`, { upgradePolicy: 'auto-minor' })).status).toBe(422);
    const set = await call<Record<string, unknown>>(s, 'gus', 'PATCH', `/instances/${instance}`, { upgradePolicy: 'minor' });
    expect(set.status).toBe(200);
    expect(set.body.upgradePolicy).toBe('minor');

    // a manual upgrade of a patch by a tenant admin needs no approval and has nothing to smoke-test
    const done = await upgradeUntil(s, 'gus', instance, {});
    expect(done).toMatchObject({ status: 'upgraded', changeKind: 'patch', approvals: [] });
  });

  it('asks a tenant admin to approve when an author requests it', async () => {
    const name = `upg-author-${randomUUID().slice(0, 8)}`;
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: v1Params, steps: [greeter()] }));
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev' });
    await publishTemplate(s, version(name, '1.1.0', { parameters: v1Params, steps: [greeter("greeting & '! ' & region")] }));
    const waiting = await upgradeUntil(s, 'carol', instance, {}, ['awaiting_approval', 'upgraded', 'failed']);
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.plan?.approval.reasons).toEqual(['requested by carol, who is not a tenant admin of "globex"']);
    const reject = await call(s, 'gus', 'POST', `/instances/${instance}/upgrades/1.1.0/approvals`, { decision: 'reject', rationale: 'Not this week.' });
    expect(reject.status).toBe(200);
    expect(await waitForUpgrade(s, 'carol', instance, '1.1.0')).toMatchObject({ status: 'rejected', error: { code: 'UPGRADE_REJECTED' } });
    expect((await instanceRow(s, instance)).version).toBe('1.0.0');
  });
});

describe('automatic rollback', () => {
  it('rolls back a failed smoke run; a run started before keeps its version', async () => {
    const name = `upg-smoke-${randomUUID().slice(0, 8)}`;
    const gated = { type: 'object', properties: { ...v1Params.properties, gate: { type: 'boolean', default: false } } };
    const gate = { id: 'gate', task: 'approval@1.0.0', when: 'params.gate', with: { message: 'Go on?', approvers: { roles: ['tenant-admin'] } } };
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: gated, steps: [gate, greeter()] }));
    await call(s, 'gus', 'PUT', '/secrets/upgrade_token', { value: 'not used' });
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev', parameters: { greeting: 'hey' } });
    const before = await instanceRow(s, instance);

    // a run that waits at its gate while the upgrade applies, smoke-tests and rolls back
    const inFlight = await runInstance(instance, { gate: true });
    expect(inFlight.status).toBe(202);
    await run(inFlight.body.runId, waitingAt('gate'));

    // 1.1.0: the step now always fails, and the template declares a smoke run
    await publishTemplate(
      s,
      version(name, '1.1.0', { parameters: gated, steps: [gate, greeter("$error('broken release')")], upgrade: { smoke: { parameters: { region: 'eu' }, timeout: '2m' } } }),
    );
    const done = await upgradeUntil(s, 'gus', instance, {});
    expect(done.status, JSON.stringify(done)).toBe('rolled_back');
    expect(done.rollback?.code).toBe('SMOKE_RUN_FAILED');
    expect(done.rollback?.reason).toContain('broken release');
    expect(done.smokeRun?.status).toBe('failed');
    expect(done.receiptId).toMatch(/^rcpt_/);
    expect(await instanceRow(s, instance)).toEqual(before);
    const smoke = await run(done.smokeRun!.runId);
    expect(smoke).toMatchObject({ status: 'failed', version: '1.1.0' });

    await call(s, 'dave', 'POST', `/runs/${inFlight.body.runId}/steps/gate/approvals`, { decision: 'approve', rationale: 'Go on.' });
    const finished = await run(inFlight.body.runId);
    expect(finished.status, JSON.stringify(finished.error)).toBe('completed');
    expect(finished.version).toBe('1.0.0');
    expect(step(finished, 'work').output).toMatchObject({ result: 'hey, us' });

    const [counts] = await s.sql`
      select (select count(*) from provenance_receipt where lifecycle = 'upgrade' and subject = ${`instance:${instance}`})::int as receipts,
             (select decisions->>'outcome' from provenance_receipt where lifecycle = 'upgrade' and subject = ${`instance:${instance}`}) as outcome`;
    expect(counts).toEqual({ receipts: 1, outcome: 'rolled_back' });
    // a later attempt at the same version is a new attempt
    expect((await upgradeUntil(s, 'gus', instance, { toVersion: '1.1.0' })).status).toBe('rolled_back');
  });

  it('rolls back when the runs within the watch window fail', async () => {
    const name = `upg-watch-${randomUUID().slice(0, 8)}`;
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: v1Params, steps: [greeter()] }));
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev' });
    const before = await instanceRow(s, instance);
    await publishTemplate(s, version(name, '1.1.0', { parameters: v1Params, steps: [greeter("greeting & '!'")], upgrade: { watch: { window: '1m', maxFailureRate: 0.5, minRuns: 1 } } }));
    const watching = await upgradeUntil(s, 'gus', instance, {}, ['watching', 'upgraded', 'failed']);
    expect(watching.status).toBe('watching');
    const failing = await runInstance(instance, { fail: true });
    expect(failing.status).toBe(202);
    expect((await run(failing.body.runId)).status).toBe('failed');
    const done = await waitForUpgrade(s, 'gus', instance, '1.1.0', undefined, { runId: watching.runId });
    expect(done.status).toBe('rolled_back');
    expect(done.rollback?.code).toBe('WATCH_WINDOW_FAILED');
    expect(done.watch).toMatchObject({ finished: 1, failed: 1 });
    expect(await instanceRow(s, instance)).toEqual(before);
  });
});

describe('cancelling an applied upgrade', () => {
  it('rolls the instance back once and ends the workflow cancelled', async () => {
    const name = `upg-cancel-${randomUUID().slice(0, 8)}`;
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: v1Params, steps: [greeter()] }));
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev', parameters: { greeting: 'hola' } });
    const before = await instanceRow(s, instance);
    await publishTemplate(s, version(name, '1.1.0', { parameters: v1Params, steps: [greeter("greeting & '?'")], upgrade: { watch: { window: '1h' } } }));
    const watching = await upgradeUntil(s, 'gus', instance, {}, ['watching', 'upgraded', 'failed']);
    expect(watching.status).toBe('watching');
    expect((await instanceRow(s, instance)).version).toBe('1.1.0');

    const handle = s.client.workflow.getHandle(watching.workflowId, watching.runId);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const done = await waitForUpgrade(s, 'gus', instance, '1.1.0', undefined, { runId: watching.runId });
    expect(done).toMatchObject({ status: 'rolled_back', rollback: { code: 'UPGRADE_CANCELLED' } });
    expect(await instanceRow(s, instance)).toEqual(before);
    const history = await handle.fetchHistory();
    const scheduled = (n: string) => (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === n).length;
    expect({ rollback: scheduled('rollbackUpgrade'), complete: scheduled('completeUpgrade') }).toEqual({ rollback: 1, complete: 1 });
  });
});

describe('a dry-run smoke run', () => {
  it('checks bindings and inputs without calling a task with side effects; a misfit rolls back', async () => {
    const name = `upg-dry-${randomUUID().slice(0, 8)}`;
    const parameters = { type: 'object', properties: { method: { type: 'string', default: 'POST' }, greeting: { type: 'string', default: 'hello' } } };
    const steps = [
      // never reachable from the test stack: a dry run must not call it
      { id: 'notify', task: 'http.request@1.0.0', with: { url: 'https://partner.example.internal/hook', method: '${{ params.method }}', body: { g: '${{ params.greeting }}' } } },
      { id: 'shape', task: 'transform@1.0.0', with: { expression: "g & '!'", data: { g: '${{ params.greeting }}' } } },
    ];
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters, steps }));
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev' });

    await publishTemplate(s, version(name, '1.0.1', { parameters, steps, upgrade: { smoke: { mode: 'dry-run', parameters: { greeting: 'smoke' } } } }));
    const passed = await upgradeUntil(s, 'gus', instance, {});
    expect(passed.status, JSON.stringify(passed.rollback)).toBe('upgraded');
    const smoke = await run(passed.smokeRun!.runId);
    expect(smoke).toMatchObject({ status: 'completed', mode: 'dry-run', version: '1.0.1' });
    expect(step(smoke, 'notify')).toMatchObject({ status: 'skipped', output: { dryRun: true } });
    expect(step(smoke, 'shape')).toMatchObject({ status: 'completed', output: { result: 'smoke!' } });

    await publishTemplate(s, version(name, '1.0.2', { parameters, steps, upgrade: { smoke: { mode: 'dry-run', parameters: { method: 'BOGUS' } } } }));
    const before = await instanceRow(s, instance);
    const failed = await upgradeUntil(s, 'gus', instance, {});
    expect(failed.status).toBe('rolled_back');
    expect(failed.rollback?.code).toBe('SMOKE_RUN_FAILED');
    expect(failed.rollback?.reason).toContain('INPUT_INVALID');
    expect(await instanceRow(s, instance)).toEqual(before);
  });
});

describe('hostile migrations and inputs', () => {
  it('refuses a migration with $eval, a function, a bad range or too much text when the draft is made', async () => {
    for (const [upgrade, code] of [
      [{ migration: { expression: "$eval('1')" } }, 'EXPRESSION_NOT_ALLOWED'],
      [{ migration: { expression: 'function($x){ $x($x) }' } }, 'EXPRESSION_NOT_ALLOWED'],
      [{ migration: { expression: '{ "parameters": ' } }, 'EXPRESSION_SYNTAX'],
      [{ migration: { from: '>=1.0.0', expression: '$' } }, 'INVALID_VERSION_RANGE'],
      [{ migration: { expression: `'${'x'.repeat(10_001)}'` } }, 'SCHEMA'],
      [{ smoke: { parameters: { nope: 1 } } }, 'UNDEFINED_PARAMETER'],
    ] as const) {
      const res = await call<{ errors?: { code: string; path: string }[] }>(s, 'pat', 'POST', '/definitions', {
        spec: version(`upg-bad-${randomUUID().slice(0, 8)}`, '1.0.0', { steps: [greeter("'x'")], upgrade }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(JSON.stringify(res.body)).toContain(code);
    }
  });

  it('fails the plan with MIGRATION_FAILED when a migration runs away; the worker goes on', async () => {
    const name = `upg-runaway-${randomUUID().slice(0, 8)}`;
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: v1Params, steps: [greeter()] }));
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev' });
    await publishTemplate(
      s,
      version(name, '1.1.0', { parameters: v1Params, steps: [greeter()], upgrade: { migration: { expression: "{ 'parameters': { 'greeting': $join([1..9999999].$string(), ',') } }" } } }),
    );
    const preview = await call<UpgradeView['plan']>(s, 'gus', 'POST', `/instances/${instance}/upgrade-check`, {});
    expect(preview.status).toBe(200);
    expect(preview.body.migration).toMatchObject({ declared: true, applied: false, problems: [{ code: 'MIGRATION_FAILED' }] });
    const done = await upgradeUntil(s, 'gus', instance, {});
    expect(done).toMatchObject({ status: 'failed', error: { code: 'MIGRATION_FAILED' } });
    expect((await instanceRow(s, instance)).version).toBe('1.0.0');
    // the worker is unharmed: a run of the instance goes on
    const next = await runInstance(instance);
    expect((await run(next.body.runId)).status).toBe('completed');
  });

  it('refuses deep or huge supplied parameters with a 4xx', async () => {
    const name = `upg-hostile-${randomUUID().slice(0, 8)}`;
    const template = await publishTemplate(s, version(name, '1.0.0', { parameters: v1Params, steps: [greeter()] }));
    const instance = await install(s, 'gus', { templateId: template, environment: 'dev' });
    await publishTemplate(s, version(name, '1.0.1', { parameters: v1Params, steps: [greeter()] }));
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { d: deep };
    for (const body of [{ parameters: { greeting: deep } }, { parameters: { greeting: 'x'.repeat(70_000) } }, { parameters: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, i])) }]) {
      for (const path of ['upgrade-check', 'upgrades']) {
        const res = await call(s, 'gus', 'POST', `/instances/${instance}/${path}`, body);
        expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
  });
});
