import { OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor } from '../../domain/actor.ts';
import { conflict, inputError, notAllowed, notFound } from '../../domain/errors.ts';
import { canRunDirectly } from '../../domain/access.ts';
import { visibleDefinitionSql } from '../../platform/access.ts';
import { workflowIds } from '../../domain/ids.ts';
import { compileTenantSchema, schemaIssues } from '../../domain/schema-validator.ts';
import { SEMVER, compareSemver } from '../../domain/semver.ts';
import { applyDefaults, isTerminalRun, type RunInput, type RunState, type RunStatus } from '../../domain/run.ts';
import { RUN_CODES, runLifecycle, approveStepUpdate, cancelRunUpdate, runStateQuery } from '../../workflows/contracts/index.ts';
import { temporalWorkflowUrl } from '../../platform/temporal.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { updateOpenWorkflow } from '../temporal-errors.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { DefinitionIdParam } from '../schemas.ts';
import { guarded } from '../permissions.ts';
import { GuardrailDecisionBody, OverrideRequestBody, PolicyOverrideBody, overrideResponses } from '../guardrail-schemas.ts';
import { sendOverride } from '../policy-override.ts';
import type { StoredGuardrails } from '../../domain/policy-profiles.ts';

// ---- schemas (declared once: validation, OpenAPI, tests) ----

const RunIdParam = z.object({
  runId: z.uuid('must be a run id (UUID)').meta({ param: { name: 'runId', in: 'path' }, example: '0b5e8f0e-4c1c-4c58-9a57-8d2f4f5a2d11' }),
});
const StepParam = RunIdParam.extend({
  stepId: z
    .string()
    .regex(/^[a-z][a-zA-Z0-9_-]{0,62}$/, 'must be a step id')
    .meta({ param: { name: 'stepId', in: 'path' }, example: 'managerApproval' }),
});

const RunActorBody = z.object({ sub: z.string(), tenant: z.string(), name: z.string().optional() }).meta({ id: 'RunActor' });
const RunStatusEnum = z.enum(['running', 'completed', 'failed', 'cancelled']);
const StepDecisionBody = z
  .object({ approver: RunActorBody, decision: z.enum(['approve', 'reject']), rationale: z.string(), at: z.string() })
  .meta({ id: 'StepDecision' });
const StepStateBody = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    task: z.string().optional().meta({ description: 'task ref; absent on a parallel group' }),
    parallelGroup: z.string().optional(),
    status: z.enum(['pending', 'running', 'waiting_approval', 'completed', 'failed', 'skipped', 'cancelled']),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    output: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    approval: z
      .object({
        message: z.string(),
        approvers: z.object({ roles: z.array(z.string()).optional(), users: z.array(z.string()).optional() }),
        count: z.number().int(),
        timeout: z.string().optional(),
        approvals: z.array(StepDecisionBody),
      })
      .optional(),
  })
  .meta({ id: 'StepState' });
const CancellationBody = z.object({ by: z.string(), reason: z.string(), at: z.string() }).meta({ id: 'RunCancellation' });
const RunStateBody = z
  .object({
    runId: z.string(),
    workflowId: z.string(),
    definitionId: z.string(),
    version: z.string(),
    tenantId: z.string(),
    status: RunStatusEnum,
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    durationMs: z.number().int().optional(),
    startedBy: RunActorBody,
    steps: z.array(StepStateBody),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        stepId: z.string().optional(),
        details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      })
      .optional(),
    cancellation: CancellationBody.optional(),
    mode: z.enum(['dry-run']).optional().meta({ description: 'a dry run (an upgrade smoke run): tasks with side effects were skipped' }),
    guardrails: GuardrailDecisionBody.optional().meta({ description: "the guardrails' decision at run start (live runs)" }),
    overrides: z.array(PolicyOverrideBody).optional(),
    policyHold: z
      .object({ rules: z.array(z.string()), overrideRoles: z.array(z.string()), since: z.string() })
      .optional()
      .meta({ description: 'present while a soft-mandatory guardrail holds the run before its first step: the rules held and the roles that may override them (POST /runs/{runId}/override)' }),
    temporalUrl: z.string(),
  })
  .meta({ id: 'RunState' });

export const RunStarted = z
  .object({ runId: z.string(), workflowId: z.string(), temporalUrl: z.string(), status: RunStatusEnum })
  .meta({ id: 'RunStarted' });

const RunSummaryBody = z
  .object({
    runId: z.string(),
    workflowId: z.string(),
    definitionId: z.string(),
    version: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled', 'timed_out']),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    durationMs: z.number().int().optional(),
    errorCode: z.string().optional(),
    mode: z.enum(['dry-run']).optional().meta({ description: 'a dry run (a review\'s performance run, an upgrade smoke run): not counted as usage' }),
    temporalUrl: z.string(),
  })
  .meta({ id: 'RunSummary' });

const notFoundError = { 404: errorResponse('No such run (or not of your tenant)') } as const;

// ---- routes ----

const startRun = guarded('run.start', {
  method: 'post',
  path: '/definitions/{id}/runs',
  tags: ['runs'],
  summary: 'Run a published version of a workflow',
  description:
    'Validates the parameters against the version\'s parameters schema, then starts the run engine. With an `Idempotency-Key` header a retried request joins the same run.',
  request: {
    params: DefinitionIdParam,
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            version: z.string().regex(SEMVER, 'must be a semantic version').optional().meta({ description: 'default: the latest published version' }),
            params: z.record(z.string(), z.unknown()).default({}),
          }),
        },
      },
    },
  },
  responses: {
    202: json(RunStarted, 'Run started (or joined, for a repeated Idempotency-Key)'),
    403: errorResponse("INSTALL_REQUIRED: another tenant's workflow runs from an instance of its template"),
    404: errorResponse('No such definition or version (or not visible to your tenant)'),
    409: errorResponse('The definition has no published version, or the version is not published'),
    ...commonErrors,
  },
});

const listRuns = guarded('run.read', {
  method: 'get',
  path: '/runs',
  tags: ['runs'],
  summary: 'Recent runs of your tenant',
  request: {
    query: z.object({
      definitionId: DefinitionIdParam.shape.id.optional().meta({ param: { name: 'definitionId', in: 'query' } }),
      limit: z.coerce.number().int().min(1).max(200).default(20).meta({ param: { name: 'limit', in: 'query' } }),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(RunSummaryBody) }), 'Runs, newest first'), ...commonErrors },
});

const getRun = guarded('run.read', {
  method: 'get',
  path: '/runs/{runId}',
  tags: ['runs'],
  summary: 'State of a run, step by step',
  request: { params: RunIdParam },
  responses: { 200: json(RunStateBody, 'Current state'), ...notFoundError, ...commonErrors },
});

const runEvents = guarded('run.read', {
  method: 'get',
  path: '/runs/{runId}/events',
  tags: ['runs'],
  summary: 'Live run state as server-sent events',
  description:
    'Sends `event: state` with the whole RunState JSON whenever it changes, heartbeat comments meanwhile, and closes after a terminal state. Authenticate with the bearer header (read it with fetch streaming).',
  request: { params: RunIdParam },
  responses: {
    200: {
      description: 'An event stream: `event: state` messages whose `data` is the RunState JSON, and `: heartbeat` comments',
      content: {
        'text/event-stream': {
          // before OpenAPI 3.2 (itemSchema), the schema of an event stream describes each event
          schema: { $ref: '#/components/schemas/RunStateEvent' },
        },
      },
    },
    ...notFoundError,
    ...commonErrors,
  },
});

const decideStep = guarded('run.decide', {
  method: 'post',
  path: '/runs/{runId}/steps/{stepId}/approvals',
  tags: ['runs'],
  summary: 'Approve or reject an approval step, with rationale',
  request: {
    params: StepParam,
    body: {
      required: true,
      content: { 'application/json': { schema: z.strictObject({ decision: z.enum(['approve', 'reject']), rationale: z.string().max(4000) }) } },
    },
  },
  responses: {
    200: json(z.object({ approval: StepDecisionBody, step: StepStateBody.optional(), status: RunStatusEnum }), 'Decision accepted'),
    403: errorResponse('Self-approval, not an allowed approver, or another tenant'),
    409: errorResponse('The step is not waiting for approval, or you already decided it'),
    ...notFoundError,
    ...commonErrors,
  },
});

const cancelRun = guarded('run.decide', {
  method: 'post',
  path: '/runs/{runId}/cancel',
  tags: ['runs'],
  summary: 'Cancel a run: in-flight steps are cancelled, who and why are recorded',
  request: {
    params: RunIdParam,
    body: { required: false, content: { 'application/json': { schema: z.strictObject({ reason: z.string().max(2000).optional() }) } } },
  },
  responses: {
    202: json(z.object({ runId: z.string(), workflowId: z.string(), cancellation: CancellationBody }), 'Cancellation accepted'),
    403: errorResponse('Only the starter or a tenant admin may cancel'),
    409: errorResponse('The run is not running'),
    ...notFoundError,
    ...commonErrors,
  },
});

const overrideRun = guarded('run.decide', {
  method: 'post',
  path: '/runs/{runId}/override',
  tags: ['runs'],
  summary: 'Override a soft-mandatory guardrail that holds a run, with rationale',
  description:
    "A live run held by a soft-mandatory guardrail (policyHold) starts its first step once each held rule is overridden by a role the rule names, never the run's starter. The actor is the token's; the override is recorded in the run's history.",
  request: { params: RunIdParam, body: { required: true, content: { 'application/json': { schema: OverrideRequestBody } } } },
  responses: {
    ...notFoundError,
    ...commonErrors,
    200: json(z.object({ guardrails: GuardrailDecisionBody, status: RunStatusEnum }), "Override accepted: the guardrails' new decision"),
    403: overrideResponses[403],
    409: overrideResponses[409],
    422: overrideResponses[422],
  },
});

// ---- helpers ----

interface RunRow {
  id: string;
  tenant_id: string;
  definition_id: string;
  version: string;
  status: RunStatus | 'timed_out';
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  error_code: string | null;
  mode: 'live' | 'dry-run';
  guardrails: StoredGuardrails | null;
}

interface LocatedRun {
  runId: string;
  workflowId: string;
  row?: RunRow;
  /** Temporal's run id of the execution (the history link needs it) */
  executionRunId?: string;
}

/** A failed run's error as the engine recorded it in its workflow failure (`details[0]`). */
function runErrorOf(err: unknown): RunState['error'] | undefined {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) {
      const d = e.details?.[0] as Partial<NonNullable<RunState['error']>> | undefined;
      if (d && typeof d.code === 'string' && typeof d.message === 'string') {
        return { code: d.code, message: d.message, ...(typeof d.stepId === 'string' ? { stepId: d.stepId } : {}), ...(Array.isArray(d.details) ? { details: d.details } : {}) };
      }
      return e.type ? { code: e.type, message: e.message } : undefined;
    }
  }
  return undefined;
}


/** A retried POST with the same Idempotency-Key (same tenant, same definition) names the same run. */
export function runIdFromKey(tenant: string, definitionId: string, key: string): string {
  const h = createHash('sha256').update(`${tenant}\n${definitionId}\n${key}`).digest('hex');
  // RFC 9562 layout, version 8 (custom), variant 10
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const STREAM_POLL_MS = 250;
const STREAM_HEARTBEAT_MS = 15_000;
/** a stream ends after this long even if the run goes on (the client reconnects) */
const STREAM_MAX_MS = 30 * 60_000;
const QUERY_DEADLINE_MS = 3_000;
/** Temporal run ids remembered per workflow id, for history links (a run's execution keeps its id) */
const MAX_EXECUTION_IDS = 10_000;

export function runRoutes(deps: ApiDeps) {
  const { temporal, config, sql } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const lifecycles = lifecycleStarter(deps);
  app.openAPIRegistry.registerComponent('schemas', 'RunStateEvent', {
    type: 'object',
    description: 'One event of GET /runs/{runId}/events, by its SSE fields',
    required: ['event', 'data'],
    properties: {
      event: { type: 'string', enum: ['state'] },
      data: {
        type: 'string',
        description: 'the whole RunState as JSON',
        contentMediaType: 'application/json',
        contentSchema: { $ref: '#/components/schemas/RunState' },
      },
    },
  });
  const url = (workflowId: string, executionRunId: string | undefined) => temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, workflowId, executionRunId);

  const executions = new Map<string, string>();
  const remember = (workflowId: string, executionRunId: string | undefined) => {
    if (!executionRunId || executions.get(workflowId) === executionRunId) return;
    if (executions.size >= MAX_EXECUTION_IDS) executions.delete(executions.keys().next().value!);
    executions.set(workflowId, executionRunId);
  };
  /** Temporal's run id of a run's execution: remembered, else described once. */
  async function executionOf(run: LocatedRun): Promise<string | undefined> {
    const known = run.executionRunId ?? executions.get(run.workflowId);
    if (known) return known;
    const described = await temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => temporal.workflow.getHandle(run.workflowId).describe()).catch(() => undefined);
    remember(run.workflowId, described?.runId);
    return described?.runId;
  }
  /** The execution run ids of many runs at once, from Temporal's visibility (one call). */
  async function executionsOf(ids: string[]): Promise<void> {
    const unknown = ids.filter((w) => !executions.has(w));
    if (!unknown.length) return;
    const list = unknown.map((w) => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ');
    try {
      for await (const wf of temporal.workflow.list({ query: `WorkflowId IN (${list})`, pageSize: unknown.length })) remember(wf.workflowId, wf.runId);
    } catch {
      // links fall back to the workflow list filtered by id
    }
  }

  /**
   * Finds a run of the actor's tenant: the run table (written by the run's first step), or
   * Temporal's visibility for a run whose first step has not run yet (e.g. no worker).
   */
  async function locateRun(actor: Actor, runId: string): Promise<LocatedRun> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const [row] = await sql<RunRow[]>`select * from run where id = ${runId} and tenant_id = ${actor.tenant}`;
      if (row) return { runId, workflowId: workflowIds.run(row.definition_id, runId), row };
      const tenant = actor.tenant.replace(/'/g, "''");
      let seen = 0;
      for await (const wf of temporal.workflow.list({ query: `Lifecycle = 'run' AND TenantId = '${tenant}' AND ExecutionStatus = 'Running'` })) {
        if (wf.workflowId.endsWith(`/${runId}`)) return { runId, workflowId: wf.workflowId, executionRunId: wf.runId };
        if (++seen >= 1000) break;
      }
      await new Promise((r) => setTimeout(r, 200)); // a run started a moment ago may not be listed yet
    }
    throw notFound('RUN_NOT_FOUND', `no run ${runId} in your tenant`);
  }

  /** The workflow answers; when no worker does, the run table and Temporal's own record. */
  async function readState(actor: Actor, run: LocatedRun): Promise<RunState & { temporalUrl: string }> {
    const handle = temporal.workflow.getHandle(run.workflowId);
    const live = await temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(runStateQuery)).catch(() => undefined);
    if (live && live.tenantId === actor.tenant) return { ...live, temporalUrl: url(run.workflowId, await executionOf(run)) };
    const described = await handle.describe().catch(() => undefined);
    remember(run.workflowId, described?.runId);
    const temporalUrl = url(run.workflowId, described?.runId ?? (await executionOf(run)));
    // a closed run's outcome is in Temporal's record, readable without a worker: the whole
    // state of a completed run, the engine's error (the adapter's own message) of a failed one
    let error: RunState['error'] | undefined;
    if (described?.status.name === 'COMPLETED' || described?.status.name === 'FAILED') {
      const outcome = await temporal
        .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.result() as Promise<RunState>)
        .then((state) => ({ state }), (e: unknown) => ({ error: runErrorOf(e) }));
      if ('state' in outcome && outcome.state?.tenantId === actor.tenant && Array.isArray(outcome.state.steps)) return { ...outcome.state, temporalUrl };
      if ('error' in outcome) error = outcome.error;
    }
    const memo = (described?.memo ?? {}) as { definitionId?: string; version?: string; startedBy?: RunState['startedBy'] };
    const r = run.row;
    const temporalStatus: Record<string, RunStatus> = { RUNNING: 'running', COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled', TERMINATED: 'failed', TIMED_OUT: 'failed' };
    return {
      runId: run.runId,
      workflowId: run.workflowId,
      definitionId: r?.definition_id ?? memo.definitionId ?? '',
      version: r?.version ?? memo.version ?? '',
      tenantId: actor.tenant,
      status: r ? (r.status === 'timed_out' ? 'failed' : r.status) : (temporalStatus[described?.status.name ?? ''] ?? 'running'),
      startedAt: (r?.started_at ?? described?.startTime ?? new Date()).toISOString(),
      ...(r?.finished_at ? { finishedAt: r.finished_at.toISOString() } : {}),
      ...(r?.duration_ms !== null && r?.duration_ms !== undefined ? { durationMs: r.duration_ms } : {}),
      startedBy: memo.startedBy ?? { sub: 'unknown', tenant: actor.tenant },
      steps: [],
      ...(error ? { error } : r?.error_code ? { error: { code: r.error_code, message: 'the run failed; its Temporal history has the details' } } : {}),
      ...(r?.guardrails ? { guardrails: r.guardrails.decision, overrides: r.guardrails.overrides } : {}),
      temporalUrl,
    };
  }

  /** Update on a run that has finished: the workflow is closed, so say so in our terms. */
  async function updateRunning<T>(fn: () => Promise<T>, code: string, message: string): Promise<T> {
    return updateOpenWorkflow(fn, code, message);
  }

  app.openapi(startRun, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const [def] = await sql<{ tenant_id: string; latest_version: string | null }[]>`
      select tenant_id, latest_version from workflow_definition d
      where id = ${id} and ${visibleDefinitionSql(sql, actor.tenant)}`;
    if (!def) throw notFound('DEFINITION_NOT_FOUND', 'no such definition');
    // another tenant's workflow runs from an instance, with that tenant's own bindings and quotas
    if (!canRunDirectly(actor.tenant, { ownerTenant: def.tenant_id })) {
      throw notAllowed('INSTALL_REQUIRED', `${id} belongs to another tenant: install it from the marketplace and run the instance`);
    }
    let version = body.version ?? def.latest_version;
    if (!version) {
      // the newest published version
      const published = await sql<{ version: string }[]>`
        select version from workflow_version where definition_id = ${id} and status = 'published'`;
      version = published.map((p) => p.version).sort(compareSemver).at(-1) ?? null;
    }
    if (!version) throw conflict('NOT_PUBLISHED', `${id} has no published version yet`);
    const [v] = await sql<{ status: string; parameters: object | null }[]>`
      select status, spec->'parameters' as parameters from workflow_version
      where definition_id = ${id} and version = ${version}`;
    if (!v) throw notFound('VERSION_NOT_FOUND', `${id} has no version ${version}`);
    if (v.status !== 'published') throw conflict('NOT_PUBLISHED', `${id}@${version} is ${v.status}, not published: only published versions run`);

    // the engine checks again when the run starts; checking here gives the caller the paths at once
    const params = applyDefaults(v.parameters, body.params) as Record<string, unknown>;
    if (v.parameters) {
      const check = compileTenantSchema(v.parameters);
      if (!check(params)) {
        throw inputError(
          'PARAMS_INVALID',
          'the parameters do not match the parameters schema of this version',
          schemaIssues(check.errors).map((i) => ({ path: `/params${i.path}`, message: i.message })),
        );
      }
    }

    const runId = key ? runIdFromKey(actor.tenant, id, key) : randomUUID();
    const workflowId = workflowIds.run(id, runId);
    const input: RunInput = { runId, definitionId: id, version, tenantId: actor.tenant, params: body.params, startedBy: actor };
    let status: RunStatus = 'running';
    let executionRunId: string | undefined;
    try {
      // a repeated Idempotency-Key joins the running run, and never starts a finished one again
      const { handle } = await lifecycles.start(runLifecycle, input);
      executionRunId = handle.firstExecutionRunId;
      remember(workflowId, executionRunId);
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      // the run finished already: answer with its outcome (the run table knows it even without a worker)
      const state = await readState(actor, await locateRun(actor, runId).catch(() => ({ runId, workflowId })));
      status = state.status;
      executionRunId = executions.get(workflowId);
    }
    return c.json({ runId, workflowId, temporalUrl: url(workflowId, executionRunId), status }, 202);
  });

  app.openapi(listRuns, async (c) => {
    const actor = c.get('actor');
    const { definitionId, limit } = c.req.valid('query');
    const rows = await sql<RunRow[]>`
      select * from run where tenant_id = ${actor.tenant} ${definitionId ? sql`and definition_id = ${definitionId}` : sql``}
      order by started_at desc limit ${limit}`;
    await executionsOf(rows.map((r) => workflowIds.run(r.definition_id, r.id)));
    const items = rows.map((r) => {
      const workflowId = workflowIds.run(r.definition_id, r.id);
      return {
        runId: r.id,
        workflowId,
        definitionId: r.definition_id,
        version: r.version,
        status: r.status,
        startedAt: r.started_at.toISOString(),
        ...(r.finished_at ? { finishedAt: r.finished_at.toISOString() } : {}),
        ...(r.duration_ms !== null ? { durationMs: r.duration_ms } : {}),
        ...(r.error_code ? { errorCode: r.error_code } : {}),
        ...(r.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
        temporalUrl: url(workflowId, executions.get(workflowId)),
      };
    });
    return c.json({ items }, 200);
  });

  app.openapi(getRun, async (c) => {
    const actor = c.get('actor');
    const run = await locateRun(actor, c.req.valid('param').runId);
    return c.json(await readState(actor, run), 200);
  });

  app.openapi(runEvents, async (c) => {
    const actor = c.get('actor');
    const run = await locateRun(actor, c.req.valid('param').runId);
    return streamSSE(c, async (stream) => {
      const until = Date.now() + STREAM_MAX_MS;
      let last = '';
      let lastWrite = Date.now();
      while (!stream.aborted && !stream.closed && Date.now() < until) {
        const state = await readState(actor, run);
        const data = JSON.stringify(state);
        if (data !== last) {
          await stream.writeSSE({ event: 'state', data });
          last = data;
          lastWrite = Date.now();
        }
        if (isTerminalRun(state.status)) break;
        if (Date.now() - lastWrite >= STREAM_HEARTBEAT_MS) {
          await stream.write(': heartbeat\n\n');
          lastWrite = Date.now();
        }
        await stream.sleep(STREAM_POLL_MS);
      }
    }) as never;
  });

  app.openapi(decideStep, async (c) => {
    const actor = c.get('actor');
    const { runId, stepId } = c.req.valid('param');
    const { decision, rationale } = c.req.valid('json');
    const run = await locateRun(actor, runId);
    const handle = temporal.workflow.getHandle(run.workflowId);
    const approval = await updateRunning(
      () => handle.executeUpdate(approveStepUpdate, { args: [{ stepId, approver: actor, decision, rationale }] }),
      RUN_CODES.stepNotAwaiting,
      `run ${runId} has finished: step "${stepId}" is not waiting for approval`,
    );
    const state = await readState(actor, run);
    const step = state.steps.find((s) => s.id === stepId);
    return c.json({ approval, ...(step ? { step } : {}), status: state.status }, 200);
  });

  app.openapi(cancelRun, async (c) => {
    const actor = c.get('actor');
    const { runId } = c.req.valid('param');
    const { reason } = c.req.valid('json') ?? {};
    const run = await locateRun(actor, runId);
    const cancellation = await updateRunning(
      () => temporal.workflow.getHandle(run.workflowId).executeUpdate(cancelRunUpdate, { args: [{ by: actor, ...(reason ? { reason } : {}) }] }),
      RUN_CODES.runNotRunning,
      `run ${runId} has already finished`,
    );
    return c.json({ runId, workflowId: run.workflowId, cancellation }, 202);
  });

  app.openapi(overrideRun, async (c) => {
    const actor = c.get('actor');
    const { runId } = c.req.valid('param');
    const { rule, rationale } = c.req.valid('json');
    const run = await locateRun(actor, runId);
    const before = await readState(actor, run);
    if (!before.policyHold) throw conflict('NOT_HELD', `run ${runId} is ${before.status}, not held for a policy override`);
    const guardrails = await sendOverride(temporal.workflow.getHandle(run.workflowId), actor, { rule, rationale }, `run ${runId} has finished: it is not held for a policy override`);
    const state = await readState(actor, run);
    return c.json({ guardrails, status: state.status }, 200);
  });

  return app;
}
