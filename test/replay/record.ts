// Records one history per publish path (one refused at completion), per run-engine path, of a health rollup,
// a catalog reindex, a catalog index check, a template curation, the upgrade lifecycle and an
// upgrade campaign, the certify lifecycle (certified, superseded, overdue, refused) and the guardrails (an
// install held and overridden, a publish denied) into test/replay/histories/
// (npm run record-histories).
// Run it after a deliberate, patched() change to the workflows and commit the new files.
import { writeFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { engineSpec, decide, publishSpec, startRun, waitForRun, waitingAt } from '../engine/support.ts';
import { REPLAY_CODEC_KEYS } from './fixture-key.ts';
import { CATALOG_INDEX_CHECK_WORKFLOW_TYPE, HEALTH_ROLLUP_WORKFLOW_TYPE, type HealthRollupResult } from '../../workflows/contracts/index.ts';
import type { CatalogIndexCheckResult } from '../../domain/catalog-index-check.ts';
import { call, publishTemplate, requestInstall, templateSpec, waitForInstall } from '../marketplace/support.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack({ envOverrides: { CODEC_KEYS: REPLAY_CODEC_KEYS } });
});
afterAll(async () => s?.close());

const dir = new URL('./histories/', import.meta.url);
async function save(name: string, workflowId: string) {
  const json = historyToJSON(await s.client.workflow.getHandle(workflowId).fetchHistory());
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(JSON.parse(json), null, 1) + '\n');
}

it('records every publish path', async () => {
  const alice = s.as('alice');
  const run = async (name: string, risk: string, finish?: (id: string) => Promise<unknown>) => {
    const { body } = await alice.createDraft(testSpec({ name: `replay-${name}-${s.suffix}`, risk }));
    await alice.requestPublish(body.definitionId, '1.0.0');
    const status = await alice.waitForPublish(body.definitionId, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid']);
    if (finish) {
      expect(status).toBe('awaiting_approval');
      await finish(body.definitionId);
    }
    const end = await alice.waitForPublish(body.definitionId, '1.0.0', ['published', 'rejected', 'denied', 'invalid']);
    await save(`publish-${name}`, `publish/${body.definitionId}/1.0.0`);
    return { id: body.definitionId, end };
  };
  const plain = await run('without-review', 'low');
  expect(plain.end).toBe('published');
  await save('draft', `draft/${plain.id}/1.0.0`);
  expect((await run('approved', 'medium', (id) => s.as('bob').decide(id, '1.0.0', 'approve', 'Recorded fixture approval.'))).end).toBe('published');
  expect((await run('rejected', 'high', (id) => s.as('bob').decide(id, '1.0.0', 'reject', 'Recorded fixture rejection.'))).end).toBe('rejected');
  expect((await run('denied', 'critical')).end).toBe('denied');
});

it('records a publish refused at completion (VERSION_BUMP_MISMATCH after review)', async () => {
  const pat = s.as('pat');
  // a global 1.0.1 waits for review while a tenant-local 1.0.0 with a parameter 1.0.1 lacks is
  // published below it: 1.0.1 is then breaking, and the approved publish ends invalid
  const name = `replay-refused-${s.suffix}`;
  const params = (properties: Record<string, unknown>) => ({ parameters: { type: 'object', properties } });
  const { body } = await pat.createDraft(testSpec({ name, version: '1.0.1', scope: 'global', extra: params({ email: { type: 'string' } }) }));
  await pat.requestPublish(body.definitionId, '1.0.1');
  expect(await pat.waitForPublish(body.definitionId, '1.0.1', ['awaiting_approval', 'published', 'invalid'])).toBe('awaiting_approval');
  await pat.createDraft(testSpec({ name, version: '1.0.0', extra: params({ email: { type: 'string' }, count: { type: 'integer' } }) }));
  await pat.requestPublish(body.definitionId, '1.0.0');
  expect(await pat.waitForPublish(body.definitionId, '1.0.0', ['published', 'awaiting_approval', 'invalid'])).toBe('published');
  await s.as('bob').decide(body.definitionId, '1.0.1', 'approve', 'Recorded fixture approval.');
  expect(await pat.waitForPublish(body.definitionId, '1.0.1', ['published', 'invalid'])).toBe('invalid');
  await save('publish-refused-at-completion', `publish/${body.definitionId}/1.0.1`);
});

it('records every run-engine path', async () => {
  const id = await publishSpec(
    s,
    engineSpec(
      {
        parameters: { type: 'object', properties: { name: { type: 'string', default: 'Ada' }, includeOptional: { type: 'boolean', default: false } } },
        secrets: [{ name: 'api_token' }],
        steps: [
          { id: 'greet', task: 'transform@1.0.0', with: { expression: "'Hello, ' & name", data: { name: '${{ params.name }}' } } },
          {
            id: 'fanout',
            parallel: [
              { id: 'count', task: 'transform@1.0.0', with: { expression: '$length(name)', data: { name: '${{ params.name }}' } } },
              { id: 'optional', task: 'transform@1.0.0', when: 'params.includeOptional', with: { expression: "'ran'", data: {} } },
              { id: 'ref', task: 'transform@1.0.0', with: { expression: 'token', data: { token: '${{ secrets.api_token }}' } } },
            ],
          },
          { id: 'pause', task: 'delay@1.0.0', with: { duration: '1s' } },
          // a binding that is more than a path: evaluated in the expression sandbox (a local activity)
          { id: 'summary', task: 'transform@1.0.0', with: { expression: '$', data: { greeting: '${{ steps.greet.output.result }}', n: '${{ steps.count.output.result * 2 }}' } } },
        ],
      },
      { name: `replay-run-${s.suffix}` },
    ),
  );
  const completed = await startRun(s, 'alice', id);
  expect((await waitForRun(s, 'alice', completed.body.runId)).status).toBe('completed');
  await save('run-completed', completed.body.workflowId);

  const approvalId = await publishSpec(
    s,
    engineSpec(
      {
        steps: [
          { id: 'prepare', task: 'transform@1.0.0', with: { expression: "'order laptop'", data: {} } },
          { id: 'managerApproval', task: 'approval@1.0.0', with: { message: 'Approve ${{ steps.prepare.output.result }}?', approvers: { roles: ['reviewer'] } } },
          { id: 'order', task: 'transform@1.0.0', with: { expression: "'ordered'", data: {} } },
        ],
      },
      { name: `replay-approval-${s.suffix}` },
    ),
  );
  const approved = await startRun(s, 'alice', approvalId);
  await waitForRun(s, 'alice', approved.body.runId, waitingAt('managerApproval'));
  await decide(s, 'bob', approved.body.runId, 'managerApproval', 'approve', 'Recorded fixture approval.');
  expect((await waitForRun(s, 'alice', approved.body.runId)).status).toBe('completed');
  await save('run-approved', approved.body.workflowId);

  const rejected = await startRun(s, 'alice', approvalId);
  await waitForRun(s, 'alice', rejected.body.runId, waitingAt('managerApproval'));
  await decide(s, 'bob', rejected.body.runId, 'managerApproval', 'reject', 'Recorded fixture rejection.');
  expect((await waitForRun(s, 'alice', rejected.body.runId)).status).toBe('failed');
  await save('run-rejected', rejected.body.workflowId);

  const cancelled = await startRun(s, 'alice', approvalId);
  await waitForRun(s, 'alice', cancelled.body.runId, waitingAt('managerApproval'));
  await s.as('alice').call('POST', `/runs/${cancelled.body.runId}/cancel`, { reason: 'Recorded fixture cancellation.' });
  expect((await waitForRun(s, 'alice', cancelled.body.runId)).status).toBe('cancelled');
  await save('run-cancelled', cancelled.body.workflowId);
});

it('records a health rollup', async () => {
  const id = await publishSpec(s, engineSpec({ steps: [{ id: 'only', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }] }, { name: `replay-health-${s.suffix}` }));
  const run = await startRun(s, 'alice', id);
  expect((await waitForRun(s, 'alice', run.body.runId)).status).toBe('completed');
  const workflowId = `health-rollup/replay-${s.suffix}`;
  const result = (await s.client.workflow.execute(HEALTH_ROLLUP_WORKFLOW_TYPE, { taskQueue: s.config.TEMPORAL_TASK_QUEUE, workflowId, args: [{}] })) as HealthRollupResult;
  expect(result.changed).toBeGreaterThanOrEqual(1);
  await save('health-rollup', workflowId);
});

it('records a catalog reindex', async () => {
  const alice = s.as('alice');
  const { body } = await alice.createDraft(testSpec({ name: `replay-reindex-${s.suffix}` }));
  await alice.requestPublish(body.definitionId, '1.0.0');
  expect(await alice.waitForPublish(body.definitionId, '1.0.0', ['published', 'denied', 'invalid'])).toBe('published');
  // a document deleted behind the application's back, for the reindex to find missing
  await s.typesense.collections(s.config.TYPESENSE_COLLECTION).documents(body.definitionId).delete();
  const started = await s.as('root').call<{ workflowId: string; runId: string }>('POST', '/catalog/reindex', { reason: 'Recorded fixture reindex.' });
  const report = await s.client.workflow.getHandle(started.body.workflowId, started.body.runId).result();
  expect(report).toMatchObject({ missing: { count: expect.any(Number) as number } });
  expect((report as { missing: { sample: string[] } }).missing.sample).toContain(body.definitionId);
  await save('catalog-reindex', started.body.workflowId);
});

it('records a catalog index check that repairs a drift', async () => {
  const alice = s.as('alice');
  const { body } = await alice.createDraft(testSpec({ name: `replay-index-check-${s.suffix}` }));
  await alice.requestPublish(body.definitionId, '1.0.0');
  expect(await alice.waitForPublish(body.definitionId, '1.0.0', ['published', 'denied', 'invalid'])).toBe('published');
  await s.typesense.collections(s.config.TYPESENSE_COLLECTION).documents(body.definitionId).delete();
  const workflowId = `catalog-index-check/replay-${s.suffix}`;
  const result = (await s.client.workflow.execute(CATALOG_INDEX_CHECK_WORKFLOW_TYPE, { taskQueue: s.config.TEMPORAL_TASK_QUEUE, workflowId, args: [] })) as CatalogIndexCheckResult;
  expect(result.check.missing.count).toBeGreaterThanOrEqual(1);
  expect(result.afterRepair).toMatchObject({ missing: { count: 0 }, altered: { count: 0 }, extra: 0 });
  await save('catalog-index-check', workflowId);
});

it('records the install and uninstall lifecycles', async () => {
  // approved by a second tenant admin
  const risky = await publishTemplate(
    s,
    templateSpec({ steps: [{ id: 'only', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }] }, { name: `replay-install-${s.suffix}`, risk: 'high' }),
  );
  const approved = await requestInstall(s, 'gus', { templateId: risky, environment: 'dev', quotas: { maxConcurrentRuns: 5 } });
  expect((await waitForInstall(s, 'gus', approved, ['awaiting_approval'])).status).toBe('awaiting_approval');
  expect((await call(s, 'dave', 'POST', `/installs/${approved}/approvals`, { decision: 'approve', rationale: 'Recorded fixture approval.' })).status).toBe(200);
  expect((await waitForInstall(s, 'gus', approved)).status).toBe('installed');
  await save('install-approved', `install/${approved}`);

  // refused: a secret the spec needs is not bound
  const needsSecret = await publishTemplate(
    s,
    templateSpec(
      { secrets: [{ name: 'api_token' }], steps: [{ id: 'only', task: 'transform@1.0.0', with: { expression: 'token', data: { token: '${{ secrets.api_token }}' } } }] },
      { name: `replay-install-invalid-${s.suffix}` },
    ),
  );
  const invalid = await requestInstall(s, 'gus', { templateId: needsSecret, environment: 'dev' });
  expect((await waitForInstall(s, 'gus', invalid)).status).toBe('invalid');
  await save('install-invalid', `install/${invalid}`);

  // uninstalled while a run waits at an approval step: the run is cancelled
  const waiting = await publishTemplate(
    s,
    templateSpec(
      {
        secrets: [{ name: 'api_token' }],
        steps: [
          { id: 'gate', task: 'approval@1.0.0', with: { message: 'Go on?', approvers: { roles: ['tenant-admin'] } } },
          { id: 'done', task: 'transform@1.0.0', with: { expression: 'token', data: { token: '${{ secrets.api_token }}' } } },
        ],
      },
      { name: `replay-uninstall-${s.suffix}` },
    ),
  );
  await call(s, 'gus', 'PUT', `/secrets/replay_token`, { value: 'replay fixture token' });
  const instance = await requestInstall(s, 'gus', { templateId: waiting, environment: 'dev', secrets: { api_token: 'replay_token' }, policies: { approvalsPerRun: 1 } });
  expect((await waitForInstall(s, 'gus', instance)).status).toBe('installed');
  const started = await call<{ runId: string }>(s, 'gus', 'POST', `/instances/${instance}/runs`, { params: {} });
  await waitForRun(s, 'dave', started.body.runId, waitingAt('instanceApproval'));
  const del = await call<{ workflowId: string }>(s, 'gus', 'DELETE', `/instances/${instance}?inFlight=cancel`);
  expect(await s.client.workflow.getHandle(del.body.workflowId).result()).toMatchObject({ status: 'uninstalled', cancelled: [started.body.runId] });
  await save('uninstall-cancel', del.body.workflowId);
  // the run itself: a run from an instance (its plan carries the instance's secret references)
  await waitForRun(s, 'dave', started.body.runId);
  await save('run-instance-cancelled', `run/${waiting}/${started.body.runId}`);
});

it('records a template curation', async () => {
  const pat = s.as('pat');
  const { body } = await pat.createDraft(testSpec({ name: `replay-curate-${s.suffix}`, scope: 'global' }));
  await pat.call('POST', `/definitions/${body.definitionId}/publish-requests`, { version: '1.0.0', visibility: 'partner-curated' });
  expect(await pat.waitForPublish(body.definitionId, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid'])).toBe('awaiting_approval');
  await s.as('bob').decide(body.definitionId, '1.0.0', 'approve', 'Recorded fixture approval.');
  expect(await pat.waitForPublish(body.definitionId, '1.0.0', ['published', 'rejected', 'denied', 'invalid'])).toBe('published');
  const started = await s.as('cora').call<{ workflowId: string; runId: string }>('PUT', `/templates/${body.definitionId}/audience`, { tenants: ['globex'] });
  expect(await s.client.workflow.getHandle(started.body.workflowId, started.body.runId).result()).toMatchObject({ status: 'applied', added: ['globex'] });
  await save('curate-template', started.body.workflowId);
});

it('records the upgrade lifecycle: upgraded after approval and smoke run, rolled back by a failed smoke run', async () => {
  const { testSpec: spec } = await import('../support/stack.ts');
  const { upgradeUntil } = await import('../marketplace/upgrade-support.ts');
  const version = (name: string, v: string, extra: Record<string, unknown>) => {
    const out = spec({ scope: 'global', name, version: v, extra });
    (out.metadata as Record<string, unknown>).changelog = `Recorded fixture release ${v}.`;
    return out;
  };
  const params = { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } } };
  const work = (expression: string, parameter = 'greeting') => ({ id: 'work', task: 'transform@1.0.0', with: { expression, data: { g: `\${{ params.${parameter} }}` } } });

  // breaking, migrated, approved by a second tenant admin, smoke-tested, upgraded
  const name = `replay-upgrade-${s.suffix}`;
  const template = await publishTemplate(s, version(name, '1.0.0', { parameters: params, steps: [work('g')] }));
  const instance = await requestInstall(s, 'gus', { templateId: template, environment: 'dev', parameters: { greeting: 'hi' } });
  expect((await waitForInstall(s, 'gus', instance)).status).toBe('installed');
  await publishTemplate(
    s,
    version(name, '2.0.0', {
      parameters: { type: 'object', required: ['salutation'], properties: { salutation: { type: 'string' } } },
      steps: [work('g', 'salutation')],
      upgrade: { migration: { from: '1.x', expression: "{ 'parameters': { 'salutation': parameters.greeting } }" }, smoke: { parameters: {} } },
    }),
  );
  const waiting = await upgradeUntil(s, 'gus', instance, { toVersion: '2.0.0' }, ['awaiting_approval', 'blocked', 'failed']);
  expect(waiting.status).toBe('awaiting_approval');
  expect((await call(s, 'dave', 'POST', `/instances/${instance}/upgrades/2.0.0/approvals`, { decision: 'approve', rationale: 'Recorded fixture approval.' })).status).toBe(200);
  const { waitForUpgrade } = await import('../marketplace/upgrade-support.ts');
  expect((await waitForUpgrade(s, 'gus', instance, '2.0.0', undefined, { runId: waiting.runId })).status).toBe('upgraded');
  await save('upgrade-upgraded', `upgrade/${instance}/2.0.0`);

  // a release whose smoke run fails: rolled back
  await publishTemplate(s, version(name, '2.1.0', { parameters: { type: 'object', required: ['salutation'], properties: { salutation: { type: 'string' } } }, steps: [work("$error('broken release')", 'salutation')], upgrade: { smoke: { parameters: {} } } }));
  const rolledBack = await upgradeUntil(s, 'gus', instance, { toVersion: '2.1.0' });
  expect(rolledBack.status).toBe('rolled_back');
  await save('upgrade-rolled-back', `upgrade/${instance}/2.1.0`);
});

it('records an upgrade campaign started by the publish of a non-breaking version', async () => {
  const { testSpec: spec } = await import('../support/stack.ts');
  const version = (name: string, v: string, extra: Record<string, unknown>) => {
    const out = spec({ scope: 'global', name, version: v, extra });
    (out.metadata as Record<string, unknown>).changelog = `Recorded fixture release ${v}.`;
    return out;
  };
  const params = { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } } };
  const steps = [{ id: 'work', task: 'transform@1.0.0', with: { expression: 'g', data: { g: '${{ params.greeting }}' } } }];
  const name = `replay-campaign-${s.suffix}`;
  const template = await publishTemplate(s, version(name, '1.0.0', { parameters: params, steps }));
  for (const environment of ['dev', 'staging']) {
    const instance = await requestInstall(s, 'gus', { templateId: template, environment });
    expect((await waitForInstall(s, 'gus', instance)).status).toBe('installed');
    expect((await call(s, 'gus', 'PATCH', `/instances/${instance}`, { upgradePolicy: 'minor' })).status).toBe(200);
  }
  const extended = { type: 'object', properties: { ...params.properties, punctuation: { type: 'string', default: '!' } } };
  await publishTemplate(s, version(name, '1.1.0', { parameters: extended, steps }));
  const { campaignWorkflowId } = await import('../../domain/upgrade.ts');
  const campaignId = campaignWorkflowId(template, '1.1.0');
  // two eligible instances: two waves of one
  expect(await s.client.workflow.getHandle(campaignId).result()).toMatchObject({ status: 'completed', eligible: 2 });
  await save('campaign-completed', campaignId);
  await save('publish-starts-campaign', `publish/${template}/1.1.0`);
});

it('records the certify lifecycle: certified (waiting for its expiry), overdue, superseded and refused', async () => {
  const { certify, documentedSpec } = await import('../trust/support.ts');
  const { certifyWorkflowId } = await import('../../domain/certification.ts');
  const { CERTIFY_WORKFLOW_TYPE } = await import('../../workflows/contracts/index.ts');
  const { DEMO_USERS } = await import('../../domain/demo-users.ts');

  // certified, then superseded by a recertification: the first history ends superseded, the second waits
  const first = await publishTemplate(s, documentedSpec({ name: `replay-certify-${s.suffix}` }));
  const one = await certify(s, first, '1.0.0', 'Recorded fixture certification.');
  expect(one.status).toBe('certified');
  const two = await certify(s, first, '1.0.0', 'Recorded fixture recertification.');
  expect(two.status).toBe('certified');
  expect(await s.client.workflow.getHandle(one.workflowId).result()).toMatchObject({ status: 'superseded' });
  await save('certify-superseded', one.workflowId);
  await save('certify-certified', two.workflowId);

  // overdue: a short lifetime, started directly (the API's CERTIFICATION_TTL is at least a minute)
  const second = await publishTemplate(s, documentedSpec({ name: `replay-overdue-${s.suffix}` }));
  const cid = DEMO_USERS.find((u) => u.sub === 'cid')!;
  const workflowId = certifyWorkflowId(second, '1.0.0', 1);
  const handle = await s.client.workflow.start(CERTIFY_WORKFLOW_TYPE, {
    taskQueue: s.config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [{ definitionId: second, version: '1.0.0', attempt: 1, requestedBy: cid, rationale: 'Recorded fixture certification.', ttlMs: 3_000 }],
  });
  expect(await handle.result()).toMatchObject({ status: 'overdue' });
  await save('certify-overdue', workflowId);

  // refused: the docs are incomplete
  const third = await publishTemplate(s, testSpec({ scope: 'global', name: `replay-refused-cert-${s.suffix}` }));
  const refused = await certify(s, third, '1.0.0', 'Recorded fixture certification.');
  expect(refused.status).toBe('refused');
  await save('certify-refused', refused.workflowId);
});

it('records the review lifecycle (passed, expired) and the publish that started one', async () => {
  const { passReview } = await import('../review/support.ts');
  const { startReview } = await import('../../platform/review-start.ts');
  const { DEMO_USERS } = await import('../../domain/demo-users.ts');
  const documented = (risk: string, scope: string) =>
    testSpec({
      risk,
      scope,
      extra: {
        parameters: { type: 'object', properties: { email: { type: 'string', title: 'Email' } }, examples: [{ email: 'a@example.com' }] },
        steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'email': email }", data: { email: '${{ params.email }}' } } }],
      },
    });
  // a marketplace publish starts the review; sam, perry and dora pass it
  const passed = await publishTemplate(s, documented('low', 'global'), { review: false });
  const review = await passReview(s, passed, '1.0.0');
  await s.client.workflow.getHandle(review.requestId).result();
  await save('review-passed', review.requestId);
  await save('review-security-passed', `${review.requestId}/security`);
  await save('publish-starts-review', `publish/${passed}/1.0.0`);

  // nobody decides: escalated after 1 s, expired after 2 s
  const pat = s.as('pat');
  const { body } = await pat.createDraft(documented('low', 'tenant-local'));
  await pat.requestPublish(body.definitionId, '1.0.0');
  expect(await pat.waitForPublish(body.definitionId, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
  const started = await startReview(s.sql, s.client, s.config.TEMPORAL_TASK_QUEUE, { escalateAfterMs: 1000, expireAfterMs: 2000, perfRuns: 1 }, {
    definitionId: body.definitionId,
    version: '1.0.0',
    requestedBy: DEMO_USERS.find((u) => u.sub === 'pat')!,
    visibility: 'partner-curated',
  });
  expect(await s.client.workflow.getHandle(started.workflowId).result()).toMatchObject({ status: 'expired' });
  await save('review-expired', started.workflowId);
});

it('records the guardrails: an install held by a soft rule and overridden, a publish denied by a hard rule', async () => {
  // held by marketplace.external-risk-cap (globex caps outside risk at low), overridden by dave
  const medium = await publishTemplate(
    s,
    templateSpec({ steps: [{ id: 'only', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }] }, { name: `replay-guardrail-${s.suffix}`, risk: 'medium' }),
  );
  const none = { region: null, endpoint_regions: {}, max_external_risk: null, critical_runs_per_day: null, business_hours: null };
  expect((await call(s, 'gus', 'PUT', '/tenant/policy-settings', { ...none, max_external_risk: 'low' })).status).toBe(200);
  try {
    const held = await requestInstall(s, 'gus', { templateId: medium, environment: 'staging' });
    expect((await waitForInstall(s, 'gus', held, ['awaiting_override'])).status).toBe('awaiting_override');
    const ok = await call(s, 'dave', 'POST', `/installs/${held}/override`, { rule: 'marketplace.external-risk-cap', rationale: 'Recorded fixture override.' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await waitForInstall(s, 'gus', held)).status).toBe('installed');
    await save('install-guardrail-overridden', `install/${held}`);
  } finally {
    await call(s, 'gus', 'PUT', '/tenant/policy-settings', none);
  }

  // denied by marketplace.critical-not-public
  const spec = testSpec({ scope: 'global', name: `replay-guardrail-denied-${s.suffix}`, risk: 'critical' });
  (spec.metadata as Record<string, unknown>).changelog = 'First release.';
  const { body: draft } = await s.as('pat').createDraft(spec);
  await call(s, 'pat', 'POST', `/definitions/${draft.definitionId}/publish-requests`, { version: '1.0.0', visibility: 'public-ecosystem' });
  expect(await s.as('pat').waitForPublish(draft.definitionId, '1.0.0', ['denied', 'published', 'invalid', 'awaiting_approval'])).toBe('denied');
  await save('publish-guardrail-denied', `publish/${draft.definitionId}/1.0.0`);
});
