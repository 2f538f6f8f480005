import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { openStack, type Stack } from '../support/stack.ts';
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
