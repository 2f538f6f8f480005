import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let page: Page;
let demoPassword: string;

beforeAll(async () => {
  let s;
  ({ s, base, browser, close } = await openSwitchboard({ worker: false })); // registry reads and validation only: no lifecycle runs
  demoPassword = s.env.demoPassword;
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signInAs(page, base, 'alice', demoPassword);
});
afterAll(async () => close?.());

describe('Task Library and Author in Chromium', () => {
  it('searches the task library and shows an adapter version: schemas, secrets, security posture', async () => {
    await page.getByRole('link', { name: 'Task Library' }).click();
    const rows = page.locator('[data-testid="task-row"]');
    await rows.first().waitFor();
    const names = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    expect(names).toEqual(expect.arrayContaining(['approval', 'delay', 'http.request', 'notify.webhook', 'transform']));

    await page.getByLabel('Search tasks').fill('jsonata');
    await page.waitForURL((u) => u.searchParams.get('q') === 'jsonata');
    await page.locator('[data-testid="task-row"][data-name="http.request"]').waitFor({ state: 'detached' });
    const matching = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    expect(matching).toContain('transform'); // other test files may register more adapters in the shared database
    expect(matching).not.toContain('approval');

    await page.goto(`${base}/tasks/http.request`);
    const detail = page.locator('[data-testid="adapter-version"][data-version="1.0.0"]');
    await detail.waitFor();
    const input = detail.getByRole('table', { name: 'Input fields of http.request@1.0.0' });
    expect(await input.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-field')))).toEqual(
      expect.arrayContaining(['url', 'method', 'timeoutMs']),
    );
    const url = input.locator('tr[data-field="url"]');
    expect(await url.textContent()).toMatch(/string \(uri\).*required/);
    expect(await input.locator('tr[data-field="method"]').textContent()).toMatch(/GET.*POST.*PUT.*PATCH.*DELETE/);
    expect(await detail.getByRole('region', { name: 'Secrets' }).textContent()).toContain('authToken');
    const posture = detail.getByRole('region', { name: 'Security posture' });
    expect(await posture.textContent()).toMatch(/external/);
    expect(await detail.getByRole('region', { name: 'Retry and timeout' }).textContent()).toMatch(/60s.*up to 5.*EGRESS_DENIED/);
    await page.screenshot({ path: 'test-results/task-library-detail.png', fullPage: true });
  });

  it('validates a pasted spec as you type: codes, paths, line:column and marked lines', async () => {
    await page.getByRole('link', { name: 'Author' }).click();
    const source = page.getByLabel('Spec source (YAML or JSON)');
    await source.fill(
      [
        'apiVersion: maestro.dev/v1',
        'kind: Workflow',
        'metadata:',
        '  name: typo-check',
        '  version: 1.0.0',
        '  description: A spec with two mistakes',
        '  category: HR',
        '  risk: low',
        '  scope: tenant-local',
        'parameters:',
        '  type: object',
        '  properties:',
        '    email: { type: string }',
        'steps:',
        '  - id: shape',
        '    task: transform@9.9.9',
        '    with:',
        "      expression: \"{ 'email': email }\"",
        "      data: { email: '${{ params.emial }}' }",
        '',
      ].join('\n'),
    );
    const issues = page.locator('[data-testid="validation-issue"]');
    await issues.first().waitFor();
    const found = await issues.evaluateAll((els) => els.map((e) => [e.getAttribute('data-code'), e.getAttribute('data-line')]));
    expect(found).toEqual([
      ['TASK_VERSION_NOT_REGISTERED', '16'],
      ['UNDEFINED_PARAMETER', '19'],
    ]);
    expect(await issues.first().textContent()).toContain('/steps/0/task');
    expect(await page.locator('[data-testid="line-marker"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-line')))).toEqual(['16', '19']);
    await page.screenshot({ path: 'test-results/author-validate.png', fullPage: true });

    // Fixing both lines makes it valid; a broken document is reported where YAML broke.
    await source.fill((await source.inputValue()).replace('transform@9.9.9', 'transform@1.0.0').replace('params.emial', 'params.email'));
    await page.locator('[data-testid="validation-summary"] [data-valid="true"]').waitFor();
    expect(await issues.count()).toBe(0);

    await source.fill('kind: Workflow\nmetadata: [unclosed\n');
    await page.locator('[data-testid="validation-issue"][data-code="SOURCE_UNPARSABLE"]').waitFor();
  });
});
