import { OpenAPIHono } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { CatalogReindexInput, CatalogReindexReport } from '../../domain/catalog-reindex.ts';
import { notFound } from '../../domain/errors.ts';
import { temporalWorkflowUrl } from '../../platform/temporal.ts';
import { catalogReindexLifecycle, catalogReindexWorkflowId, reindexProgressQuery } from '../../workflows/contracts/index.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { guarded } from '../permissions.ts';

const Sample = z.object({ count: z.number().int(), sample: z.array(z.string()) });

const ReindexReport = z
  .object({
    requestedBy: z.string(),
    reason: z.string().optional(),
    previousCollection: z.string().nullable().meta({ description: 'the collection the alias pointed to before (now dropped); null when there was none' }),
    collection: z.string().meta({ description: 'the collection built by the reindex; the alias points to it' }),
    total: z.number().int().meta({ description: 'catalog entries in Postgres' }),
    unchanged: z.number().int().meta({ description: 'documents that matched Postgres' }),
    missing: Sample.meta({ description: 'entries that had no search document' }),
    altered: z
      .object({ count: z.number().int(), sample: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })) })
      .meta({ description: 'documents that differed from Postgres, with the differing fields' }),
    extra: Sample.meta({ description: 'documents without a catalog entry (stale or planted); not carried over' }),
    caughtUp: z.number().int().meta({ description: 'entries changed by other lifecycles during the copy, re-read before and again after the switch; a difference in one of them counts here, not as missing or altered' }),
    startedAt: z.string(),
    finishedAt: z.string(),
  })
  .meta({ id: 'CatalogReindexReport', description: `samples hold at most 50 ids; counts are exact` });

const ReindexStarted = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    joined: z.boolean().meta({ description: 'true when a reindex was already running and this request joined it' }),
    temporalUrl: z.string(),
  })
  .meta({ id: 'CatalogReindexStarted' });

const ReindexStatus = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out', 'continued_as_new', 'unknown']),
    startedAt: z.string(),
    closedAt: z.string().optional(),
    progress: z
      .object({
        phase: z.enum(['preparing', 'copying', 'checking-extra', 'switching', 'catching-up', 'dropping', 'done']),
        collection: z.string().optional(),
        previousCollection: z.string().nullable().optional(),
        copied: z.number().int(),
        missing: z.number().int(),
        altered: z.number().int(),
      })
      .optional()
      .meta({ description: 'while running (absent when no worker answered in time)' }),
    report: ReindexReport.optional(), // when completed
    error: z.string().optional().meta({ description: 'when failed' }),
    temporalUrl: z.string(),
  })
  .meta({ id: 'CatalogReindexStatus' });

const forbidden = { 403: errorResponse('Platform admins only') };

const startReindex = guarded('catalog.admin', {
  method: 'post',
  path: '/catalog/reindex',
  tags: ['catalog'],
  summary: 'Rebuild the search collection from Postgres (platform admins); joins the reindex already running, if any',
  description:
    'Builds a new collection while the current one keeps answering, switches the catalog alias to it and drops the old one. ' +
    'The report (GET /catalog/reindex) says which documents were missing, altered or extra.',
  request: {
    body: { required: false, content: { 'application/json': { schema: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }) } } },
  },
  responses: { 202: json(ReindexStarted, 'Started, or joined the running reindex'), ...forbidden, ...commonErrors },
});

const reindexStatus = guarded('catalog.admin', {
  method: 'get',
  path: '/catalog/reindex',
  tags: ['catalog'],
  summary: 'The latest catalog reindex: its status, and its report once completed (platform admins)',
  responses: { 200: json(ReindexStatus, 'The latest reindex'), ...forbidden, 404: errorResponse('No reindex has run'), ...commonErrors },
});

const STATUS = new Set(ReindexStatus.shape.status.options);
type Status = z.infer<typeof ReindexStatus>['status'];

/**
 * Platform operations on the catalog. Mounted before the catalog routes so that
 * `/catalog/reindex` is never taken for an entry id (ids are `tenant.name`, with a dot).
 */
export function catalogAdminRoutes(deps: ApiDeps) {
  const { temporal, config } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const workflowId = catalogReindexWorkflowId(config.TYPESENSE_COLLECTION);
  const url = (runId: string) => temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, workflowId, runId);

  app.openapi(startReindex, async (c) => {
    const actor = c.get('actor');
    const { reason } = c.req.valid('json') ?? {};
    const input: CatalogReindexInput = { requestedBy: actor.sub, ...(reason ? { reason } : {}) };
    try {
      // Not USE_EXISTING: the SDK does not say whether that started a run or joined one.
      const { handle } = await lifecycleStarter(deps).start(catalogReindexLifecycle, input, { key: config.TYPESENSE_COLLECTION });
      return c.json({ workflowId, runId: handle.firstExecutionRunId, joined: false, temporalUrl: url(handle.firstExecutionRunId) }, 202);
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
    const { runId } = await temporal.workflow.getHandle(workflowId).describe();
    return c.json({ workflowId, runId, joined: true, temporalUrl: url(runId) }, 202);
  });

  app.openapi(reindexStatus, async (c) => {
    const latest = temporal.workflow.getHandle(workflowId);
    const d = await latest.describe().catch((e: unknown) => {
      if (e instanceof WorkflowNotFoundError) throw notFound('REINDEX_NOT_FOUND', 'no catalog reindex has run');
      throw e;
    });
    const name = d.status.name.toLowerCase() as Status;
    const status: Status = STATUS.has(name) ? name : 'unknown';
    const handle = temporal.workflow.getHandle(workflowId, d.runId);
    const body: z.infer<typeof ReindexStatus> = {
      workflowId,
      runId: d.runId,
      status,
      startedAt: d.startTime.toISOString(),
      ...(d.closeTime ? { closedAt: d.closeTime.toISOString() } : {}),
      temporalUrl: url(d.runId),
    };
    if (status === 'running') {
      // a query needs a worker: answer without progress rather than wait for one
      const progress = await temporal.withDeadline(Date.now() + 2000, () => handle.query(reindexProgressQuery)).catch(() => undefined);
      if (progress) body.progress = progress;
    } else if (status === 'completed') {
      body.report = (await handle.result()) as CatalogReindexReport;
    } else if (status === 'failed') {
      body.error = await handle.result().then(
        () => 'failed',
        (e: unknown) => (e instanceof WorkflowFailedError ? (e.cause?.message ?? e.message) : String(e)),
      );
    }
    return c.json(body, 200);
  });
  return app;
}
