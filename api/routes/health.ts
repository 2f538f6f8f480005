import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps, AppEnv } from '../env.ts';
import { json } from '../responses.ts';
import { readSupervisorStatus } from '../../platform/supervisor-status.ts';
import type { Sql } from '../../platform/db.ts';

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
const IndexCheck = z
  .object({
    alias: z.string(),
    checkedAt: z.string(),
    kind: z.enum(['check', 'after-repair']).meta({ description: 'check: a scheduled comparison; after-repair: the comparison once the reindex it started was done' }),
    postgres: z.number().int().meta({ description: 'catalog entries in Postgres' }),
    typesense: z.number().int().meta({ description: 'documents in the search collection' }),
    missing: z.number().int(),
    altered: z.number().int(),
    extra: z.number().int(),
    lag: z.number().int().meta({ description: 'documents out of sync (missing + altered + extra); 0 when search agrees with Postgres' }),
    repair: z.object({ workflowId: z.string(), runId: z.string().optional() }).optional().meta({ description: 'the catalog reindex started to repair the drift' }),
  })
  // counts only: this answer is public, and the entries out of sync may be another tenant's
  // (their ids are in catalog_index_check and in the check's Temporal history, for operators)
  .meta({ id: 'CatalogIndexCheck', description: 'the newest comparison of the search index with Postgres (absent before the first)' });
const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    components: z.object({ postgres: Component, temporal: Component, typesense: Component }),
    supervisor: Supervisor.optional(),
    index: IndexCheck.optional(),
  })
  .meta({ id: 'Health' });

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['operations'],
  summary: 'Health of each dependency, reported separately (no authentication)',
  responses: {
    200: json(Health, 'All components up, every supervised child running, and the search index in sync'),
    503: json(Health, 'At least one component down, a supervised child not running, or the search index out of sync (index.lag > 0)'),
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

interface IndexCheckRow {
  alias: string;
  kind: 'check' | 'after-repair';
  checked_at: Date;
  postgres_count: number;
  typesense_count: number;
  missing: number;
  altered: number;
  extra: number;
  sample: { missing?: string[]; altered?: string[] };
  repair_workflow_id: string | null;
  repair_run_id: string | null;
}

async function latestIndexCheck(sql: Sql, alias: string): Promise<z.infer<typeof IndexCheck> | undefined> {
  const [r] = await sql<IndexCheckRow[]>`select * from catalog_index_check where alias = ${alias} order by id desc limit 1`;
  if (!r) return undefined;
  return {
    alias: r.alias,
    checkedAt: r.checked_at.toISOString(),
    kind: r.kind,
    postgres: r.postgres_count,
    typesense: r.typesense_count,
    missing: r.missing,
    altered: r.altered,
    extra: r.extra,
    lag: r.missing + r.altered + r.extra,
    ...(r.repair_workflow_id ? { repair: { workflowId: r.repair_workflow_id, ...(r.repair_run_id ? { runId: r.repair_run_id } : {}) } } : {}),
  };
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
    const index = postgres.status === 'up' ? await latestIndexCheck(sql, config.TYPESENSE_COLLECTION).catch(() => undefined) : undefined;
    const ok =
      Object.values(components).every((s) => s.status === 'up') &&
      (supervisor?.children ?? []).every((ch) => ch.state === 'running') &&
      (index?.lag ?? 0) === 0;
    return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), components, ...(supervisor ? { supervisor } : {}), ...(index ? { index } : {}) }, ok ? 200 : 503);
  });
  return app;
}
