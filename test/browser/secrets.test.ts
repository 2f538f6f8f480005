import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore, secretRef } from '../../platform/secrets.ts';
import { startRecordingFixture, type RecordingFixture } from '../support/recording-fixture.ts';
import { testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let fx: RecordingFixture;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard());
  fx = await startRecordingFixture({ 'POST /tickets': () => ({ status: 201, body: { id: 'T-1' } }) });
});
afterAll(async () => {
  await fx?.close();
  await close?.();
});

async function signedIn(user: DemoUser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signInAs(page, base, user, s.env.demoPassword);
  return page;
}

/** A workflow whose one step calls the fixture with a secret of acme's that does not exist yet. */
async function publishNeedingSecret(secret: string) {
  const alice = s.as('alice');
  const spec = testSpec({
    description: 'Osprey ticket filing: opens a ticket with the service desk token',
    extra: {
      parameters: { type: 'object', properties: { deskUrl: { type: 'string', format: 'uri', default: fx.url, title: 'Service desk URL' } } },
      secrets: [{ name: secret, description: 'Token of the service desk' }],
      steps: [{ id: 'file', task: 'http.request@1.0.0', with: { url: '${{ params.deskUrl }}/tickets', method: 'POST', authToken: `\${{ secrets.${secret} }}`, body: { title: 'Osprey' } } }],
    },
  });
  const { body } = await alice.createDraft(spec);
  await alice.requestPublish(body.definitionId, '1.0.0');
  expect(await alice.waitForPublish(body.definitionId, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
  return body.definitionId;
}

const focused = (page: Page) => page.evaluate(() => ({ id: document.activeElement?.id, name: document.activeElement?.getAttribute('name'), text: document.activeElement?.textContent?.trim() }));
/** nothing the page holds — markup, storage — contains the value */
async function expectNowhere(page: Page, value: string) {
  expect(await page.content()).not.toContain(value);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(storage).not.toContain(value);
  const inputs = await page.locator('input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(inputs).not.toContain(value);
}

describe('Secrets in Chromium', () => {
  it('the run form warns about a missing secret and refuses to start; a tenant admin stores it from the link, runs, rotates and deletes it', { timeout: 180_000 }, async () => {
    const secret = `osprey_${randomUUID().slice(0, 8)}`;
    const id = await publishNeedingSecret(secret);
    const page = await signedIn('tina');

    // The run form names the missing secret before anything starts.
    await page.goto(`${base}/catalog/${id}`);
    const form = page.locator('[data-testid="run-form"]');
    const warning = form.locator('[data-testid="secrets-missing"]');
    await warning.waitFor();
    expect(await warning.locator('[data-testid="missing-secret"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual([secret]);
    expect(await warning.textContent()).toContain('SECRET_NOT_FOUND');
    expect(await warning.textContent()).toContain('Token of the service desk');
    await page.screenshot({ path: 'test-results/secrets-run-form-warning.png', fullPage: true });

    // Starting anyway is refused in the form: no run exists afterwards.
    await form.getByRole('button', { name: 'Run workflow' }).click();
    const refused = form.locator('[data-testid="run-form-error"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain(`store ${secret} first`);
    expect(await refused.locator('.error-code').textContent()).toBe('SECRET_NOT_FOUND');
    await expect.poll(async () => (await focused(page)).text).toContain('A secret this workflow needs is missing.');
    expect(new URL(page.url()).pathname).toBe(`/catalog/${id}`);
    expect((await s.as('tina').call<{ items: unknown[] }>('GET', `/runs?definitionId=${id}`)).body.items).toEqual([]);

    // The link leads to the Secrets page with the name filled in and the value to type.
    await warning.getByRole('link', { name: `Store ${secret}` }).click();
    await page.waitForURL((u) => u.pathname === '/secrets' && u.searchParams.get('name') === secret);
    const create = page.locator('[data-testid="secret-form"]');
    await expect.poll(() => create.getByLabel('Name').inputValue()).toBe(secret);
    await expect.poll(async () => (await focused(page)).name).toBe('value');
    expect(await create.getByLabel('Value').getAttribute('type')).toBe('password');
    const value = `first-${randomBytes(12).toString('hex')}`;
    await page.keyboard.type(value);
    await create.getByLabel('Description').fill('Service desk token for Osprey');
    await create.getByLabel('Value').press('Enter');
    const notice = page.locator('[data-testid="secret-notice"]');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`Stored ${secret}. Its value will not be shown again.`);
    const row = page.locator(`[data-testid="secret-row"][data-name="${secret}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(`secret://acme/${secret}`);
    expect(await row.textContent()).toContain('Service desk token for Osprey');
    expect(await row.textContent()).toContain('by tina');
    expect(await row.locator('[data-testid="secret-rotated"]').textContent()).toBe('never');
    await expectNowhere(page, value);
    expect(await createSecretStore(s.sql, s.env.secretsKey).resolve(secretRef('acme', secret), 'acme')).toBe(value);
    await page.screenshot({ path: 'test-results/secrets-page.png', fullPage: true });

    // Back to the workflow: no warning now, and the run completes with the stored value.
    await notice.getByRole('link', { name: `Back to ${id}` }).click();
    await page.waitForURL(`${base}/catalog/${id}`);
    await form.getByRole('button', { name: 'Run workflow' }).waitFor();
    expect(await page.locator('[data-testid="secrets-missing"]').count()).toBe(0);
    await form.getByRole('button', { name: 'Run workflow' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid="run-status"]', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
    expect(fx.requests.at(-1)?.headers.authorization).toBe(`Bearer ${value}`);
    await expectNowhere(page, value);

    // Rotate from the row: focus goes to the new value; Enter stores it.
    await page.goto(`${base}/secrets`);
    await row.getByRole('button', { name: `Rotate ${secret}` }).click();
    await expect.poll(async () => (await focused(page)).id).toMatch(/-value$/);
    const rotated = `second-${randomBytes(12).toString('hex')}`;
    await page.keyboard.type(rotated);
    await page.keyboard.press('Enter');
    await expect.poll(() => notice.textContent()).toContain(`Rotated ${secret}`);
    await expect.poll(() => row.locator('[data-testid="secret-rotated"]').textContent()).toContain('by tina');
    await expect.poll(async () => (await focused(page)).text).toBe(`Rotate ${secret}`);
    await expectNowhere(page, rotated);
    expect(await createSecretStore(s.sql, s.env.secretsKey).resolve(secretRef('acme', secret), 'acme')).toBe(rotated);
    await page.screenshot({ path: 'test-results/secrets-rotated.png', fullPage: true });

    // Delete asks first (focus on Cancel); Escape closes the question and returns focus.
    await row.getByRole('button', { name: `Delete ${secret}` }).click();
    const confirm = page.locator('[data-testid="confirm-delete"]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain(`secret://acme/${secret}`);
    await expect.poll(async () => (await focused(page)).text).toBe('Cancel');
    await page.screenshot({ path: 'test-results/secrets-confirm-delete.png', fullPage: true });
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(async () => (await focused(page)).text).toBe(`Delete ${secret}`);
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: `Delete ${secret}` }).click();
    await confirm.getByRole('button', { name: `Delete ${secret}` }).click();
    await row.waitFor({ state: 'detached' });
    expect(await notice.textContent()).toContain(`Deleted ${secret}.`);
    const listed = await s.as('tina').call<{ items: { name: string }[] }>('GET', '/secrets');
    expect(listed.body.items.map((i) => i.name)).not.toContain(secret);

    // The run form warns again.
    await page.goto(`${base}/catalog/${id}`);
    await page.locator('[data-testid="secrets-missing"] [data-testid="missing-secret"]').waitFor();
  });

  it('an author sees names and metadata, read-only, and is told who can store a missing secret', { timeout: 120_000 }, async () => {
    const secret = `heron_${randomUUID().slice(0, 8)}`;
    const id = await publishNeedingSecret(secret);
    const page = await signedIn('alice');
    await page.goto(`${base}/catalog/${id}`);
    const warning = page.locator('[data-testid="secrets-missing"]');
    await warning.waitFor();
    expect(await warning.getByRole('link', { name: `Store ${secret}` }).count()).toBe(0);
    expect(await warning.textContent()).toContain('a tenant admin or publisher can store it');

    const other = `listed_${randomUUID().slice(0, 8)}`;
    expect((await s.request('PUT', `/api/secrets/${other}`, { user: 'tina', body: JSON.stringify({ value: 'listed-value-123', description: 'Seen by authors' }) })).status).toBe(204);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click();
    await page.waitForURL(`${base}/secrets`);
    await page.locator('[data-testid="secrets-read-only"]').waitFor();
    const row = page.locator(`[data-testid="secret-row"][data-name="${other}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Seen by authors');
    expect(await page.locator('[data-testid="secret-form"]').count()).toBe(0);
    expect(await row.getByRole('button').count()).toBe(0);
    await expectNowhere(page, 'listed-value-123');
    await page.screenshot({ path: 'test-results/secrets-read-only.png', fullPage: true });
  });
});
