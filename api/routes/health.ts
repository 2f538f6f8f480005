import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps, AppEnv } from '../env.ts';
import { json } from '../responses.ts';

const Component = z.object({ status: z.enum(['up', 'down']), latencyMs: z.number(), error: z.string().optional() });
const Health = z
  .object({ status: z.enum(['ok', 'degraded']), components: z.object({ postgres: Component, temporal: Component, typesense: Component }) })
  .meta({ id: 'Health' });

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['operations'],
  summary: 'Health of each dependency, reported separately (no authentication)',
  responses: {
    200: json(Health, 'All components up'),
    503: json(Health, 'At least one component down'),
  },
});

async function probe(fn: () => Promise<unknown>, timeoutMs = 2000) {
  const t0 = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref())]);
    return { status: 'up' as const, latencyMs: Math.round(performance.now() - t0) };
  } catch (e) {
    return { status: 'down' as const, latencyMs: Math.round(performance.now() - t0), error: e instanceof Error ? e.message.split('\n')[0]! : 'unreachable' };
  }
}

export function healthRoutes({ sql, temporal, typesense }: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(health, async (c) => {
    const [postgres, temporalStatus, typesenseStatus] = await Promise.all([
      probe(() => sql`select 1`),
      probe(() => temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace })),
      probe(async () => {
        const h = await typesense.health.retrieve();
        if (!h.ok) throw new Error('typesense reports not ok');
      }),
    ]);
    const components = { postgres, temporal: temporalStatus, typesense: typesenseStatus };
    const ok = Object.values(components).every((s) => s.status === 'up');
    return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), components }, ok ? 200 : 503);
  });
  return app;
}
