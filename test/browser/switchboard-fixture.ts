import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { openStack, type DemoUser, type Stack } from '../support/stack.ts';
import { launchBrowser } from './browser.ts';

export interface Switchboard {
  s: Stack;
  /** the API and the built Switchboard, served on a free port */
  base: string;
  browser: Browser;
  close: () => Promise<void>;
}

/** A real stack, the API + Switchboard on a free port, and headless Chromium (screenshots go to test-results/). */
export async function openSwitchboard(opts: Parameters<typeof openStack>[0] = {}): Promise<Switchboard> {
  const s = await openStack(opts);
  const server = serve({ fetch: s.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  mkdirSync('test-results', { recursive: true });
  return {
    s,
    base,
    browser,
    close: async () => {
      await browser.close();
      await new Promise((r) => server.close(r));
      await s.close();
    },
  };
}

/**
 * Signs in as a user the way a person does: the Switchboard's sign-in button, the embedded
 * OpenID provider's login form, back to the Switchboard (authorization code + PKCE).
 */
export async function signInAs(page: Page, base: string, user: DemoUser, password: string): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.locator('[data-testid="oidc-sign-in"]:enabled').click();
  await page.waitForURL((u) => u.pathname.startsWith('/interaction/'));
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.origin === base && !u.pathname.startsWith('/sign-in'));
}
