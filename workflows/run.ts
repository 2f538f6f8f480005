import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import type { AdapterActivity, AdapterInput } from '../domain/adapter-io.ts';
import { evaluateCondition, evaluateStepStatically, hasExpression, resolveBindings, type StepEvaluation } from '../domain/expressions.ts';
import { parseFailureType, type ErrorDetail } from '../domain/errors.ts';
import { isParallel, walkSteps, type ParallelStep, type Step, type TaskStep } from '../domain/spec-types.ts';
import {
  RUN_CODES,
  approvalRefusal,
  cancelRefusal,
  mergeRetry,
  runActor,
  secretReferences,
  type Refusal,
  type RunInput,
  type RunPlan,
  type RunState,
  type StepApprovers,
  type StepDecision,
  type StepState,
  type TaskPlan,
} from '../domain/run.ts';
import { approveStepUpdate, cancelRunUpdate, runStateQuery } from './contracts/run.ts';
import type { PolicyOverride, StoredGuardrails } from '../domain/policy-profiles.ts';
import { GUARDRAILS_PATCH, guardrailError, policyGate } from './policy-gate.ts';

// The run's guardrail decision on its read model (run.guardrails).
const readModel = proxyActivities<Pick<Activities, 'recordRunGuardrails'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

// Bookkeeping runs as local activities: recorded as markers, no task-queue round trip, so
// the engine's overhead over a hand-written workflow is two markers per run.
const local = proxyLocalActivities<Pick<Activities, 'loadRunPlan' | 'recordRunEnd'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

// Tenant expressions run in the expression sandbox (separate processes bounded in time and
// memory), not in this sandbox: one marker per step that has a `when` or bindings.
const sandboxed = proxyLocalActivities<Pick<Activities, 'evaluateStepExpressions'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
/** Runs recorded before the sandbox evaluated expressions in the workflow; replay keeps that. */
export const EXPRESSION_SANDBOX_PATCH = 'expressions-in-sandbox';

// A dry run checks each step's inputs against its task's schema (a local activity: the schema is the registry's).
const dryRunChecks = proxyLocalActivities<Pick<Activities, 'checkDryRunInputs'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
/** A cancel accepted as the last step completed ends the run cancelled (before: completed, with the cancellation). */
export const CANCEL_AFTER_LAST_STEP_PATCH = 'run-cancel-after-last-step';
/** Dry runs (an upgrade's smoke run in `dry-run` mode): new behaviour, only for runs that ask for it. */
export const DRY_RUN_PATCH = 'run-dry-run';

const DURATION = /^[1-9][0-9]*(ms|s|m|h|d)$/;
const DEFAULT_STEP_TIMEOUT = '60s';

/** A step failed for a business reason: the run fails with the step's code and message. */
class StepFailure extends Error {
  constructor(
    readonly stepId: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const now = () => iso(Date.now());
const refuse = (r: Refusal | undefined) => {
  if (r) throw ApplicationFailure.create({ type: r.code, message: r.message, nonRetryable: true });
};
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A local activity's failure arrives as it was thrown, not always wrapped in an ActivityFailure. */
const applicationFailureOf = (err: unknown): ApplicationFailure | undefined => {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause : undefined;
};

/** An adapter activity's failure → the step's code (the ApplicationFailure type) and message. */
function activityFailure(stepId: string, err: ActivityFailure, timeout: string): StepFailure {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    return new StepFailure(stepId, parseFailureType(cause.type)?.code ?? cause.type ?? RUN_CODES.stepFailed, cause.message);
  }
  if (cause instanceof TimeoutFailure) return new StepFailure(stepId, RUN_CODES.stepTimeout, `the step did not finish within ${timeout}`);
  return new StepFailure(stepId, RUN_CODES.stepFailed, cause?.message ?? err.message);
}

/**
 * The run engine: interprets one published spec version step by step. Steps run in order;
 * a `parallel` group runs its members at once, and the first member to fail cancels the
 * others (they end `cancelled`) before the run fails. A failed run fails the Temporal
 * execution (type = the error code); a Temporal cancellation ends it Canceled; a `cancel`
 * Update ends it completed with status `cancelled` (who and why in the state).
 */
export async function runWorkflow(input: RunInput): Promise<RunState> {
  const { workflowId, taskQueue } = workflowInfo();
  const t0 = Date.now();
  const state: RunState = {
    runId: input.runId,
    workflowId,
    definitionId: input.definitionId,
    version: input.version,
    tenantId: input.tenantId,
    status: 'running',
    startedAt: iso(t0),
    startedBy: runActor(input.startedBy),
    steps: [],
    ...(input.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
  };
  const byId = new Map<string, StepState>();
  const runScope = new CancellationScope();

  setHandler(runStateQuery, () => state);
  setHandler(
    approveStepUpdate,
    (args): StepDecision => {
      const record: StepDecision = { approver: runActor(args.approver), decision: args.decision, rationale: args.rationale.trim(), at: now() };
      byId.get(args.stepId)!.approval!.approvals.push(record);
      return record;
    },
    { validator: (args) => refuse(approvalRefusal(state, args)) },
  );
  setHandler(
    cancelRunUpdate,
    (args) => {
      state.cancellation = { by: args.by.sub, reason: args.reason?.trim() || 'no reason given', at: now() };
      runScope.cancel();
      return state.cancellation;
    },
    { validator: (args) => refuse(cancelRefusal(state, args)) },
  );

  const context = {
    params: {} as Record<string, unknown>,
    steps: {} as Record<string, { output: unknown }>,
    secrets: {} as Record<string, string>,
    run: { id: input.runId, definitionId: input.definitionId, version: input.version, tenantId: input.tenantId, startedBy: input.startedBy.sub },
  };
  let plan: RunPlan;

  const adapterContext = (stepId: string): AdapterInput['context'] => ({
    tenantId: input.tenantId,
    workflowId,
    runId: input.runId,
    stepId,
    idempotencyKey: `${workflowId}/${stepId}`,
  });

  async function runActivity(step: TaskStep, task: TaskPlan, inputs: Record<string, unknown>): Promise<unknown> {
    const timeout = step.timeout ?? task.timeout ?? DEFAULT_STEP_TIMEOUT;
    const { nonRetryableErrorTypes, ...retry } = mergeRetry(task.retry, step.retry);
    const adapters = proxyActivities<Record<string, AdapterActivity>>({
      taskQueue: task.taskQueue ?? taskQueue,
      startToCloseTimeout: timeout as Duration,
      retry: {
        ...(retry.maximumAttempts !== undefined ? { maximumAttempts: retry.maximumAttempts } : {}),
        ...(retry.initialInterval ? { initialInterval: retry.initialInterval as Duration } : {}),
        ...(retry.backoffCoefficient !== undefined ? { backoffCoefficient: retry.backoffCoefficient } : {}),
        ...(retry.maximumInterval ? { maximumInterval: retry.maximumInterval as Duration } : {}),
        ...(nonRetryableErrorTypes ? { nonRetryableErrorTypes } : {}),
      },
    });
    try {
      return await adapters[step.task]!({ inputs, context: adapterContext(step.id) });
    } catch (err) {
      if (err instanceof ActivityFailure && !isCancellation(err)) throw activityFailure(step.id, err, timeout);
      throw err;
    }
  }

  async function runTimer(step: TaskStep, inputs: Record<string, unknown>): Promise<unknown> {
    const duration = inputs.duration;
    if (typeof duration !== 'string' || !DURATION.test(duration)) {
      throw new StepFailure(step.id, 'INPUT_INVALID', `duration must be a duration such as 30s or 5m, not ${JSON.stringify(duration)}`);
    }
    const started = Date.now();
    await sleep(duration as Duration);
    return { waitedMs: Date.now() - started };
  }

  async function runApproval(step: TaskStep, s: StepState, inputs: Record<string, unknown>): Promise<unknown> {
    const given = (inputs.approvers ?? {}) as StepApprovers;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
    const roles = strings(given.roles);
    const users = strings(given.users);
    const timeout = inputs.timeout;
    if (timeout !== undefined && (typeof timeout !== 'string' || !DURATION.test(timeout))) {
      throw new StepFailure(step.id, 'INPUT_INVALID', `timeout must be a duration such as 30s or 5m, not ${JSON.stringify(timeout)}`);
    }
    const count = typeof inputs.count === 'number' && inputs.count >= 1 ? Math.floor(inputs.count) : 1;
    const approval = {
      message: typeof inputs.message === 'string' ? inputs.message : JSON.stringify(inputs.message ?? ''),
      approvers: { ...(roles ? { roles } : {}), ...(users ? { users } : {}) },
      count,
      ...(timeout ? { timeout } : {}),
      approvals: [] as StepDecision[],
    };
    s.approval = approval;
    s.status = 'waiting_approval';
    const rejection = () => approval.approvals.find((a) => a.decision === 'reject');
    const decided = () => !!rejection() || approval.approvals.filter((a) => a.decision === 'approve').length >= count;
    const inTime = timeout ? await condition(decided, timeout as Duration) : (await condition(decided), true);
    if (!inTime) throw new StepFailure(step.id, RUN_CODES.approvalTimeout, `no decision within ${timeout}`);
    const rejected = rejection();
    if (rejected) {
      throw new StepFailure(step.id, RUN_CODES.approvalRejected, `rejected by ${rejected.approver.name ?? rejected.approver.sub}: ${rejected.rationale}`);
    }
    return { approved: true, approvals: approval.approvals };
  }

  /**
   * A step of a dry run: its inputs checked against the task's schema; a task without side
   * effects runs (its output feeds the next steps), any other is skipped.
   */
  async function dryRunTask(step: TaskStep, task: TaskPlan, inputs: Record<string, unknown>): Promise<{ output: unknown; skipped: boolean }> {
    try {
      await dryRunChecks.checkDryRunInputs({ task: step.task, inputs });
    } catch (err) {
      const cause = applicationFailureOf(err);
      if (!cause) throw err;
      throw new StepFailure(step.id, parseFailureType(cause.type)?.code ?? cause.type ?? 'INPUT_INVALID', cause.message);
    }
    if (task.runtime === 'activity' && task.sideEffects === 'none') return { output: await runActivity(step, task, inputs), skipped: false };
    return { output: { dryRun: true }, skipped: true };
  }

  const skip = (step: Step) => {
    byId.get(step.id)!.status = 'skipped';
    if (isParallel(step)) for (const inner of walkSteps(step.parallel)) byId.get(inner.step.id)!.status = 'skipped';
  };

  async function runGroup(group: ParallelStep, s: StepState): Promise<void> {
    s.status = 'running';
    s.startedAt = now();
    const scope = new CancellationScope();
    let failure: StepFailure | undefined;
    const settled = await scope.run(() =>
      Promise.allSettled(
        group.parallel.map(async (member) => {
          try {
            await runStep(member);
          } catch (e) {
            if (e instanceof StepFailure && !failure) {
              failure = e;
              scope.cancel(); // siblings stop now: one of them may be an approval nobody will give
            }
            throw e;
          }
        }),
      ),
    );
    s.finishedAt = now();
    if (failure) {
      s.status = 'failed';
      s.error = { code: failure.code, message: `step "${failure.stepId}" failed: ${failure.message}` };
      throw failure;
    }
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) {
      s.status = isCancellation(rejected.reason) ? 'cancelled' : 'failed';
      throw rejected.reason;
    }
    s.status = 'completed';
  }

  /** The sandbox's answer for a step, or a StepFailure naming the expression's problem. */
  async function evaluateInSandbox(step: Step, s: StepState): Promise<StepEvaluation> {
    try {
      return await sandboxed.evaluateStepExpressions({
        ...(step.when !== undefined ? { when: step.when } : {}),
        ...(!isParallel(step) && step.with ? { with: step.with } : {}),
        context,
      });
    } catch (err) {
      const cause = applicationFailureOf(err);
      if (!cause) throw err;
      s.status = 'failed';
      s.error = { code: cause.type ?? RUN_CODES.expressionError, message: cause.message };
      s.startedAt ??= now();
      s.finishedAt = now();
      throw new StepFailure(step.id, s.error.code, s.error.message);
    }
  }

  async function runStep(step: Step): Promise<void> {
    const s = byId.get(step.id)!;
    const inSandbox = (step.when !== undefined || (!isParallel(step) && hasExpression(step.with))) && patched(EXPRESSION_SANDBOX_PATCH);
    let inputs: Record<string, unknown> | undefined;
    if (inSandbox) {
      // plain paths (params.x, steps.a.output.y) are read here; anything else is evaluated in the sandbox
      const evaluation =
        evaluateStepStatically({ ...(step.when !== undefined ? { when: step.when } : {}), ...(!isParallel(step) && step.with ? { with: step.with } : {}) }, context) ??
        (await evaluateInSandbox(step, s));
      if (!evaluation.run) return skip(step);
      inputs = evaluation.inputs;
    } else if (step.when) {
      let go: boolean;
      try {
        go = await evaluateCondition(step.when, context);
      } catch (e) {
        s.status = 'failed';
        s.error = { code: RUN_CODES.expressionError, message: `when: ${messageOf(e)}` };
        throw new StepFailure(step.id, RUN_CODES.expressionError, s.error.message);
      }
      if (!go) return skip(step);
    }
    if (isParallel(step)) return runGroup(step, s);

    s.status = 'running';
    s.startedAt = now();
    try {
      if (!inputs) {
        try {
          inputs = (await resolveBindings(step.with ?? {}, context)) as Record<string, unknown>;
        } catch (e) {
          throw new StepFailure(step.id, RUN_CODES.expressionError, `with: ${messageOf(e)}`);
        }
      }
      const task = plan.tasks[step.task]!;
      let skipped = false;
      const output =
        input.mode === 'dry-run' && patched(DRY_RUN_PATCH)
          ? await dryRunTask(step, task, inputs).then((r) => ((skipped = r.skipped), r.output))
          : task.runtime === 'timer'
          ? await runTimer(step, inputs)
          : task.runtime === 'approval'
            ? await runApproval(step, s, inputs)
            : await runActivity(step, task, inputs);
      s.output = output;
      s.status = skipped ? 'skipped' : 'completed';
      context.steps[step.id] = { output };
    } catch (err) {
      if (isCancellation(err)) s.status = 'cancelled';
      else if (err instanceof StepFailure) {
        s.status = 'failed';
        s.error = { code: err.code, message: err.message };
      }
      throw err;
    } finally {
      s.finishedAt = now();
    }
  }

  async function runGuardrails(): Promise<void> {
    const gate = Object.assign(state, { overrides: [] as PolicyOverride[] });
    const stored = (): StoredGuardrails => ({ outcome: gate.guardrails!.outcome, decision: gate.guardrails!, overrides: [...gate.overrides] });
    const record = () => readModel.recordRunGuardrails({ runId: input.runId, tenantId: input.tenantId, guardrails: stored() });
    let outcome;
    try {
      outcome = await policyGate(
        gate,
        {
          operation: 'run',
          actor: input.startedBy,
          definitionId: input.definitionId,
          version: input.version,
          tenantId: input.tenantId,
          runId: input.runId,
          ...(input.instanceId ? { instanceId: input.instanceId } : {}),
        },
        {
          requester: input.startedBy.sub,
          onHold: async (d) => {
            state.policyHold = { rules: d.soft_deny, overrideRoles: d.override_roles, since: now() };
            await record();
          },
        },
      );
    } finally {
      delete state.policyHold;
    }
    await record();
    if (outcome !== 'allow') {
      const e = guardrailError(gate.guardrails!, outcome);
      throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true, details: [e.details] });
    }
  }

  let temporalCancellation: unknown;
  try {
    await runScope.run(async () => {
      plan = await local.loadRunPlan({ ...input, startedAt: state.startedAt });
      for (const { step, group } of walkSteps(plan.spec.steps)) {
        const s: StepState = {
          id: step.id,
          ...(step.name ? { name: step.name } : {}),
          ...(isParallel(step) ? {} : { task: step.task }),
          ...(group ? { parallelGroup: group } : {}),
          status: 'pending',
        };
        state.steps.push(s);
        byId.set(step.id, s);
      }
      context.params = plan.params;
      context.secrets = plan.secrets ?? secretReferences(plan.spec, input.tenantId);
      // the guardrails of a live run (dry runs call nothing with side effects): a hard rule fails
      // the run, a soft one holds it before its first step until a role the rule names overrides it
      if (input.mode !== 'dry-run' && patched(GUARDRAILS_PATCH)) await runGuardrails();
      for (const step of plan.spec.steps) await runStep(step);
    });
    // a cancel accepted in the activation that completed the last step (its result was in,
    // its continuation not yet run): the run ends cancelled, as the accepted cancel said
    state.status = state.cancellation && patched(CANCEL_AFTER_LAST_STEP_PATCH) ? 'cancelled' : 'completed';
  } catch (err) {
    if (isCancellation(err)) {
      state.status = 'cancelled';
      if (!state.cancellation) {
        state.cancellation = { by: 'temporal', reason: 'cancellation requested through Temporal', at: now() };
        temporalCancellation = err;
      }
    } else if (err instanceof StepFailure) {
      state.status = 'failed';
      state.error = { code: err.code, message: err.message, stepId: err.stepId };
    } else if (applicationFailureOf(err)) {
      // loadRunPlan refused the run (not published, invalid parameters, retired task…)
      const cause = applicationFailureOf(err)!;
      const details = cause.details?.[0] as ErrorDetail[] | undefined;
      state.status = 'failed';
      state.error = { code: parseFailureType(cause.type)?.code ?? cause.type ?? RUN_CODES.stepFailed, message: cause.message, ...(details ? { details } : {}) };
    } else {
      throw err; // a bug in the engine: fail the workflow task, so a fix can resume the run
    }
  }
  for (const s of state.steps) {
    if (s.status === 'pending' || s.status === 'running' || s.status === 'waiting_approval') s.status = 'cancelled';
  }
  const t1 = Date.now();
  state.finishedAt = iso(t1);
  state.durationMs = t1 - t0;
  await CancellationScope.nonCancellable(() =>
    local.recordRunEnd({
      runId: input.runId,
      definitionId: input.definitionId,
      version: input.version,
      tenantId: input.tenantId,
      status: state.status as 'completed' | 'failed' | 'cancelled',
      startedAt: state.startedAt,
      finishedAt: state.finishedAt!,
      durationMs: state.durationMs!,
      ...(state.error ? { errorCode: state.error.code } : {}),
      ...(input.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
    }),
  );
  if (state.status === 'failed') {
    throw ApplicationFailure.create({ type: state.error!.code, message: state.error!.message, nonRetryable: true, details: [state.error] });
  }
  if (temporalCancellation) throw temporalCancellation; // the execution ends Canceled
  return state;
}
