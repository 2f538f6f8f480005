import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps, AppEnv } from '../env.ts';
import { json } from '../responses.ts';
import { readSupervisorStatus } from '../../platform/supervisor-status.ts';

const Component = z.object({ status: z.enum(['up', 'down']), latencyMs: z.number(), error: z.string().optional() });
const SupervisedChild = z.object({
  name: z.string(),
  state: z.enum(['starting', 'running', 'backoff', 'stopping', 'stopped', 'failed']),
  pid: z.number().int().optional(),
  restarts: z.number().int().meta({ description: 'how often it was started again after exiting on its own' }),
  startedAt: z.string().optional(),
  lastExit: z.object({ at: z.string(), reason: z.string() }).optional().meta({ description: 'its last unexpected exit' }),
  nextStartAt: z.string().optional().meta({ description: 'in backoff: when it is started again' }),
});
const Supervisor = z
  .object({
    state: z.enum(['running', 'stopping', 'gave-up']),
    startedAt: z.string(),
    updatedAt: z.string(),
    policy: z.object({ maxFailures: z.number().int(), windowSeconds: z.number().int() }).meta({ description: 'gives up after maxFailures failures of one child within windowSeconds' }),
    children: z.array(SupervisedChild),
  })
  .meta({ id: 'SupervisorStatus', description: 'present when the API runs under npm start: its supervised children' });
const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    components: z.object({ postgres: Component, temporal: Component, typesense: Component }),
    supervisor: Supervisor.optional(),
  })
  .meta({ id: 'Health' });

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['operations'],
  summary: 'Health of each dependency, reported separately (no authentication)',
  responses: {
    200: json(Health, 'All components up (and every supervised child running)'),
    503: json(Health, 'At least one component down, or a supervised child not running'),
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

export function healthRoutes({ sql, temporal, typesense, config }: ApiDeps) {
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
    const supervised = readSupervisorStatus(config.SUPERVISOR_STATUS_FILE);
    const supervisor = supervised && {
      state: supervised.state,
      startedAt: supervised.startedAt,
      updatedAt: supervised.updatedAt,
      policy: supervised.policy,
      children: supervised.children,
    };
    const ok = Object.values(components).every((s) => s.status === 'up') && (supervisor?.children ?? []).every((ch) => ch.state === 'running');
    return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), components, ...(supervisor ? { supervisor } : {}) }, ok ? 200 : 503);
  });
  return app;
}
