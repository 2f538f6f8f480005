import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A programmable stand-in for the partner systems an example workflow calls, on 127.0.0.1
 * (on acme's egress allow-list). Routes are keyed by "METHOD /path" (path without the query);
 * every request is recorded — method, path, query, headers and the raw body — before its
 * handler answers. A request without a route answers 404.
 */
export interface FixtureRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** the body parsed as JSON (undefined when empty or not JSON) */
  json: unknown;
}

export type FixtureReply = { status?: number; body?: unknown; headers?: Record<string, string> };
export type FixtureRoute = (req: FixtureRequest) => FixtureReply;

export interface RecordingFixture {
  url: string;
  requests: FixtureRequest[];
  /** the recorded requests whose Idempotency-Key starts with the given workflow id */
  forWorkflow(workflowId: string): FixtureRequest[];
  close(): Promise<void>;
}

export async function startRecordingFixture(routes: Record<string, FixtureRoute>): Promise<RecordingFixture> {
  const requests: FixtureRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fixture');
      let json: unknown;
      try {
        json = body ? (JSON.parse(body) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: FixtureRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, json };
      requests.push(recorded);
      const route = routes[`${recorded.method} ${recorded.path}`];
      const reply: FixtureReply = route ? route(recorded) : { status: 404, body: { error: `no fixture route ${recorded.method} ${recorded.path}` } };
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
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
    forWorkflow: (workflowId) => requests.filter((r) => String(r.headers['idempotency-key'] ?? '').startsWith(`${workflowId}/`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
