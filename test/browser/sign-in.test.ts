import type { Browser } from 'playwright-core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.ts';
import { openSwitchboard, signInAs } from './switchboard-fixture.ts';

// The Switchboard signs in at the OpenID provider by authorization code + PKCE; dev login
// is not offered outside explicit dev mode.
let s: Stack;
let base: string;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ s, base, browser, close } = await openSwitchboard({ worker: false }));
});
afterAll(async () => close?.());

describe('Switchboard sign-in', () => {
  it('signs in at the provider, keeps its access token, and asks for credentials again after a sign-out', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/sign-in`);
    expect(await page.locator('[data-testid="dev-user"]').count()).toBe(0); // no dev login outside dev mode

    await signInAs(page, base, 'dave', s.env.demoPassword);
    await page.locator('[data-testid="current-user"]', { hasText: 'Dave Admin' }).waitFor();
    const token = await page.evaluate(() => localStorage.getItem('maestro.token'));
    expect(decodeJwt(token!)).toMatchObject({ iss: s.env.oidcIssuer, aud: 'maestro-api', sub: 'dave', tenant: 'globex' });

    // sign out, then sign in as someone else: the provider's session is not reused silently
    await page.goto(`${base}/sign-in`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInAs(page, base, 'carol', s.env.demoPassword);
    await page.locator('[data-testid="current-user"]', { hasText: 'Carol Author' }).waitFor();
    await page.screenshot({ path: 'test-results/sign-in-oidc.png' });
  });

  it('a wrong password stays at the provider; a callback nobody started is refused', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/sign-in`);
    await page.locator('[data-testid="oidc-sign-in"]:enabled').click();
    await page.waitForURL((u) => u.pathname.startsWith('/interaction/'));
    await page.fill('#username', 'root');
    await page.fill('#password', 'not-the-password');
    await page.click('button[type="submit"]');
    await page.getByRole('alert').filter({ hasText: 'wrong password' }).waitFor();
    expect(new URL(page.url()).origin).toBe(s.env.oidcIssuer);

    await page.goto(`${base}/sign-in/callback?code=stolen&state=guess&iss=${encodeURIComponent(s.env.oidcIssuer)}`);
    await page.locator('[data-testid="sign-in-problem"]').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('maestro.token'))).toBeNull();
  });
});
