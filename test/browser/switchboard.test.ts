import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSpec, type Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard());
});
afterAll(async () => close?.());

describe('Switchboard in Chromium', () => {
  it('finds a published workflow by search and approves a pending one', async () => {
    const alice = s.as('alice');
    const published = testSpec({ description: 'Walrus payroll reconciliation for the browser test' });
    const { body: a } = await alice.createDraft(published);
    await alice.requestPublish(a.definitionId, '1.0.0');
    await alice.waitForPublish(a.definitionId, '1.0.0', ['published']);
    const other = testSpec({ description: 'Ocelot travel bookings, which the search must filter out' });
    await alice.createDraft(other);
    await alice.requestPublish(`acme.${other.metadata.name}`, '1.0.0');
    await alice.waitForPublish(`acme.${other.metadata.name}`, '1.0.0', ['published']);
    const pending = testSpec({ risk: 'medium', description: 'Albatross expense approvals awaiting review' });
    const { body: p } = await alice.createDraft(pending);
    await alice.requestPublish(p.definitionId, '1.0.0');
    await alice.waitForPublish(p.definitionId, '1.0.0', ['awaiting_approval']);

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signInAs(page, base, 'bob', s.env.demoPassword);

    await page.goto(`${base}/`);
    const rows = page.locator('[data-testid="catalog-row"]');
    await rows.nth(1).waitFor(); // both published entries before searching
    await page.getByLabel('Search catalog').fill('walrus');
    await page.waitForURL((u) => u.searchParams.get('q') === 'walrus');
    await page.locator('[data-testid="catalog-row"]', { hasText: `acme.${other.metadata.name}` }).waitFor({ state: 'detached' });
    expect(await rows.allTextContents()).toEqual([expect.stringContaining(a.definitionId)]);
    await page.screenshot({ path: 'test-results/switchboard-catalog.png' });

    await page.goto(`${base}/approvals`);
    const item = page.locator('[data-testid="approval-item"]', { hasText: p.definitionId });
    await item.waitFor();
    await item.getByRole('button', { name: 'Approve' }).click();
    await item.locator('[data-testid="approval-error"]').waitFor();
    expect(await item.locator('[data-testid="approval-error"]').textContent()).toContain('RATIONALE_REQUIRED');

    await item.getByLabel('Rationale').fill('Expense thresholds checked; safe to publish.');
    await item.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-testid="decision-notice"]').waitFor();
    await page.screenshot({ path: 'test-results/switchboard-approved.png' });

    expect(await alice.waitForPublish(p.definitionId, '1.0.0', ['published'])).toBe('published');
    const [row2] = await s.sql`select approver, rationale from approval where definition_id = ${p.definitionId}`;
    expect(row2).toEqual({ approver: 'bob', rationale: 'Expense thresholds checked; safe to publish.' });
  });
});
