import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, prepareDatabase, testSpec, type Stack } from '../support/stack.ts';
import { call, publishTemplate, requestInstall, waitForInstall, type User } from '../marketplace/support.ts';

// The dry-run answers what the lifecycle decides: a sample of scenarios is run both ways
// (POST /api/policy/dry-run, then the real publish or install through the API) and each
// guardrail rule's result, the outcome and the profile must agree. In a database of its own:
// the tenant settings it changes must not reach other files.

let s: Stack;

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`parity_${randomUUID().slice(0, 8)}`) });
}, 180_000);
afterAll(async () => s?.close());

interface RuleView {
  id: string;
  result: string;
}
interface Decision {
  outcome: string;
  profile: string;
  rules: RuleView[];
}
interface DryRun extends Decision {
  assumed: boolean;
}

const dry = async (user: User, body: Record<string, unknown>) => {
  const r = await call<DryRun>(s, user, 'POST', '/policy/dry-run', body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.assumed).toBe(false);
  return r.body;
};

/** The guardrail rules' results (rule id → result); the dry-run's lifecycle base checks aside. */
const results = (d: Decision, ids: string[]) => Object.fromEntries(d.rules.filter((r) => ids.includes(r.id)).map((r) => [r.id, r.result]));

function expectSame(dryRun: DryRun, lifecycle: Decision) {
  const ids = lifecycle.rules.map((r) => r.id);
  expect(ids.length).toBeGreaterThan(0);
  expect(results(dryRun, ids)).toEqual(results(lifecycle, ids));
  expect(dryRun.profile).toBe(lifecycle.profile);
  expect(dryRun.outcome).toBe(lifecycle.outcome);
}

const settings = (body: Record<string, unknown>) =>
  call(s, 'gus', 'PUT', '/tenant/policy-settings', { region: null, endpoint_regions: {}, max_external_risk: null, critical_runs_per_day: null, business_hours: null, ...body });

describe('dry-run parity', () => {
  it('installs: deny in prod, hold above the risk cap, allow in staging — the same both ways', async () => {
    const spec = testSpec({ scope: 'global', name: `parity-${randomUUID().slice(0, 8)}`, risk: 'medium' });
    (spec.metadata as Record<string, unknown>).changelog = 'First release.';
    const templateId = await publishTemplate(s, spec);

    const cases: { environment: string; cap: string | null; expected: string }[] = [
      { environment: 'prod', cap: null, expected: 'deny' },
      { environment: 'staging', cap: 'low', expected: 'hold' },
      { environment: 'staging', cap: null, expected: 'allow' },
    ];
    for (const c of cases) {
      expect((await settings({ max_external_risk: c.cap })).status).toBe(200);
      const request = { templateId, environment: c.environment };
      const predicted = await dry('gus', { operation: 'install', ...request });
      expect(predicted.outcome).toBe(c.expected);

      const id = await requestInstall(s, 'gus', request);
      const done = await waitForInstall(s, 'gus', id, ['awaiting_override', 'installed', 'denied', 'invalid', 'failed', 'rejected']);
      const view = (await call<{ guardrails?: Decision }>(s, 'gus', 'GET', `/installs/${id}`)).body;
      expect(view.guardrails, `${c.environment}/${c.cap}: ${done.status}`).toBeDefined();
      expectSame(predicted, view.guardrails!);
      expect(done.status).toBe({ deny: 'denied', hold: 'awaiting_override', allow: 'installed' }[c.expected]);
    }
    await settings({});
  });

  it('publishes: a critical public-ecosystem workflow is denied both ways; internal-only passes both ways', async () => {
    for (const [visibility, expected] of [
      ['public-ecosystem', 'deny'],
      ['internal-only', 'allow'],
    ] as const) {
      const spec = testSpec({ scope: 'global', name: `parity-pub-${randomUUID().slice(0, 8)}`, risk: 'critical' });
      (spec.metadata as Record<string, unknown>).changelog = 'First release.';
      const { body: draft } = await s.as('pat').createDraft(spec);
      const predicted = await dry('pat', { operation: 'publish', definitionId: draft.definitionId, version: '1.0.0', visibility });
      expect(predicted.outcome).toBe(expected);

      await call(s, 'pat', 'POST', `/definitions/${draft.definitionId}/publish-requests`, { version: '1.0.0', visibility });
      await s.as('pat').waitForPublish(draft.definitionId, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid']);
      const view = (await call<{ guardrails?: Decision }>(s, 'pat', 'GET', `/definitions/${draft.definitionId}/publish-requests/1.0.0`)).body;
      expect(view.guardrails, JSON.stringify(view)).toBeDefined();
      expectSame(predicted, view.guardrails!);
    }
  });
});
