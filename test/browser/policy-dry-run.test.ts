import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase, type DemoUser, type Stack } from '../support/stack.ts';
import { call } from '../marketplace/support.ts';
import { publishCritical } from '../policies/dry-run-support.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

// The policy dry-run in Chromium, in a database of its own: globex (the installer) may reach
// the template's partner endpoint (an allow-list without "*").

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let critical: string;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard({ databaseUrl: await prepareDatabase(`dryrun_ui_${randomUUID().slice(0, 8)}`) }));
  await s.sql`update tenant_setting set egress_allow = ${['api.partner.example']}::text[], egress_ports = ${['443']}::text[] where tenant_id = 'globex'`;
  critical = await publishCritical(s);
}, 300_000);
afterAll(async () => {
  await close?.();
});

async function signedIn(user: DemoUser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1100 } })).newPage();
  await signInAs(page, base, user, s.env.demoPassword);
  return page;
}

describe('Policy dry-run in Chromium', () => {
  it('a tenant admin sees prod denied by marketplace.prod-needs-certification with its fix, switches to staging, sees it pass, and installs', { timeout: 240_000 }, async () => {
    const gus = await signedIn('gus');
    await gus.goto(`${base}/marketplace/${critical}/install`);
    const wizard = gus.locator('[data-testid="install-wizard"]');
    await wizard.waitFor();
    const panel = gus.locator('[data-testid="dry-run"]');
    const outcome = panel.locator('[data-testid="dry-run-outcome"]');

    await wizard.locator('[data-testid="environment"]').getByLabel('prod').check();
    await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('deny');
    const denial = panel.locator('[data-testid="dry-run-denying"] > li[data-rule="marketplace.prod-needs-certification"]');
    await denial.waitFor();
    expect(await denial.locator('[data-testid="dry-run-fix"]').textContent()).toMatch(/Fix:.*certif/i);
    expect(await panel.locator('[data-testid="dry-run-approvals"]').textContent()).toContain('2 approvals');
    const submit = wizard.locator('[data-testid="install-submit"]');
    expect(await submit.isDisabled()).toBe(true);
    await gus.screenshot({ path: 'test-results/policy-dry-run-install-prod.png', fullPage: true });

    await wizard.locator('[data-testid="environment"]').getByLabel('staging').check();
    await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('allow');
    expect(await panel.locator('[data-testid="dry-run-denying"]').count()).toBe(0);
    expect(await submit.isDisabled()).toBe(false);
    await gus.screenshot({ path: 'test-results/policy-dry-run-install-staging.png', fullPage: true });

    await wizard.getByRole('button', { name: 'Install', exact: true }).click();
    await gus.waitForURL(/\/instances\/globex\.[a-z0-9.-]+$/);
    const instanceId = decodeURIComponent(new URL(gus.url()).pathname.split('/').pop()!);
    // critical: a second tenant admin must approve before the instance is created
    await expect
      .poll(async () => (await call<{ status: string }>(s, 'gus', 'GET', `/installs/${instanceId}`)).body.status, { timeout: 60_000, interval: 300 })
      .toBe('awaiting_approval');
    expect((await call<{ environment: string }>(s, 'gus', 'GET', `/installs/${instanceId}`)).body.environment).toBe('staging');
  });

  it('the What-if page: edit the inputs and assumed settings, watch the outcome change', { timeout: 120_000 }, async () => {
    const gus = await signedIn('gus');
    await gus.getByRole('link', { name: 'What-if' }).click();
    await gus.waitForURL(`${base}/policy/what-if`);
    await gus.locator('[data-testid="rule-catalog"] tr[data-rule="marketplace.prod-needs-certification"]').waitFor();
    await gus.locator('[data-testid="what-if-template"]').fill(critical);
    await gus.locator('[data-testid="what-if-template"]').press('Tab');
    await gus.locator('[data-testid="what-if-environment"]').selectOption('prod');
    const outcome = gus.locator('[data-testid="dry-run-outcome"]');
    await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('deny');
    await gus.locator('[data-testid="what-if-environment"]').selectOption('staging');
    await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('allow');
    await gus.locator('[data-testid="what-if-assume-toggle"]').check();
    await gus.locator('[data-testid="what-if-max-risk"]').selectOption('high');
    await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('hold');
    await gus.locator('[data-testid="dry-run-assumed"]').waitFor();
    expect(await gus.locator('[data-testid="dry-run-denying"] > li[data-rule="marketplace.external-risk-cap"]').count()).toBe(1);
    await gus.screenshot({ path: 'test-results/policy-what-if.png', fullPage: true });
    // nothing was stored
    expect((await s.sql`select max_external_risk from tenant_setting where tenant_id = 'globex'`)[0]!.max_external_risk).toBeNull();
  });
});
