import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a partner's HTTP endpoint, started by a test on 127.0.0.1 (or another
 * loopback address). It counts TCP connections (to prove a denied call never connected),
 * counts calls per Idempotency-Key, and applies its one side effect (creating an
 * employee) only once per key.
 *
 *   /echo                any method: 200 JSON { method, path, headers, body }
 *   /text                200 text/plain
 *   /status/<code>       that status with a JSON error body (?retryAfter=<s> adds Retry-After,
 *                        ?echoAuth puts the Authorization header into the body)
 *   /slow/<ms>           answers after <ms>
 *   /redirect?to=<url>   302 to <url> (?status=307 for another status)
 *   /hook                POST: records the raw body, 200 { ok: true }
 *   …/employees          POST { email, fullName, startDate }: creates once per key (201, then 200
 *                        with the same id); under a path containing "flaky" the first call
 *                        per key is applied and then its connection is dropped (lost response)
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Fixture {
  url: string;
  host: string;
  port: number;
  connections: number;
  requests: RecordedRequest[];
  callsByKey: Map<string, number>;
  employees: Map<string, { id: string; email: string; fullName: string; startDate: string }>;
  /** how many times the side effect was applied (one per distinct key) */
  applied: number;
  close(): Promise<void>;
}

export async function startFixture(host = '127.0.0.1'): Promise<Fixture> {
  const state = {
    connections: 0,
    requests: [] as RecordedRequest[],
    callsByKey: new Map<string, number>(),
    employees: new Map<string, { id: string; email: string; fullName: string; startDate: string }>(),
    applied: 0,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fixture');
      state.requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body });
      const key = req.headers['idempotency-key'];
      const calls = typeof key === 'string' ? (state.callsByKey.get(key) ?? 0) + 1 : 0;
      if (typeof key === 'string') state.callsByKey.set(key, calls);
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };

      if (url.pathname === '/echo') return json(200, { method: req.method, path: url.pathname, headers: req.headers, body: body ? (JSON.parse(body) as unknown) : null });
      if (url.pathname === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('plain words');
      }
      const status = /^\/status\/(\d{3})$/.exec(url.pathname);
      if (status) {
        const retryAfter = url.searchParams.get('retryAfter');
        const echo = url.searchParams.has('echoAuth') ? { authorization: req.headers.authorization } : {};
        return json(Number(status[1]), { ...echo, error: `fixture status ${status[1]}` }, retryAfter ? { 'retry-after': retryAfter } : {});
      }
      const slow = /^\/slow\/(\d+)$/.exec(url.pathname);
      if (slow) {
        const timer = setTimeout(() => json(200, { slept: Number(slow[1]) }), Number(slow[1]));
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (url.pathname === '/redirect') {
        res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/echo' });
        return res.end();
      }
      if (url.pathname === '/hook' && req.method === 'POST') return json(200, { ok: true });
      if (url.pathname.endsWith('/employees') && req.method === 'POST') {
        if (typeof key !== 'string') return json(400, { error: 'Idempotency-Key required' });
        const existing = state.employees.get(key);
        if (existing) return json(200, existing);
        const input = JSON.parse(body) as { email: string; fullName: string; startDate: string };
        const created = { id: `emp-${state.employees.size + 1}`, ...input };
        state.employees.set(key, created);
        state.applied++;
        // the side effect happened, but the caller never hears about it
        if (url.pathname.includes('flaky') && calls === 1) return req.socket.destroy();
        return json(201, created);
      }
      json(404, { error: `no fixture route ${req.method} ${url.pathname}` });
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://${host}:${port}`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
