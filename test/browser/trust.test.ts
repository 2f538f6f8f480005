import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptView } from '../../domain/trust.ts';
import { verifyFile } from '../../cli/verify-command.ts';
import { call, publishTemplate } from '../marketplace/support.ts';
import { allOpen, ended, waitForReview } from '../review/support.ts';
import { prepareDatabase, testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

// Issue 12's acceptance in Chromium, in a database of its own: acme's 1.0.0 is reviewed and
// public; 1.1.0 (a new parameter) waits for its marketplace review. sam opens its security
// review, sees the evidence and the diff against 1.0.0, and approves with a rationale
// (perry and dora approve performance and docs through the API); cid certifies it; the
// catalog row shows reviewed, certified and signed; the receipts verify in the browser.

let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard({ databaseUrl: await prepareDatabase(`trust_ui_${randomUUID().slice(0, 8)}`) }));
}, 180_000);
afterAll(async () => close?.());
// on a failure, every open page as it was (test-results/trust-failed-<n>.png)
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail' || !browser) return;
  const pages = browser.contexts().flatMap((c) => c.pages());
  await Promise.all(pages.map((p, n) => p.screenshot({ path: `test-results/trust-failed-${n}.png`, fullPage: true }).catch(() => {})));
});

async function signedIn(user: DemoUser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  await signInAs(page, base, user, s.env.demoPassword);
  return page;
}

const name = `numbat-${randomUUID().slice(0, 8)}`;
function numbat(version: string, properties: Record<string, unknown>, changelog: string) {
  const spec = testSpec({
    name,
    version,
    scope: 'global',
    // documented as the docs review and the certification checklist ask: a readme-length description, an example
    description:
      'Numbat greeting: shapes a greeting from its parameters, for the trust browser test. It calls no external system and needs no secrets.',
    extra: {
      parameters: { type: 'object', properties, examples: [{ greeting: 'Hello' }] },
      steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "{ 'text': greeting }", data: { greeting: '${{ params.greeting }}' } } }],
    },
  });
  return { ...spec, metadata: { ...spec.metadata, changelog } };
}
const v1 = () => numbat('1.0.0', { greeting: { type: 'string', default: 'Hello', title: 'Greeting', description: 'What to say' } }, 'First version.');
const v11 = () =>
  numbat(
    '1.1.0',
    {
      greeting: { type: 'string', default: 'Hello', title: 'Greeting', description: 'What to say' },
      punctuation: { type: 'string', default: '!', title: 'Punctuation', description: 'How to end the greeting' },
    },
    'An optional punctuation parameter.',
  );

describe('Review, certification and provenance in Chromium', () => {
  it('sam reviews with the evidence and the diff, cid certifies, the row shows the badges and the receipt verifies', { timeout: 420_000 }, async () => {
    const id = await publishTemplate(s, v1());
    await publishTemplate(s, v11(), { review: false });
    const version = '1.1.0';
    await waitForReview(s, id, version, allOpen);

    // sam's queue: the security tab lists the pending 1.1.0.
    const sam = await signedIn('sam');
    await sam.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reviews' }).click();
    await sam.waitForURL(`${base}/reviews`);
    const row = sam.locator(`[data-testid="review-row"][data-definition-id="${id}"][data-version="${version}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-kind')).toBe('security');
    expect(await row.getAttribute('data-status')).toBe('open');
    expect(await row.locator('[data-testid="quorum"]').textContent()).toBe('0 of 1');
    await sam.screenshot({ path: 'test-results/trust-review-queue.png', fullPage: true });

    // The review page: the diff against 1.0.0 beside the evidence.
    await row.locator('[data-testid="review-link"]').click();
    await sam.waitForURL(`${base}/reviews/${encodeURIComponent(id)}/${version}/security`);
    await sam.locator('[data-testid="review-status"][data-status="open"]').waitFor();
    const change = sam.locator('[data-testid="change-summary"]');
    await change.waitFor();
    expect(await change.getAttribute('data-kind')).toBe('non-breaking');
    expect(await change.locator('[data-testid="change-reason"][data-rule="parameter-added"]').count()).toBe(1);
    const diff = sam.locator('[data-testid="spec-diff"]');
    await diff.waitFor();
    expect(await diff.locator('tr[data-op="add"]', { hasText: 'punctuation' }).count()).toBeGreaterThan(0);
    const evidence = sam.locator('[data-testid="review-evidence"] [data-testid="evidence-item"]');
    await evidence.first().waitFor();
    const api = await waitForReview(s, id, version, allOpen);
    const security = api.reviews.find((k) => k.kind === 'security')!;
    expect(await evidence.count()).toBe(security.evidence.length);
    for (const item of security.evidence) {
      const shown = sam.locator(`[data-testid="evidence-item"][data-id="${item.id}"]`);
      expect(await shown.getAttribute('data-ok')).toBe(String(item.ok));
      expect(await shown.textContent()).toContain(item.reason);
    }
    expect(await sam.locator('[data-testid="review-temporal-link"]').getAttribute('href')).toContain(encodeURIComponent(api.workflowId));
    await sam.screenshot({ path: 'test-results/trust-review-page.png', fullPage: true });

    // A decision without a rationale is refused; with one it is recorded.
    await sam.locator('[data-testid="review-approve"]').click();
    expect(await sam.locator('[data-testid="review-decision-error"] .error-code').textContent()).toBe('RATIONALE_REQUIRED');
    await sam.getByLabel(/Your security decision: rationale/).fill('Egress limited to the declared hosts, no literal secrets: the evidence holds.');
    await sam.locator('[data-testid="review-approve"]').click();
    await sam.locator('[data-testid="review-decided"]').waitFor();
    await sam.locator('[data-testid="review-status"][data-status="passed"]').waitFor();
    expect(await sam.locator('[data-testid="review-decision"][data-reviewer="sam"]').getAttribute('data-decision')).toBe('approve');
    await sam.screenshot({ path: 'test-results/trust-review-approved.png', fullPage: true });

    // pia (team platform, the publisher's own) may not decide security: the API's code shows.
    const pia = await signedIn('pia');
    await pia.goto(`${base}/reviews/${encodeURIComponent(id)}/${version}/performance`);
    await pia.getByLabel(/Your performance decision: rationale/).fill('Looks fine to me.');
    await pia.locator('[data-testid="review-approve"]').click();
    expect(await pia.locator('[data-testid="review-decision-error"] .error-code').textContent()).toMatch(/^(NOT_ELIGIBLE_REVIEWER|SELF_REVIEW)$/);
    await pia.screenshot({ path: 'test-results/trust-review-refused.png', fullPage: true });

    // perry and dora decide their kinds through the API; the request passes.
    for (const [user, kind] of [['perry', 'performance'], ['dora', 'docs']] as const) {
      const res = await call(s, user, 'POST', `/definitions/${id}/versions/${version}/review/${kind}/decisions`, { decision: 'approve', rationale: `${kind} evidence checked by ${user}.` });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    expect((await waitForReview(s, id, version, ended)).status).toBe('passed');
    // the finished review's evidence bundle: signed by the platform, verified in sam's browser
    await sam.reload();
    await sam.locator('[data-testid="evidence-browser-verification"][data-ok="true"]').waitFor();
    await sam.screenshot({ path: 'test-results/trust-review-passed.png', fullPage: true });

    // cid certifies from the catalog detail's Trust tab; the checklist comes back met.
    const cid = await signedIn('cid');
    await cid.goto(`${base}/catalog/${encodeURIComponent(id)}?tab=trust&version=${version}`);
    const trust = cid.locator(`[data-testid="version-trust"][data-version="${version}"]`);
    await trust.waitFor();
    await trust.locator('[data-testid="review-request-status"][data-status="passed"]').waitFor();
    await trust.getByLabel(/Certify v1\.1\.0: rationale/).fill('Checklist run over the reviewed 1.1.0.');
    await trust.locator('[data-testid="certify"]').click();
    await trust.locator('[data-testid="certification-status"][data-status="certified"]').waitFor({ timeout: 90_000 });
    const items = trust.locator('[data-testid="checklist-item"]');
    expect(await items.count()).toBeGreaterThan(0);
    expect(await items.evaluateAll((els) => els.every((e) => e.getAttribute('data-ok') === 'true'))).toBe(true);
    // the signature verifies in the browser and at the API, with acme's key
    const browserCheck = trust.locator('[data-testid="browser-verification"]');
    await browserCheck.locator('[data-testid="verification-verdict"]').waitFor();
    expect(await browserCheck.getAttribute('data-ok')).toBe('true');
    expect(await browserCheck.locator('[data-testid="key-owner"]').textContent()).toBe('publisher:acme');
    expect(await trust.locator('[data-testid="api-verification"]').getAttribute('data-ok')).toBe('true');
    // the header's badges follow once the certification ends
    await cid.locator('.definition-head [data-testid="trust-badge"][data-badge="certified"]').waitFor();
    await cid.screenshot({ path: 'test-results/trust-certified.png', fullPage: true });

    // The catalog row: reviewed, certified, signed.
    const alice = await signedIn('alice');
    await alice.goto(`${base}/?q=${encodeURIComponent('numbat')}`);
    const catalogRow = alice.locator(`[data-testid="catalog-row"][data-id="${id}"]`);
    await catalogRow.waitFor();
    const badge = (b: string) => catalogRow.locator(`[data-testid="trust-badge"][data-badge="${b}"]`);
    await expect.poll(() => badge('certified').count(), { timeout: 30_000 }).toBe(1);
    expect(await badge('reviewed').count()).toBe(1);
    expect(await badge('signed').textContent()).toContain('signed · acme');
    expect(await badge('reviewed').getAttribute('title')).toContain('sam');
    expect(await badge('certified').getAttribute('title')).toContain('cid');
    await alice.screenshot({ path: 'test-results/trust-catalog-row.png' });

    // Another tenant's marketplace card and template page carry the same badges and verify the signature itself.
    const gus = await signedIn('gus');
    await gus.goto(`${base}/marketplace?q=numbat`);
    const card = gus.locator(`[data-testid="template-card"][data-id="${id}"]`);
    await card.waitFor();
    for (const b of ['reviewed', 'certified', 'signed']) expect(await card.locator(`[data-testid="trust-badge"][data-badge="${b}"]`).count(), b).toBe(1);
    await card.getByRole('link', { name: new RegExp(`numbat`) }).first().click();
    await gus.waitForURL(`${base}/marketplace/${encodeURIComponent(id)}`);
    const templateTrust = gus.locator('[data-testid="template-trust"]');
    await templateTrust.locator('[data-testid="browser-verification"][data-ok="true"]').waitFor();
    await templateTrust.locator('[data-testid="certification-status"][data-status="certified"]').waitFor();
    expect(await templateTrust.locator('[data-testid="certify-form"]').count()).toBe(0); // gus is no certifier
    await gus.screenshot({ path: 'test-results/trust-template.png', fullPage: true });

    // The Provenance tab: the receipts of 1.1.0's lifecycles verify in the browser and at the
    // API; a download is the document maestro verify reads.
    await catalogRow.locator('a.row-link').click();
    await alice.waitForURL(`${base}/catalog/${encodeURIComponent(id)}`);
    await alice.getByRole('tab', { name: /Provenance/ }).click();
    const receipt = (lifecycle: string) => alice.locator(`[data-testid="receipt"][data-lifecycle="${lifecycle}"]`).filter({ hasText: `${id}@${version}` });
    for (const lifecycle of ['publish', 'review', 'certify']) {
      await receipt(lifecycle).waitFor();
      await expect.poll(() => receipt(lifecycle).getAttribute('data-verified'), { message: `${lifecycle} receipt` }).toBe('verified');
    }
    const certifyReceipt = receipt('certify');
    const [download] = await Promise.all([alice.waitForEvent('download'), certifyReceipt.locator('[data-testid="receipt-download"]').click()]);
    const file = (await download.path())!;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as ReceiptView;
    expect(saved.lifecycle).toBe('certify');
    expect(saved.subject.name).toBe(`${id}@${version}`);
    expect(saved.receiptId).toBe(await certifyReceipt.getAttribute('data-receipt-id'));
    expect(saved.verification.ok).toBe(true);
    // what maestro verify does with the file and the published keys
    const verified = await verifyFile({ file, keys: `${base}/api/trust/keys` });
    expect(verified.kind).toBe('receipt');
    expect(verified.result.ok, JSON.stringify(verified.result.checks)).toBe(true);
    await certifyReceipt.locator('summary', { hasText: 'Verification details' }).click();
    expect(await certifyReceipt.locator('[data-testid="receipt-browser-verification"]').getAttribute('data-ok')).toBe('true');
    await alice.screenshot({ path: 'test-results/trust-provenance.png', fullPage: true });
  });
});
