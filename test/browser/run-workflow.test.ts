import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '../../domain/run.ts';
import { testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard());
});
afterAll(async () => close?.());

/** A workflow of transform and approval steps only: nothing leaves the machine. */
const accessReviewSpec = () =>
  testSpec({
    description: 'Heron access review: shape the grants, a reviewer signs off, record the outcome',
    extra: {
      parameters: {
        type: 'object',
        required: ['system'],
        properties: {
          system: { type: 'string', minLength: 1, title: 'System to review', description: 'The system whose grants are reviewed' },
          groups: { type: 'array', items: { type: 'string' }, default: ['admins'], title: 'Groups' },
        },
      },
      steps: [
        { id: 'collect', task: 'transform@1.0.0', with: { expression: "{ 'system': system, 'groups': groups }", data: { system: '${{ params.system }}', groups: '${{ params.groups }}' } } },
        {
          id: 'reviewerSignOff',
          task: 'approval@1.0.0',
          with: { message: 'Confirm the grants of ${{ params.system }}', approvers: { roles: ['reviewer'] } },
        },
        { id: 'record', task: 'transform@1.0.0', with: { expression: "'reviewed ' & system", data: { system: '${{ steps.collect.output.result.system }}' } } },
      ],
    },
  });

async function signedIn(user: DemoUser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signInAs(page, base, user, s.env.demoPassword);
  return page;
}

const stepAt = (page: Page, id: string, status: string) => page.locator(`[data-testid="run-step"][data-step-id="${id}"][data-status="${status}"]`);

describe('Run Workflow in Chromium', () => {
  it('runs a catalog entry from its generated form; a reviewer approves on the run page and the run completes', { timeout: 120_000 }, async () => {
    const alice = s.as('alice');
    const spec = accessReviewSpec();
    const { body: draft } = await alice.createDraft(spec);
    await alice.requestPublish(draft.definitionId, '1.0.0');
    expect(await alice.waitForPublish(draft.definitionId, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');

    // Alice finds the workflow in the catalog and opens its entry.
    const page = await signedIn('alice');
    await page.goto(`${base}/`);
    await page.getByLabel('Search catalog').fill('heron');
    const row = page.locator('[data-testid="catalog-row"]', { hasText: draft.definitionId });
    await row.waitFor();
    await row.getByRole('link', { name: spec.metadata.title }).click();
    await page.waitForURL(`${base}/catalog/${draft.definitionId}`);

    // The form is generated from `parameters`: title as label, default prefilled.
    const form = page.locator('[data-testid="run-form"]');
    await form.waitFor();
    await expect.poll(() => form.locator('[data-testid="field-groups"] input').inputValue()).toBe('admins');
    await expect.poll(() => form.locator('[data-testid="field-system"] label').first().textContent()).toContain('System to review');

    // A required field left empty is refused in the form: nothing is sent.
    await form.getByRole('button', { name: 'Run workflow' }).click();
    await form.locator('[data-testid="field-error-system"]').waitFor();
    expect(await form.locator('[data-testid="field-error-system"]').textContent()).toContain('required');
    expect(new URL(page.url()).pathname).toBe(`/catalog/${draft.definitionId}`);
    expect((await alice.call<{ items: unknown[] }>('GET', `/runs?definitionId=${draft.definitionId}`)).body.items).toEqual([]);
    await page.screenshot({ path: 'test-results/run-workflow-form-refused.png', fullPage: true });

    await form.locator('[data-testid="field-system"] input').fill('github');
    await form.locator('[data-testid="field-groups"] input').fill('admins, owners');
    await form.getByRole('button', { name: 'Run workflow' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = new URL(page.url()).pathname.split('/').pop()!;

    // Live progress: the first step completes, the approval step waits.
    await stepAt(page, 'collect', 'completed').waitFor();
    await stepAt(page, 'reviewerSignOff', 'waiting_approval').waitFor();
    expect(await page.locator('[data-testid="run-status"]').textContent()).toBe('running');
    expect(await stepAt(page, 'record', 'pending').count()).toBe(1);

    // Alice started the run, so the engine refuses her decision; the page says why.
    const aliceStep = stepAt(page, 'reviewerSignOff', 'waiting_approval');
    await aliceStep.getByLabel('Rationale').fill('I checked my own request');
    await aliceStep.getByRole('button', { name: 'Approve' }).click();
    await aliceStep.locator('[data-testid="step-approval-error"]').waitFor();
    expect(await aliceStep.locator('[role="alert"]').textContent()).toContain('SELF_APPROVAL');
    await page.screenshot({ path: 'test-results/run-workflow-waiting.png', fullPage: true });

    // Bob, a reviewer, opens the same run in his own browser context and approves.
    const bobPage = await signedIn('bob');
    await bobPage.goto(`${base}/runs/${runId}`);
    const bobStep = stepAt(bobPage, 'reviewerSignOff', 'waiting_approval');
    await bobStep.waitFor();
    await bobStep.getByLabel('Rationale').fill('Grants of github match the joiners list.');
    await bobStep.getByRole('button', { name: 'Approve' }).click();

    // Both pages follow the run to its end.
    for (const p of [page, bobPage]) {
      await p.locator('[data-testid="run-status"]', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
    }
    const statuses = await page.locator('[data-testid="run-step"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-step-id'), e.getAttribute('data-status')]));
    expect(statuses).toEqual([
      ['collect', 'completed'],
      ['reviewerSignOff', 'completed'],
      ['record', 'completed'],
    ]);
    await page.locator('[data-testid="run-step"][data-step-id="record"] summary').click();
    expect(await page.locator('[data-testid="run-step"][data-step-id="record"] pre').textContent()).toContain('reviewed github');
    await page.screenshot({ path: 'test-results/run-workflow-completed.png', fullPage: true });

    const { body: run } = await alice.call<RunState>('GET', `/runs/${runId}`);
    expect(run.status).toBe('completed');
    expect(run.steps.find((st) => st.id === 'reviewerSignOff')?.approval?.approvals).toEqual([
      expect.objectContaining({ approver: expect.objectContaining({ sub: 'bob' }), decision: 'approve', rationale: 'Grants of github match the joiners list.' }),
    ]);
  });
});
