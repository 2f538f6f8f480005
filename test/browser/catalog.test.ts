import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';
import { passReview } from '../review/support.ts';

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard());
});
afterAll(async () => close?.());

interface Entry {
  id: string;
  title: string;
}

/**
 * Publishes one version through the API; elevated risk or global scope waits for Bob's
 * approval. A global one is published by pat: a plain author may not offer it to others.
 */
async function publish(o: { description: string; category: string; risk: string; scope?: string; tags: string[]; extra?: Record<string, unknown> }): Promise<Entry> {
  const alice = s.as(o.scope === 'global' ? 'pat' : 'alice');
  const spec = testSpec({ risk: o.risk, scope: o.scope ?? 'tenant-local', description: o.description, ...(o.extra ? { extra: o.extra } : {}) });
  spec.metadata.category = o.category;
  spec.metadata.tags = o.tags;
  const { body } = await alice.createDraft(spec);
  await alice.requestPublish(body.definitionId, '1.0.0');
  const status = await alice.waitForPublish(body.definitionId, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid']);
  if (status === 'awaiting_approval') {
    await s.as('bob').decide(body.definitionId, '1.0.0', 'approve', `Reviewed ${o.category} steps and approvers.`);
    expect(await alice.waitForPublish(body.definitionId, '1.0.0', ['published', 'rejected', 'invalid'])).toBe('published');
  } else {
    expect(status).toBe('published');
  }
  // a global entry asks for public-ecosystem: other tenants see it once its platform review passed
  if (o.scope === 'global') await passReview(s, body.definitionId, '1.0.0');
  return { id: body.definitionId, title: spec.metadata.title };
}

async function signedIn(user: DemoUser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await signInAs(page, base, user, s.env.demoPassword);
  return page;
}

const rowIds = (page: Page) => page.locator('[data-testid="catalog-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
const facetOption = (page: Page, facet: string, value: string) => page.locator(`[data-testid="facet-option"][data-facet="${facet}"][data-value="${value}"]`);
/** the count shown beside a facet value */
const facetCount = async (page: Page, facet: string, value: string) => {
  const option = facetOption(page, facet, value);
  const shown = (await option.locator('[data-testid="facet-count"]').textContent())?.replace(/[()]/g, '');
  expect(shown).toBe(await option.getAttribute('data-count'));
  return shown;
};
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);
/** the page shows exactly these rows, the new query's (not the previous one's, still dimmed) */
const expectRows = async (page: Page, ids: string[]) => {
  await expect.poll(() => rowIds(page), { timeout: 15_000 }).toEqual([...ids].sort());
  await expect.poll(() => page.locator('[data-testid="results-summary"]').getAttribute('data-found')).toBe(String(ids.length));
};

describe('Switchboard catalog in Chromium', () => {
  let onboard: Entry, revoke: Entry, badges: Entry, invoices: Entry, wombat: Entry;

  beforeAll(async () => {
    onboard = await publish({ description: 'Quokka onboarding: accounts, laptop and a buddy', category: 'HR', risk: 'low', tags: ['onboarding'] });
    revoke = await publish({
      description: 'Quokka access revocation for leavers across every system',
      category: 'Security',
      risk: 'high',
      tags: ['offboarding', 'access'],
      extra: {
        parameters: { type: 'object', required: ['employee'], properties: { employee: { type: 'string', minLength: 1, title: 'Employee' } } },
        steps: [
          { id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'employee': employee }", data: { employee: '${{ params.employee }}' } } },
          { id: 'securitySignOff', name: 'Security sign-off', task: 'approval@1.0.0', with: { message: 'Revoke ${{ params.employee }}?', approvers: { roles: ['reviewer'] } } },
        ],
      },
    });
    badges = await publish({ description: 'Quokka badge audit of the office doors', category: 'Security', risk: 'low', tags: ['access'] });
    invoices = await publish({ description: 'Quokka invoice reconciliation against budgets', category: 'FinOps', risk: 'medium', scope: 'global', tags: ['budget'] });
    wombat = await publish({ description: 'Wombat travel bookings, which the search must leave out', category: 'HR', risk: 'low', tags: ['travel'] });
  }, 180_000);

  it('search → filter by category and risk → back restores the filters → open a detail → tabs → start a run', { timeout: 180_000 }, async () => {
    const page = await signedIn('alice');
    await page.goto(`${base}/`);
    await expectRows(page, [onboard.id, revoke.id, badges.id, invoices.id, wombat.id]);
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName('catalog:first-rows').length)).toBe(1);

    // Search as you type: the words go into the URL, the rows and counts follow.
    await page.getByLabel('Search catalog').pressSequentially('quokka', { delay: 40 });
    await page.waitForURL((u) => u.searchParams.get('q') === 'quokka');
    await expectRows(page, [onboard.id, revoke.id, badges.id, invoices.id]);
    expect(await facetCount(page, 'category', 'Security')).toBe('2');
    expect(await facetCount(page, 'category', 'HR')).toBe('1');
    expect(await facetCount(page, 'category', 'FinOps')).toBe('1');
    await page.screenshot({ path: 'test-results/catalog-search.png' });

    // Filter by category, then by risk: each a new history entry.
    await facetOption(page, 'category', 'Security').click();
    await page.waitForURL((u) => u.searchParams.get('category') === 'Security');
    expect(param(page, 'q')).toBe('quokka');
    await expectRows(page, [revoke.id, badges.id]);
    expect(await facetCount(page, 'risk', 'high')).toBe('1');
    expect(await facetCount(page, 'risk', 'low')).toBe('1');

    await facetOption(page, 'risk', 'high').click();
    await page.waitForURL((u) => u.searchParams.get('risk') === 'high');
    expect(param(page, 'category')).toBe('Security');
    await expectRows(page, [revoke.id]);
    const row = page.locator('[data-testid="catalog-row"]', { hasText: revoke.id });
    expect(await row.getAttribute('data-risk')).toBe('high');
    expect(await row.locator('[data-testid="row-approval-note"]').textContent()).toContain('Runs need approval');
    await page.screenshot({ path: 'test-results/catalog-filtered.png' });

    // Back restores the previous filter state (URL, checked options, rows), and again.
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('risk') === null && u.searchParams.get('category') === 'Security');
    await expectRows(page, [revoke.id, badges.id]);
    expect(await facetOption(page, 'risk', '').locator('input').isChecked()).toBe(true);
    expect(await facetOption(page, 'category', 'Security').locator('input').isChecked()).toBe(true);
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('category') === null && u.searchParams.get('q') === 'quokka');
    await expectRows(page, [onboard.id, revoke.id, badges.id, invoices.id]);
    await page.goForward();
    await page.waitForURL((u) => u.searchParams.get('category') === 'Security');
    await expectRows(page, [revoke.id, badges.id]);

    // A shared link opens the same search, cold: the inline script in index.html asked for
    // the first page before the app loaded, and the app used that answer rather than asking again.
    const asked: string[] = [];
    page.on('request', (r) => void (new URL(r.url()).pathname === '/api/catalog' && asked.push(r.url())));
    await page.goto(`${base}/?q=quokka&category=Security&risk=high`);
    await expectRows(page, [revoke.id]);
    expect(asked.map((u) => new URL(u).search)).toEqual(['?q=quokka&category=Security&risk=high&page=1&perPage=100']);
    // started by the inline script (which leaves the handoff key behind), taken by the app
    expect(await page.evaluate(() => '__catalogPrefetch' in window && window.__catalogPrefetch === undefined)).toBe(true);

    // Open the detail from the keyboard: the row is a tab stop, Enter opens it.
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/catalog/${revoke.id}`);
    const requirements = page.locator('[data-testid="approval-requirements"]');
    await requirements.waitFor();
    expect(await requirements.locator('[data-testid="approval-requirement"]').getAttribute('data-step-id')).toBe('securitySignOff');
    expect(await page.locator('[data-testid="head-approval-note"]').textContent()).toContain('approval');
    await page.screenshot({ path: 'test-results/catalog-detail-overview.png', fullPage: true });

    // Tabs: the selected one is in the URL; arrows, Home and End move between them.
    const tab = (id: string) => page.locator(`[data-testid="tab"][data-tab="${id}"]`);
    await tab('provenance').click();
    await page.waitForURL((u) => u.searchParams.get('tab') === 'provenance');
    const publishEntry = page.locator('[data-testid="provenance-entry"][data-lifecycle="publish"]');
    await publishEntry.waitFor();
    const link = await publishEntry.locator('[data-testid="provenance-link"]').getAttribute('href');
    expect(link).toContain(s.config.temporalUiUrl);
    expect(link).toContain(encodeURIComponent(`publish/${revoke.id}/1.0.0`));
    await page.screenshot({ path: 'test-results/catalog-detail-provenance.png', fullPage: true });

    await page.keyboard.press('ArrowRight'); // wraps to the first tab
    await page.waitForURL((u) => u.searchParams.get('tab') === null);
    expect(await tab('overview').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe('overview');
    await page.keyboard.press('End');
    await page.waitForURL((u) => u.searchParams.get('tab') === 'provenance');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL((u) => u.searchParams.get('tab') === 'approvals');
    const approval = page.locator('[data-testid="publish-approval"][data-version="1.0.0"]');
    await approval.waitFor();
    expect(await approval.textContent()).toContain('Reviewed Security steps and approvers.');
    expect(await approval.getAttribute('data-decision')).toBe('approve');
    await page.keyboard.press('Home');
    await page.waitForURL((u) => u.searchParams.get('tab') === null);

    await tab('versions').click();
    const version = page.locator('[data-testid="version-row"][data-version="1.0.0"]');
    await version.waitFor();
    expect(await version.getAttribute('data-status')).toBe('published');
    // the computed change kind: the first published version is the initial one
    expect(await version.locator('[data-testid="change-kind"]').getAttribute('data-kind')).toBe('initial');
    expect(await version.locator('[data-testid="version-lifecycle-link"]').getAttribute('href')).toContain(s.config.temporalUiUrl);

    await tab('trust').click();
    await page.locator('[data-testid="no-runs"]').waitFor();

    // Run Workflow leads to the form (on the overview, below what a run waits for).
    await page.locator('[data-testid="run-workflow"]').click();
    await page.waitForURL((u) => u.searchParams.get('tab') === null);
    const form = page.locator('[data-testid="run-form"]');
    await form.waitFor();
    expect(await page.locator('[data-testid="risk-warning"]').count()).toBe(1);
    await form.locator('[data-testid="field-employee"] input').fill('sam.leaver');
    await form.getByRole('button', { name: 'Run workflow' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator('[data-testid="run-step"][data-step-id="securitySignOff"][data-status="waiting_approval"]').waitFor({ timeout: 30_000 });
    const { body: runs } = await s.as('alice').call<{ items: { runId: string }[] }>('GET', `/runs?definitionId=${revoke.id}`);
    expect(runs.items.map((r) => r.runId)).toEqual([runId]);
  });

  it('keyboard: Escape clears the box and the query, Enter searches without waiting; rows move with the arrows', { timeout: 120_000 }, async () => {
    const page = await signedIn('alice');
    await page.goto(`${base}/?q=quokka&category=Security`);
    await expectRows(page, [revoke.id, badges.id]);
    const box = page.getByLabel('Search catalog');
    await box.focus();
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.searchParams.get('q') === null);
    expect(await box.inputValue()).toBe('');
    expect(param(page, 'category')).toBe('Security'); // Escape clears the words, not the filters
    await expectRows(page, [revoke.id, badges.id]);

    // With the page's clock stopped the debounce cannot fire: only Enter can search.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 60_000);
    await box.fill('badge');
    await page.waitForTimeout(600); // real time, well past the debounce: still nothing may have been searched
    expect(param(page, 'q')).toBeNull();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'badge');
    await page.clock.resume();
    await expectRows(page, [badges.id]);

    // Focus order: search → sort → filters → results; rows move with the arrow keys.
    await page.goto(`${base}/?q=quokka`);
    await expectRows(page, [onboard.id, revoke.id, badges.id, invoices.id]);
    await box.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('sort');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="facet"]')?.getAttribute('data-facet'))).toBe('category');
    await page.locator('[data-testid="catalog-row"][data-index="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('2');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('3');
    await page.keyboard.press('Home');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('0');
    const first = await page.evaluate(() => document.activeElement?.getAttribute('data-id'));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/catalog/${first}`);

    // An empty result offers to clear the filters.
    await page.goto(`${base}/?q=quokka&category=Compliance`);
    const empty = page.locator('[data-testid="empty-state"]');
    await empty.waitFor();
    await empty.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('category') === null && u.searchParams.get('q') === 'quokka');
    await expectRows(page, [onboard.id, revoke.id, badges.id, invoices.id]);
  });

  it('says so when the search index is unreachable (the database answers, same tenant rule); a refused request shows the error', { timeout: 120_000 }, async () => {
    // The same database behind an API whose Typesense address answers nothing.
    const cut = await openStack({ worker: false, envOverrides: { TYPESENSE_URL: 'http://127.0.0.1:9' } });
    const cutServer = serve({ fetch: cut.app.fetch, hostname: '127.0.0.1', port: 0 });
    try {
      await new Promise((r) => cutServer.once('listening', r));
      const cutBase = `http://127.0.0.1:${(cutServer.address() as AddressInfo).port}`;
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await signInAs(page, cutBase, 'carol', s.env.demoPassword);
      await page.goto(`${cutBase}/?q=quokka`);
      const notice = page.locator('[data-testid="degraded-notice"]');
      await notice.waitFor();
      expect(await notice.textContent()).toContain('database search, no typo tolerance');
      expect(await page.locator('[data-testid="results-source"]').getAttribute('data-source')).toBe('postgres');
      await expectRows(page, [invoices.id]); // carol (globex) still sees only acme's global entry
      await page.screenshot({ path: 'test-results/catalog-degraded.png' });

      await page.evaluate(() => localStorage.setItem('maestro.token', 'not-a-token'));
      await page.goto(`${cutBase}/?q=quokka`);
      const alert = page.locator('[role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('TOKEN_INVALID');
      await alert.getByRole('button', { name: 'Try again' }).waitFor();
    } finally {
      await new Promise((r) => cutServer.close(r));
      await cut.close();
    }
  });

  it("another tenant sees a global entry but not its publish approvals; screenshots at a narrow width", { timeout: 120_000 }, async () => {
    const page = await signedIn('carol', { width: 390, height: 844 });
    await page.goto(`${base}/?q=quokka`);
    await expectRows(page, [invoices.id]); // alice's tenant-local entries stay in acme
    await page.screenshot({ path: 'test-results/catalog-narrow.png', fullPage: true });
    await page.goto(`${base}/catalog/${invoices.id}?tab=approvals`);
    const empty = page.locator('[data-testid="approvals-empty"]');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('not visible to your tenant');
    await page.screenshot({ path: 'test-results/catalog-detail-narrow.png', fullPage: true });
  });
});
