import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { partnerSystemRoutes, type PartnerRoute } from './routes.ts';

const MAX_BODY = 1024 * 1024;

/**
 * The example partner systems as one small HTTP server (JSON in, JSON out). It keeps no
 * state and never echoes a header: a bearer token sent to it goes nowhere.
 */
export async function startPartnerSystems(opts: { host: string; port: number; routes?: Record<string, PartnerRoute> }): Promise<{ url: string; close(): Promise<void> }> {
  const routes = opts.routes ?? partnerSystemRoutes;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reply(413, { error: 'request body too large' });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const url = new URL(req.url ?? '/', 'http://partner-systems');
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = raw ? (JSON.parse(raw) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      const route = routes[`${req.method ?? ''} ${url.pathname}`];
      if (!route) return reply(404, { error: `no route ${req.method ?? ''} ${url.pathname}` });
      const answer = route({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), json });
      reply(answer.status ?? 200, answer.body ?? {});
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
