import type { Sql } from '../platform/db.ts';
import { manifestsFor } from '../platform/registry.ts';
import { compileSchema, compileTenantSchema, schemaIssues } from '../domain/schema-validator.ts';
import { conflict, inputError, notFound } from '../domain/errors.ts';
import { collectTaskRefs } from '../domain/validate-spec.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { applyDefaults, type RunInput, type RunPlan, type RunStatus, type TaskPlan } from '../domain/run.ts';
import { asFailure } from './errors.ts';
import { canRunDirectly } from '../domain/access.ts';
import { INPUT_LIMITS, shapeProblem } from '../domain/input-shape.ts';
import { instanceParams, instanceSecrets, loadRunInstance, withInstanceApprovals } from './run-instance.ts';
import type { StoredGuardrails } from '../domain/policy-profiles.ts';

export interface RunEnd {
  runId: string;
  definitionId: string;
  version: string;
  tenantId: string;
  status: Exclude<RunStatus, 'running'>;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  errorCode?: string;
  /** a dry run's end (recorded as such when its plan never loaded) */
  mode?: 'dry-run';
}

/**
 * The run engine's two bookkeeping activities (run as local activities: one marker each in
 * history, no task-queue round trip). Steps themselves are adapter activities.
 */
export function createRunActivities({ sql }: { sql: Sql }) {
  return {
    /**
     * The published spec, what the engine needs of each task, and the parameters with
     * defaults applied — recorded in history, so a run keeps the version it started with.
     * Opens the run row (idempotent).
     */
    loadRunPlan: (input: RunInput & { startedAt: string }) =>
      asFailure(async (): Promise<RunPlan> => {
        const [row] = await sql<{ spec: SpecV1; status: string; tenant_id: string; digest: string }[]>`
          select v.spec, v.status, d.tenant_id, v.digest
          from workflow_version v join workflow_definition d on d.id = v.definition_id
          where v.definition_id = ${input.definitionId} and v.version = ${input.version}`;
        // a tenant runs its own workflows directly; another tenant's only from an instance
        if (!row || (!input.instanceId && !canRunDirectly(input.tenantId, { ownerTenant: row.tenant_id }))) {
          throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.version} does not exist`);
        }
        if (row.status !== 'published') throw conflict('NOT_PUBLISHED', `${input.definitionId}@${input.version} is not published`);
        // a run from an instance: its tenant's, active, the version and content it installed
        const instance = input.instanceId ? await loadRunInstance(sql, input, row) : undefined;

        await sql`
          insert into run (id, tenant_id, definition_id, version, instance_id, status, started_at, mode)
          values (${input.runId}, ${input.tenantId}, ${input.definitionId}, ${input.version}, ${instance?.id ?? null}, 'running', ${input.startedAt}, ${input.mode ?? 'live'})
          on conflict (id) do nothing`;

        const spec = instance ? withInstanceApprovals(row.spec, instance) : row.spec;
        // a version stored before the edge checked every input must not take the engine down
        // (the workflow walks specs and parameters recursively inside its sandbox)
        const problem = shapeProblem(spec, INPUT_LIMITS, '/spec') ?? shapeProblem(input.params ?? {}, INPUT_LIMITS, '/params');
        if (problem) throw inputError(problem.code, `the run's ${problem.path.split('/')[1]} cannot be run: ${problem.path} ${problem.message}`, [{ path: problem.path, message: problem.message }]);
        const refs = collectTaskRefs(spec);
        const found = await manifestsFor(sql, refs);
        const tasks: Record<string, TaskPlan> = {};
        for (const ref of refs) {
          const entry = found.get(ref);
          if (!entry) throw inputError('TASK_NOT_REGISTERED', `${ref} is not registered`);
          if (entry.status === 'retired') throw inputError('TASK_RETIRED', `${ref} is retired and can no longer run`);
          const m = entry.manifest.spec;
          tasks[ref] = {
            runtime: m.runtime,
            ...(m.taskQueue ? { taskQueue: m.taskQueue } : {}),
            ...(m.retry ? { retry: m.retry } : {}),
            ...(m.timeout ? { timeout: m.timeout } : {}),
            ...(input.mode === 'dry-run' ? { sideEffects: m.security.sideEffects } : {}),
          };
        }

        const given = instance ? instanceParams(row.spec, instance, input.params ?? {}) : (input.params ?? {});
        const params = applyDefaults(spec.parameters, given) as Record<string, unknown>;
        if (spec.parameters) {
          const check = compileTenantSchema(spec.parameters);
          if (!check(params)) {
            throw inputError(
              'PARAMS_INVALID',
              'the run parameters do not match the parameters schema',
              schemaIssues(check.errors).map((i) => ({ path: `/params${i.path}`, message: i.message })),
            );
          }
        }
        return { spec, params, tasks, ...(instance ? { secrets: instanceSecrets(row.spec, instance), instanceId: instance.id } : {}) };
      }),

    /**
     * A dry run's check of one step's inputs against its task's input schema: the values
     * given must fit (a required input may be absent: it can come from a step the dry run
     * skipped). A misfit fails the step (INPUT_INVALID, not retried).
     */
    checkDryRunInputs: (input: { task: string; inputs: Record<string, unknown> }) =>
      asFailure(async (): Promise<{ ok: true }> => {
        const entry = (await manifestsFor(sql, [input.task])).get(input.task);
        if (!entry) throw inputError('TASK_NOT_REGISTERED', `${input.task} is not registered`);
        const { required: _required, ...schema } = entry.manifest.spec.input as { required?: string[] } & Record<string, unknown>;
        void _required;
        const check = compileSchema(schema);
        if (!check(input.inputs)) {
          const issues = schemaIssues(check.errors);
          throw inputError('INPUT_INVALID', `the inputs do not fit ${input.task}: ${issues.slice(0, 3).map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`, issues.map((i) => ({ path: `/with${i.path}`, message: i.message })));
        }
        return { ok: true };
      }),

    /** The guardrails' decision at run start on the run's read model (run.guardrails); idempotent. */
    async recordRunGuardrails(input: { runId: string; tenantId: string; guardrails: StoredGuardrails }): Promise<void> {
      await sql`update run set guardrails = ${sql.json(input.guardrails as never)} where id = ${input.runId} and tenant_id = ${input.tenantId}`;
    },

    /** Closes the run row with its outcome; idempotent (also when the plan never loaded). */
    async recordRunEnd(input: RunEnd): Promise<void> {
      await sql`
        insert into run (id, tenant_id, definition_id, version, status, started_at, finished_at, duration_ms, error_code, mode)
        select ${input.runId}, ${input.tenantId}, ${input.definitionId}, ${input.version}, ${input.status}, ${input.startedAt},
               ${input.finishedAt}, ${input.durationMs}, ${input.errorCode ?? null}, ${input.mode ?? 'live'}
        where exists (select 1 from workflow_definition where id = ${input.definitionId})
        on conflict (id) do update set status = excluded.status, finished_at = excluded.finished_at,
          duration_ms = excluded.duration_ms, error_code = excluded.error_code`;
    },
  };
}

export type RunActivities = ReturnType<typeof createRunActivities>;
