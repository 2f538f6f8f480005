import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, install, publishTemplate } from '../marketplace/support.ts';
import { prepareDatabase, testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

// Issue 11's acceptance in Chromium, in a database of its own: acme publishes a template and
// installs it in its own tenant; a breaking 2.0.0 with a new required parameter is planned,
// supplied, requested by an author (alice), approved by a tenant admin (tina) and smoke-tested;
// a broken 2.1.0, whose smoke run fails every time, rolls back.

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard({ databaseUrl: await prepareDatabase(`upg_ui_${randomUUID().slice(0, 8)}`) }));
}, 180_000);
afterAll(async () => close?.());

async function signedIn(user: DemoUser, width = 1280): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height: 1000 } })).newPage();
  await signInAs(page, base, user, s.env.demoPassword);
  return page;
}

const name = `upg-${randomUUID().slice(0, 8)}`;
/** A version of the one template of this file, with the changelog every published version needs. */
function greet(version: string, extra: Record<string, unknown>, changelog: string) {
  const spec = testSpec({ name, version, scope: 'global', description: 'Kiwi greeting: shapes a greeting for the upgrade browser test', extra });
  return { ...spec, metadata: { ...spec.metadata, changelog } };
}

/** 1.0.0: one optional parameter. */
const v1 = () =>
  greet(
    '1.0.0',
    {
      parameters: { type: 'object', properties: { greeting: { type: 'string', default: 'Hello', title: 'Greeting' } } },
      steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'text': greeting }", data: { greeting: '${{ params.greeting }}' } } }],
    },
    'First version.',
  );

/** 2.0.0 (breaking): a new required parameter without a default; a smoke run that passes. */
const v2 = () =>
  greet(
    '2.0.0',
    {
      parameters: {
        type: 'object',
        required: ['region'],
        properties: {
          greeting: { type: 'string', default: 'Hello', title: 'Greeting' },
          region: { type: 'string', title: 'Region', description: 'Where the greeting is sent from', minLength: 2 },
        },
      },
      steps: [
        { id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'text': greeting & ' from ' & region }", data: { greeting: '${{ params.greeting }}', region: '${{ params.region }}' } } },
      ],
      upgrade: { smoke: { mode: 'run', timeout: '2m' } },
    },
    'Greetings name their region (a new required parameter).',
  );

/** 2.1.0 (non-breaking): a new step that fails every time, so its smoke run does too. */
const v21 = () =>
  greet(
    '2.1.0',
    {
      parameters: {
        type: 'object',
        required: ['region'],
        properties: {
          greeting: { type: 'string', default: 'Hello', title: 'Greeting' },
          region: { type: 'string', title: 'Region', description: 'Where the greeting is sent from', minLength: 2 },
        },
      },
      steps: [
        { id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'text': greeting & ' from ' & region }", data: { greeting: '${{ params.greeting }}', region: '${{ params.region }}' } } },
        { id: 'verify', task: 'transform@1.0.0', with: { expression: '$error("the greeting service is gone")', data: {} } },
      ],
      upgrade: { smoke: { mode: 'run', timeout: '2m' } },
    },
    'Verifies each greeting (broken on purpose).',
  );

const status = (page: Page, value: string) => page.locator(`[data-testid="upgrade-status"][data-status="${value}"]`).first();

describe('Upgrades in Chromium', () => {
  it('a breaking 2.0.0 is planned, supplied, approved and smoke-tested; a broken 2.1.0 rolls back', { timeout: 420_000 }, async () => {
    const templateId = await publishTemplate(s, v1());
    const instanceId = await install(s, 'tina', { templateId, version: '1.0.0', environment: 'dev', parameters: { greeting: 'Kia ora' } });
    await publishTemplate(s, v2());

    // alice (an acme author) sees the breaking upgrade on the instance and in the list
    const alice = await signedIn('alice');
    await alice.goto(`${base}/instances`);
    const row = alice.locator(`[data-testid="instance-row"][data-id="${instanceId}"]`);
    await row.waitFor();
    await expect.poll(async () => row.locator('[data-testid="upgrade-available"]').getAttribute('data-kind'), { timeout: 15_000 }).toBe('breaking');
    expect(await row.locator('[data-testid="upgrade-available"]').textContent()).toContain('Upgrade available (breaking)');
    await alice.screenshot({ path: 'test-results/upgrade-instances.png', fullPage: true });

    // the template's versions carry their computed change kind
    await alice.goto(`${base}/marketplace/${templateId}`);
    await expect.poll(() => alice.locator('[data-testid="template-version"][data-version="2.0.0"] [data-testid="change-kind"]').getAttribute('data-kind')).toBe('breaking');

    await alice.goto(`${base}/instances/${instanceId}`);
    const available = alice.locator('[data-testid="upgrade-available"]');
    await available.waitFor();
    expect(await available.textContent()).toContain('Upgrade available (breaking)');
    expect(await available.getAttribute('data-version')).toBe('2.0.0');
    // the policy is shown to every member; only a tenant admin edits it
    await alice.locator('[data-testid="upgrade-policy"]').waitFor();
    expect(await alice.locator('[data-testid="upgrade-policy-save"]').count()).toBe(0);
    await alice.screenshot({ path: 'test-results/upgrade-instance-available.png', fullPage: true });

    // the plan: breaking, region missing, approval needed; supply it and the plan is ready
    await alice.locator('[data-testid="upgrade-plan-link"]').click();
    await alice.waitForURL((u) => u.pathname === `/instances/${instanceId}/upgrade` && u.searchParams.get('to') === '2.0.0');
    const plan = alice.locator('[data-testid="upgrade-plan"]');
    await plan.waitFor({ timeout: 30_000 });
    expect(await plan.getAttribute('data-kind')).toBe('breaking');
    expect(await alice.locator('[data-testid="plan-reasons"]').textContent()).toContain('region');
    await expect.poll(() => alice.locator('[data-testid="plan-missing"]').textContent()).toContain('region');
    expect(await alice.locator('[data-testid="plan-approval"]').getAttribute('data-required')).toBe('true');
    expect(await alice.locator('[data-testid="plan-parameters"] [data-name="greeting"] td').first().textContent()).toBe('Kia ora');
    await alice.screenshot({ path: 'test-results/upgrade-plan-missing.png', fullPage: true });
    await alice.locator('[data-testid="upgrade-supply"] [data-testid="field-region"] input').fill('Aotearoa');
    await expect.poll(() => alice.locator('[data-testid="plan-verdict"]').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
    const regionRow = alice.locator('[data-testid="plan-parameters"] [data-name="region"]');
    expect(await regionRow.getAttribute('data-change')).toBe('added');
    expect(await regionRow.textContent()).toContain('Aotearoa');
    await alice.screenshot({ path: 'test-results/upgrade-plan-ready.png', fullPage: true });
    await alice.getByRole('button', { name: 'Start upgrade' }).click();

    // the live page: it waits for approval; alice may not approve her own request
    await alice.waitForURL(`${base}/instances/${instanceId}/upgrades/2.0.0`);
    await status(alice, 'awaiting_approval').waitFor({ timeout: 30_000 });
    expect(await alice.locator('[data-testid="upgrade-decision"]').count()).toBe(0);
    await alice.screenshot({ path: 'test-results/upgrade-awaiting-approval.png', fullPage: true });

    // tina, acme's tenant admin, approves it on the same page
    const tina = await signedIn('tina');
    await tina.goto(`${base}/instances/${instanceId}/upgrades/2.0.0`);
    const decision = tina.locator('[data-testid="upgrade-decision"]');
    await decision.waitFor({ timeout: 30_000 });
    await decision.getByLabel('Rationale').fill('Region supplied; smoke run declared. Approved.');
    await decision.getByRole('button', { name: 'Approve upgrade' }).click();

    // alice's page follows it: the smoke run passes and the upgrade ends upgraded
    await alice.locator('[data-testid="smoke-run-link"]').waitFor({ timeout: 60_000 });
    await status(alice, 'upgraded').waitFor({ timeout: 120_000 });
    expect(await alice.locator('[data-testid="smoke-status"]').getAttribute('data-status')).toBe('completed');
    expect(await alice.locator('[data-testid="upgrade-approvals"]').textContent()).toContain('Region supplied; smoke run declared. Approved.');
    expect(await alice.locator('[data-testid="upgrade-temporal-link"]').getAttribute('href')).toContain(encodeURIComponent(`upgrade/${instanceId}/2.0.0`));
    expect(await alice.locator('[data-testid="upgrade-timeline"] [data-phase="end"]').getAttribute('data-mark')).toBe('done');
    await alice.screenshot({ path: 'test-results/upgrade-upgraded.png', fullPage: true });
    const smokeRun = await alice.locator('[data-testid="smoke-run-link"]').getAttribute('href');
    expect(smokeRun).toMatch(/^\/runs\//);

    // the instance is on 2.0.0 with the supplied binding; its history lists the upgrade
    await alice.goto(`${base}/instances/${instanceId}`);
    await expect.poll(() => alice.locator('[data-testid="instance-version"]').textContent(), { timeout: 15_000 }).toContain('v2.0.0');
    expect(await alice.locator('[data-testid="binding-param"][data-name="region"]').textContent()).toContain('Aotearoa');
    await alice.locator('[data-testid="upgrade-row"][data-version="2.0.0"][data-status="upgraded"]').waitFor();

    // tina, a tenant admin, edits the policy: patch versions only, so the minor 2.1.0 waits for a manual upgrade
    await tina.goto(`${base}/instances/${instanceId}`);
    const policy = tina.locator('[data-testid="upgrade-policy"]');
    await policy.waitFor();
    expect(await policy.getAttribute('data-policy')).toBe('pinned');
    await policy.getByLabel(/^Patch/).check();
    await policy.getByRole('button', { name: 'Save policy' }).click();
    await tina.locator('[data-testid="upgrade-policy"][data-policy="patch"]').waitFor({ timeout: 15_000 });
    expect((await call<{ upgradePolicy: string }>(s, 'tina', 'GET', `/instances/${instanceId}`)).body.upgradePolicy).toBe('patch');
    await publishTemplate(s, v21());
    await tina.goto(`${base}/instances/${instanceId}/upgrade?to=2.1.0`);
    await tina.locator('[data-testid="upgrade-plan"][data-kind="non-breaking"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => tina.locator('[data-testid="plan-verdict"]').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
    expect(await tina.locator('[data-testid="plan-steps"] [data-id="verify"]').getAttribute('data-change')).toBe('added');
    await tina.getByRole('button', { name: 'Start upgrade' }).click();
    await tina.waitForURL(`${base}/instances/${instanceId}/upgrades/2.1.0`);
    await status(tina, 'rolled_back').waitFor({ timeout: 120_000 });
    const rollback = tina.locator('[data-testid="upgrade-rollback"]');
    expect(await rollback.textContent()).toContain('SMOKE_RUN_FAILED');
    expect(await tina.locator('[data-testid="smoke-status"]').getAttribute('data-status')).toBe('failed');
    expect(await tina.locator('[data-testid="upgrade-timeline"] [data-phase="smoke_testing"]').getAttribute('data-mark')).toBe('failed');
    await tina.screenshot({ path: 'test-results/upgrade-rolled-back.png', fullPage: true });

    // back on 2.0.0 with its bindings before
    await tina.goto(`${base}/instances/${instanceId}`);
    await expect.poll(() => tina.locator('[data-testid="instance-version"]').textContent(), { timeout: 15_000 }).toContain('v2.0.0');
    expect(await tina.locator('[data-testid="binding-param"][data-name="region"]').textContent()).toContain('Aotearoa');
    await tina.locator('[data-testid="upgrade-row"][data-version="2.1.0"][data-status="rolled_back"]').waitFor();
    expect(await tina.locator('[data-testid="upgrade-last-attempt"]').textContent()).toBe('rolled back');
    const api = await call<{ version: string; parameters: Record<string, unknown> }>(s, 'tina', 'GET', `/instances/${instanceId}`);
    expect(api.body.version).toBe('2.0.0');
    expect(api.body.parameters).toMatchObject({ greeting: 'Kia ora', region: 'Aotearoa' });
    await tina.screenshot({ path: 'test-results/upgrade-instance-after-rollback.png', fullPage: true });

    // alice, an author of acme (the publisher): the instance lags behind 2.1.0; 2.1.0's campaign found nothing its policy allows (patch only)
    await expect
      .poll(
        async () => {
          await alice.goto(`${base}/marketplace/${templateId}`);
          await alice.locator('[data-testid="template-campaigns"]').waitFor();
          return alice.locator('[data-testid="campaign-item"][data-version="2.1.0"]').getAttribute('data-status', { timeout: 5_000 }).catch(() => null);
        },
        { timeout: 60_000 },
      )
      .toBe('nothing_to_do');
    expect(await alice.locator('[data-testid="usage-lagging"]').getAttribute('data-lagging')).toBe('1');
    await alice.screenshot({ path: 'test-results/upgrade-template-publisher.png', fullPage: true });
    await alice.locator('[data-testid="campaign-item"][data-version="2.1.0"] a').click();
    await alice.waitForURL(`${base}/marketplace/${templateId}/campaigns/2.1.0`);
    await alice.locator('[data-testid="campaign-detail"][data-status="nothing_to_do"]').waitFor();
    await alice.screenshot({ path: 'test-results/upgrade-campaign.png', fullPage: true });

    // narrow screens: the plan and the live page still read top to bottom
    const narrow = await signedIn('alice', 390);
    await narrow.goto(`${base}/instances/${instanceId}/upgrades/2.1.0`);
    await status(narrow, 'rolled_back').waitFor();
    await narrow.screenshot({ path: 'test-results/upgrade-rolled-back-narrow.png', fullPage: true });
    await narrow.goto(`${base}/instances/${instanceId}/upgrade?to=2.1.0`);
    await narrow.locator('[data-testid="plan-verdict"][data-ready="true"]').waitFor({ timeout: 30_000 });
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await narrow.screenshot({ path: 'test-results/upgrade-plan-narrow.png', fullPage: true });
    await narrow.goto(`${base}/instances/${instanceId}`);
    await narrow.locator('[data-testid="upgrade-history"] [data-testid="upgrade-row"]').first().waitFor();
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await narrow.screenshot({ path: 'test-results/upgrade-instance-narrow.png', fullPage: true });
  });
});
