import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

async function fileResponse(root: string, rel: string, cache: string): Promise<Response | undefined> {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(path.resolve(root) + path.sep)) return undefined;
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile()) return undefined;
  return new Response(new Uint8Array(await readFile(file)), {
    headers: { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': cache },
  });
}

/** The built Switchboard: hashed assets cached for long, index.html for every app route. */
export function switchboard(webDist: string) {
  const app = new Hono<AppEnv>();
  app.get('*', async (c) => {
    const p = c.req.path;
    const asset = p !== '/' && (await fileResponse(webDist, p, p.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'));
    if (asset) return asset;
    const index = await fileResponse(webDist, 'index.html', 'no-cache');
    return index ?? c.text('The Switchboard is not built: run "npm run web:build".', 503);
  });
  return app;
}

/** Interactive API docs (Swagger UI served from the installed package, no CDN). */
export function apiDocs(specUrl: string) {
  const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const app = new Hono<AppEnv>();
  app.get('/', (c) =>
    c.html(`<!doctype html><html><head><meta charset="utf-8"><title>Maestro Conductor API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script></body></html>`),
  );
  app.get('/assets/init.js', (c) =>
    c.body(`window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#ui', persistAuthorization: true });`, 200, {
      'content-type': 'text/javascript; charset=utf-8',
    }),
  );
  app.get('/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (!/^swagger-ui(-bundle)?\.(js|css)$/.test(file)) return c.notFound();
    return (await fileResponse(dist, file, 'public, max-age=86400')) ?? c.notFound();
  });
  return app;
}
