import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A partner endpoint for crash tests, on 127.0.0.1. Every POST carries an Idempotency-Key:
 * the side effect is applied the moment the first request with a key arrives; that first
 * request's answer is held for `holdMs` of its path (so a worker can be killed while it is
 * in flight); a repeat with the same key answers at once with the stored result and applies
 * nothing.
 *
 *   POST <path>    body: any JSON   → 201 { id, path, body } (first call per key), 200 the same (repeats)
 */
export interface HeldFixture {
  url: string;
  /** every request with its key, in arrival order */
  requests: { path: string; key: string | undefined; body: unknown }[];
  callsByKey: Map<string, number>;
  /** how many times each key's side effect was applied */
  appliedByKey: Map<string, number>;
  /** resolves when the first request for the path has arrived */
  arrived(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function startHeldFixture(holdMs: Record<string, number>): Promise<HeldFixture> {
  const requests: HeldFixture['requests'] = [];
  const callsByKey = new Map<string, number>();
  const appliedByKey = new Map<string, number>();
  const stored = new Map<string, { id: string; path: string; body: unknown }>();
  const waiters = new Map<string, (() => void)[]>();
  const seen = new Set<string>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://fixture').pathname;
      const raw = Buffer.concat(chunks).toString('utf8');
      const body: unknown = raw ? JSON.parse(raw) : null;
      const header = req.headers['idempotency-key'];
      const key = typeof header === 'string' ? header : undefined;
      requests.push({ path, key, body });
      seen.add(path);
      for (const w of waiters.get(path) ?? []) w();
      waiters.delete(path);
      const answer = (status: number, value: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method !== 'POST' || !key) return answer(400, { error: 'POST with an Idempotency-Key only' });
      callsByKey.set(key, (callsByKey.get(key) ?? 0) + 1);
      const existing = stored.get(key);
      if (existing) return answer(200, existing);
      const created = { id: `effect-${stored.size + 1}`, path, body };
      stored.set(key, created);
      appliedByKey.set(key, (appliedByKey.get(key) ?? 0) + 1);
      const hold = holdMs[path] ?? 0;
      if (!hold) return answer(201, created);
      const timer = setTimeout(() => answer(201, created), hold);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    callsByKey,
    appliedByKey,
    arrived: (path) =>
      seen.has(path) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
