import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingFixture, type RecordingFixture } from '../support/recording-fixture.ts';
import { passReview } from '../review/support.ts';
import { prepareDatabase, testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

// The marketplace in Chromium, in a database of its own: globex (the installer) is given an
// egress allow-list that reaches the local fixture of the partner system, which the shared
// database's globex must never have.

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let fx: RecordingFixture;

const publisherCanary = `acme-canary-${randomBytes(12).toString('hex')}`;
const installerValue = `globex-desk-${randomBytes(12).toString('hex')}`;
const globexSecret = 'globex_desk';

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard({ databaseUrl: await prepareDatabase(`mkt_ui_${randomUUID().slice(0, 8)}`) }));
  fx = await startRecordingFixture({ 'POST /tickets': (r) => ({ status: 201, body: { id: 'T-42', title: (r.json as { title: string }).title } }) });
  const port = new URL(fx.url).port;
  await s.sql`update tenant_setting set egress_allow = ${['*.example.internal', '127.0.0.1']}::text[], egress_ports = ${['443', port]}::text[]
              where tenant_id = 'globex'`;
  // the publisher's own secret of the spec's name: never bound, never used by an installer
  expect((await s.request('PUT', '/api/secrets/desk_token', { user: 'pat', body: JSON.stringify({ value: publisherCanary }) })).status).toBe(204);
  expect((await s.request('PUT', `/api/secrets/${globexSecret}`, { user: 'gus', body: JSON.stringify({ value: installerValue, description: 'Service desk token of globex' }) })).status).toBe(204);
}, 180_000);
afterAll(async () => {
  await fx?.close();
  await close?.();
});

async function signedIn(user: DemoUser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await signInAs(page, base, user, s.env.demoPassword);
  return page;
}

/** acme's publisher shares a ticket-filing workflow with every tenant (reviewed by bob). */
async function publishPublicTemplate(): Promise<{ id: string; title: string }> {
  const spec = testSpec({
    scope: 'global',
    description: 'Kestrel ticket filing: opens a ticket at the service desk',
    extra: {
      parameters: {
        type: 'object',
        required: ['deskUrl'],
        properties: {
          title: { type: 'string', default: 'Hello from the marketplace', title: 'Ticket title' },
          deskUrl: { type: 'string', format: 'uri', title: 'Service desk URL' },
        },
      },
      secrets: [{ name: 'desk_token', description: 'Token of the service desk' }],
      steps: [{ id: 'file', task: 'http.request@1.0.0', with: { url: '${{ params.deskUrl }}/tickets', method: 'POST', authToken: '${{ secrets.desk_token }}', body: { title: '${{ params.title }}' } } }],
    },
  });
  const pat = s.as('pat');
  const { body: draft } = await pat.createDraft(spec);
  const sent = await s.request('POST', `/api/definitions/${draft.definitionId}/publish-requests`, {
    user: 'pat',
    body: JSON.stringify({ version: '1.0.0', visibility: 'public-ecosystem', offer: { summary: 'File service desk tickets with your own desk token', environments: ['dev', 'prod'] } }),
  });
  expect(sent.status).toBe(202);
  expect(await pat.waitForPublish(draft.definitionId, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid'])).toBe('awaiting_approval');
  await s.as('bob').decide(draft.definitionId, '1.0.0', 'approve', 'Shared with every tenant: installers bind their own desk.');
  expect(await pat.waitForPublish(draft.definitionId, '1.0.0', ['published', 'rejected'])).toBe('published');
  await passReview(s, draft.definitionId, '1.0.0');
  return { id: draft.definitionId, title: spec.metadata.title };
}

const card = (page: Page, id: string) => page.locator(`[data-testid="template-card"][data-id="${id}"]`);

describe('Marketplace in Chromium', () => {
  it("globex's admin installs acme's public template with a globex secret, runs it from the instance; acme sees the count, not the bindings", { timeout: 240_000 }, async () => {
    const { id, title } = await publishPublicTemplate();

    // gus opens the Marketplace: acme's template, its profile, publisher and installs.
    const gus = await signedIn('gus');
    await gus.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketplace' }).click();
    await gus.waitForURL(`${base}/marketplace`);
    await card(gus, id).waitFor();
    expect(await card(gus, id).locator('[data-testid="profile-badge"]').getAttribute('data-visibility')).toBe('public-ecosystem');
    expect(await card(gus, id).locator('[data-testid="publisher-tenant"]').textContent()).toBe('acme');
    expect(await card(gus, id).locator('[data-testid="installs-count"]').getAttribute('data-count')).toBe('0');
    await gus.screenshot({ path: 'test-results/marketplace-list.png', fullPage: true });

    // The wizard: defaults filled in, secret pickers over globex's own secrets only.
    await card(gus, id).getByRole('link', { name: `Install ${title}` }).click();
    await gus.waitForURL(`${base}/marketplace/${id}/install`);
    const wizard = gus.locator('[data-testid="install-wizard"]');
    await wizard.waitFor();
    await expect.poll(() => wizard.locator('[data-testid="field-title"] input').inputValue()).toBe('Hello from the marketplace');
    const picker = wizard.getByLabel('desk_token');
    const offered = await picker.locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value).filter(Boolean));
    const own = (await s.as('gus').call<{ items: { name: string }[] }>('GET', '/secrets')).body.items.map((i) => i.name);
    expect(offered).toEqual(own);
    expect(offered).toContain(globexSecret);
    expect(offered).not.toContain('desk_token'); // acme's secret of that name is not globex's
    // nothing bound yet: the preview says what is missing
    const preview = gus.locator('[data-testid="install-preview"]');
    await expect.poll(() => preview.locator('[data-testid="preview-missing"]').textContent()).toContain('desk_token');
    await picker.selectOption(globexSecret);
    await wizard.locator('[data-testid="field-deskUrl"] input').fill(fx.url);
    await wizard.locator('[data-testid="field-title"] input').fill('Printer on fire');
    await expect.poll(() => preview.locator('[data-testid="preview-verdict"]').getAttribute('data-allow'), { timeout: 15_000 }).toBe('true');
    expect(await preview.locator('[data-testid="preview-endpoints"] li').getAttribute('data-allowed')).toBe('true');
    await gus.screenshot({ path: 'test-results/marketplace-install-wizard.png', fullPage: true });
    await wizard.getByRole('button', { name: 'Install', exact: true }).click();

    // The instance page follows the install lifecycle to the end.
    await gus.waitForURL(/\/instances\/globex\.[a-z0-9.-]+$/);
    const instanceId = decodeURIComponent(new URL(gus.url()).pathname.split('/').pop()!);
    await gus.locator('[data-testid="install-status"][data-status="installed"]').waitFor({ timeout: 60_000 });
    await gus.locator('[data-testid="instance-status"][data-status="active"]').waitFor({ timeout: 30_000 });
    expect(await gus.locator('[data-testid="install-temporal-link"]').getAttribute('href')).toContain(encodeURIComponent(`install/${instanceId}`));
    expect(await gus.locator('[data-testid="binding-secret"][data-name="desk_token"] [data-testid="secret-ref"]').textContent()).toBe(`secret://globex/${globexSecret}`);
    expect(await gus.content()).not.toContain(installerValue);
    await gus.screenshot({ path: 'test-results/marketplace-instance.png', fullPage: true });

    // Run from the instance: its title starts from the bound value; the endpoint is locked.
    const runForm = gus.locator('[data-testid="instance-run"] [data-testid="run-form"]');
    await expect.poll(() => runForm.locator('[data-testid="field-title"] input').inputValue()).toBe('Printer on fire');
    expect(await runForm.locator('[data-testid="field-deskUrl"]').count()).toBe(0);
    await runForm.getByRole('button', { name: 'Run workflow' }).click();
    await gus.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await gus.locator('[data-testid="run-status"]', { hasText: 'completed' }).waitFor({ timeout: 60_000 });
    const filed = fx.requests.filter((r) => r.path === '/tickets');
    expect(filed).toHaveLength(1);
    expect(filed[0]!.headers.authorization).toBe(`Bearer ${installerValue}`);
    expect(filed[0]!.json).toEqual({ title: 'Printer on fire' });
    expect(await gus.content()).not.toContain(installerValue);
    await gus.screenshot({ path: 'test-results/marketplace-instance-run.png', fullPage: true });

    // The Instances page lists it; the Marketplace card says it is installed here.
    await gus.goto(`${base}/instances`);
    await gus.locator(`[data-testid="instance-row"][data-id="${instanceId}"]`).waitFor();
    await gus.screenshot({ path: 'test-results/marketplace-instances.png', fullPage: true });
    await gus.goto(`${base}/marketplace`);
    await card(gus, id).locator('[data-testid="my-instance"]').waitFor();
    expect(await card(gus, id).locator('[data-testid="installs-count"]').getAttribute('data-count')).toBe('1');

    // acme's author: the install count rose; globex's bindings are nowhere on its pages.
    const alice = await signedIn('alice');
    await alice.goto(`${base}/marketplace?view=mine`);
    await expect.poll(() => card(alice, id).locator('[data-testid="installs-count"]').getAttribute('data-count'), { timeout: 15_000 }).toBe('1');
    await card(alice, id).getByRole('link', { name: title }).click();
    await alice.waitForURL(`${base}/marketplace/${id}`);
    const usage = alice.locator('[data-testid="usage-row"][data-version="1.0.0"]');
    await usage.waitFor();
    expect(await usage.locator('[data-testid="usage-tenants"]').textContent()).toBe('1');
    expect(await alice.locator('[data-testid="installers"]').count()).toBe(0); // public-ecosystem: installers stay unnamed
    const seen = await alice.content();
    for (const globexOnly of [installerValue, globexSecret, fx.url, 'Printer on fire', instanceId]) expect(seen).not.toContain(globexOnly);
    await alice.screenshot({ path: 'test-results/marketplace-publisher-usage.png', fullPage: true });
  });

  it('a high-risk install waits for a second tenant admin, who approves it on the instance page; a run over its quota is refused, naming it', { timeout: 240_000 }, async () => {
    const spec = testSpec({
      scope: 'global',
      risk: 'high',
      description: 'Merlin payroll adjustment: shapes an adjustment (high risk, no calls out)',
      extra: {
        parameters: { type: 'object', properties: { amount: { type: 'integer', default: 100, title: 'Amount' } } },
        steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'amount': amount }", data: { amount: '${{ params.amount }}' } } }],
      },
    });
    const pat = s.as('pat');
    const { body: draft } = await pat.createDraft(spec);
    const id = draft.definitionId;
    await s.request('POST', `/api/definitions/${id}/publish-requests`, { user: 'pat', body: JSON.stringify({ version: '1.0.0', visibility: 'public-ecosystem' }) });
    expect(await pat.waitForPublish(id, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid'])).toBe('awaiting_approval');
    await s.as('bob').decide(id, '1.0.0', 'approve', 'High-risk adjustment shared after review.');
    expect(await pat.waitForPublish(id, '1.0.0', ['published', 'rejected'])).toBe('published');
    await passReview(s, id, '1.0.0');

    // gus: the preview says a second tenant admin must approve; one run a day
    const gus = await signedIn('gus');
    await gus.goto(`${base}/marketplace/${id}/install`);
    const wizard = gus.locator('[data-testid="install-wizard"]');
    await wizard.waitFor();
    await wizard.getByLabel('Runs per day').fill('1');
    const approvals = gus.locator('[data-testid="install-preview"] [data-testid="preview-approvals"]');
    await approvals.waitFor({ timeout: 15_000 });
    expect(await approvals.textContent()).toContain('A second tenant admin must approve it');
    await wizard.getByRole('button', { name: 'Install', exact: true }).click();
    await gus.waitForURL(/\/instances\/globex\.[a-z0-9.-]+$/);
    const instanceId = decodeURIComponent(new URL(gus.url()).pathname.split('/').pop()!);
    await gus.locator('[data-testid="install-status"][data-status="awaiting_approval"]').waitFor({ timeout: 30_000 });
    // the instance is reserved while its install waits: it takes no runs yet
    await gus.locator('[data-testid="instance-status"][data-status="installing"]').waitFor();
    expect(await gus.locator('[data-testid="instance-run"]').textContent()).toContain('it takes no runs');
    // the requester may not approve his own install: no decision form for him
    expect(await gus.locator('[data-testid="install-decision"]').count()).toBe(0);
    await gus.screenshot({ path: 'test-results/marketplace-install-awaiting-approval.png', fullPage: true });

    // dave, globex's other tenant admin, approves on the same page
    const dave = await signedIn('dave');
    await dave.goto(`${base}/instances/${instanceId}`);
    const decision = dave.locator('[data-testid="install-decision"]');
    await decision.waitFor({ timeout: 30_000 });
    await decision.getByLabel('Rationale').fill('Adjustments are capped at one run a day; approved.');
    await decision.getByRole('button', { name: 'Approve install' }).click();
    await dave.locator('[data-testid="instance-status"][data-status="active"]').waitFor({ timeout: 60_000 });
    expect(await dave.locator('[data-testid="install-lifecycle"]').textContent()).toContain('Adjustments are capped at one run a day; approved.');

    // one run a day: the first completes, the second is refused in the form, naming the quota
    const runForm = dave.locator('[data-testid="instance-run"] [data-testid="run-form"]');
    await runForm.getByRole('button', { name: 'Run workflow' }).click();
    await dave.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await dave.locator('[data-testid="run-status"]', { hasText: 'completed' }).waitFor({ timeout: 60_000 });
    await dave.goto(`${base}/instances/${instanceId}`);
    await expect.poll(() => dave.locator('[data-testid="quota-today"]').textContent(), { timeout: 15_000 }).toContain('1 of 1');
    await runForm.getByRole('button', { name: 'Run workflow' }).click();
    const refused = runForm.locator('[data-testid="run-form-error"]');
    await refused.waitFor();
    expect(await refused.locator('.error-code').textContent()).toBe('QUOTA_EXCEEDED');
    expect(await refused.textContent()).toContain('/quotas/runsPerDay');
    await dave.screenshot({ path: 'test-results/marketplace-quota-refused.png', fullPage: true });
  });
});
