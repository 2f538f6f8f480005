import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  uuid4,
} from '@temporalio/workflow';
import { SearchAttributeType, defineSearchAttributeKey, type Duration } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import type { ErrorDetail } from '../domain/errors.ts';
import { parseFailureType } from '../domain/errors.ts';
import { workflowIds } from '../domain/ids.ts';
import type { Role } from '../domain/actor.ts';
import type { RunInput, RunState } from '../domain/run.ts';
import {
  UPGRADE_APPROVAL_TIMEOUT,
  UPGRADE_CODES,
  durationMs,
  upgradeApprovalRefusal,
  watchVerdict,
  type UpgradeApproval,
  type UpgradeApproveArgs,
  type UpgradeInput,
  type UpgradeResult,
  type UpgradeState,
} from '../domain/upgrade.ts';
import { RUN_WORKFLOW_TYPE } from './contracts/run.ts';
import { approveUpgradeUpdate, rejectUpgradeUpdate, upgradeStateQuery } from './contracts/upgrade.ts';
import { GUARDRAILS_PATCH, guardrailError, policyGate, type PolicyGateState } from './policy-gate.ts';

const retry = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
// the plan evaluates the migration in the sandbox, which may have to wait for an evaluator
const planning = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry });

// the run lifecycle's search attributes (platform/temporal.ts SA): the smoke run is listed as every run is
const SA = {
  tenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  templateId: defineSearchAttributeKey('TemplateId', SearchAttributeType.KEYWORD),
  lifecycle: defineSearchAttributeKey('Lifecycle', SearchAttributeType.KEYWORD),
};

const refuse = (r: { type: string; message: string } | undefined) => {
  if (r) throw ApplicationFailure.create({ type: r.type, message: r.message, nonRetryable: true });
};

type UpgradeError = NonNullable<UpgradeState['error']>;

/** A non-retryable activity failure (a refused input, a conflict) as the upgrade's error; undefined for anything else. */
function businessFailure(err: unknown): UpgradeError | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) return undefined;
  const parsed = parseFailureType(cause.type);
  const details = cause.details?.[0] as ErrorDetail[] | undefined;
  return { code: parsed?.code ?? cause.type ?? 'FAILED', message: cause.message, ...(Array.isArray(details) && details.length ? { details } : {}) };
}

/** Why a smoke run failed, from its child workflow failure. */
function smokeFailure(err: unknown): string {
  if (err instanceof ChildWorkflowFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return `${parseFailureType(cause.type)?.code ?? cause.type ?? 'FAILED'}: ${cause.message}`;
    return cause?.message ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Upgrade lifecycle: take the instance's upgrade lock → plan (change kind, migration of
 * the instance's bindings in the sandbox, the request's bindings laid over, the install
 * checks) → blocked when bindings are missing or invalid → approval by a second tenant
 * admin when required → apply (one transaction) → smoke run (a child run of the instance)
 * → watch window over the instance's runs → receipt. From apply on, every way out but
 * success rolls the instance back to its version and bindings before, once.
 */
export async function upgradeWorkflow(input: UpgradeInput): Promise<UpgradeResult> {
  const state: UpgradeState = { instanceId: input.instanceId, toVersion: input.toVersion, status: 'planning', requestedBy: input.requestedBy, approvals: [] };
  if (input.campaignId) state.campaignId = input.campaignId;
  let tenant = input.tenantId ?? input.requestedBy.tenant;
  let definitionId = '';
  setHandler(upgradeStateQuery, () => state);

  const decide = (decision: UpgradeApproval['decision']) => async (args: UpgradeApproveArgs) => {
    const record: UpgradeApproval = {
      approver: { sub: args.approver.sub, tenant: args.approver.tenant, ...(args.approver.name ? { name: args.approver.name } : {}) },
      decision,
      rationale: args.rationale.trim(),
      at: new Date(Date.now()).toISOString(),
    };
    state.approvals.push(record);
    await acts.recordUpgradeApproval({ tenantId: tenant, definitionId, version: input.toVersion, approval: record });
    return record;
  };
  const validator = (args: UpgradeApproveArgs) => refuse(upgradeApprovalRefusal(state, tenant, args));
  setHandler(approveUpgradeUpdate, decide('approve'), { validator });
  setHandler(rejectUpgradeUpdate, decide('reject'), { validator });

  const finish = async (status: UpgradeResult['status']): Promise<UpgradeResult> => {
    state.status = status;
    await condition(allHandlersFinished);
    return { ...state, status };
  };
  /** Ended before anything changed: the read model says why. */
  const end = async (status: 'blocked' | 'rejected' | 'failed', error: UpgradeError, opts: { recorded: boolean } = { recorded: true }): Promise<UpgradeResult> => {
    state.error = error;
    if (opts.recorded) await CancellationScope.nonCancellable(() => acts.endUpgrade({ status, error }));
    return finish(status);
  };

  // 1. the lock and the plan: nothing has changed yet, a refusal only ends the lifecycle
  let begun: Awaited<ReturnType<Activities['beginUpgrade']>>;
  try {
    begun = await acts.beginUpgrade(input);
  } catch (err) {
    const failure = businessFailure(err);
    if (!failure) throw err;
    // no row of this attempt exists (the lock is another upgrade's): nothing to record
    return end('failed', failure, { recorded: false });
  }
  tenant = begun.tenantId;
  definitionId = begun.definitionId;
  state.fromVersion = begun.fromVersion;

  try {
    const plan = await planning.planUpgrade(input);
    state.plan = plan;
    if (plan.migration.problems.length) {
      return await end('failed', { code: UPGRADE_CODES.migrationFailed, message: `the migration of ${plan.toVersion} failed: ${plan.migration.problems[0]!.message}`, details: plan.migration.problems });
    }
    const missing = [...plan.missing.parameters.map((p) => `parameter "${p}"`), ...plan.missing.secrets.map((s) => `secret "${s}"`)];
    if (missing.length) {
      const details = plan.problems.filter((p) => p.code === 'PARAMETER_REQUIRED' || p.code === 'SECRET_BINDING_MISSING' || p.code === 'SECRET_NOT_FOUND');
      return await end('blocked', { code: UPGRADE_CODES.bindingsMissing, message: `${plan.toVersion} needs bindings nothing provides: ${missing.join(', ')}`, details });
    }
    if (plan.problems.length) {
      const summary = plan.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ');
      return await end('blocked', { code: UPGRADE_CODES.bindingsInvalid, message: `the bindings do not fit ${plan.toVersion}: ${summary}`, details: plan.problems.slice(0, 50) });
    }

    // 1b. the guardrails (policies/guardrails.rego): nothing has changed yet, a denial only ends it.
    // An upgrade a campaign started does not wait for an override: a hold ends it (POLICY_HELD)
    // and the campaign goes on without it (a campaign must never hang on one tenant's override).
    if (patched(GUARDRAILS_PATCH)) {
      state.overrides = [];
      const gate = state as PolicyGateState;
      const outcome = await policyGate(
        gate,
        {
          operation: 'upgrade',
          actor: input.requestedBy,
          instanceId: input.instanceId,
          toVersion: input.toVersion,
          ...(input.parameters ? { parameters: input.parameters } : {}),
          tenantId: tenant,
        },
        {
          requester: input.requestedBy.sub,
          wait: !input.campaignId,
          onHold: async (d) => {
            state.status = 'awaiting_override';
            await acts.recordUpgradeStatus({ status: 'awaiting_override', guardrails: d });
          },
        },
      );
      if (outcome !== 'allow') {
        const e = guardrailError(gate.guardrails!, outcome);
        const held = outcome === 'timeout' && !!input.campaignId;
        const error = held ? { ...e, code: 'POLICY_HELD', message: `held for an override, which an upgrade started by a campaign does not wait for: ${e.message}` } : e;
        await acts.recordUpgradeStatus({ status: 'planning', guardrails: gate.guardrails! });
        return await end(outcome === 'deny' || held ? 'blocked' : 'failed', error);
      }
      state.status = 'planning';
      await acts.recordUpgradeStatus({ status: 'planning', guardrails: gate.guardrails! });
    }

    // 2. approval
    if (plan.approval.required) {
      state.status = 'awaiting_approval';
      await acts.recordUpgradeStatus({ status: 'awaiting_approval' });
      const rejected = () => state.approvals.find((a) => a.decision === 'reject');
      const needed = Math.max(1, plan.approval.count ?? 1);
      const approved = () => state.approvals.filter((a) => a.decision === 'approve').length >= needed;
      const decided = await condition(() => !!rejected() || approved(), UPGRADE_APPROVAL_TIMEOUT);
      const rejection = rejected();
      if (rejection) return await end('rejected', { code: 'UPGRADE_REJECTED', message: `rejected by ${rejection.approver.name ?? rejection.approver.sub}: ${rejection.rationale}` });
      if (!decided) return await end('failed', { code: UPGRADE_CODES.approvalTimeout, message: `no decision within ${UPGRADE_APPROVAL_TIMEOUT}` });
    }
  } catch (err) {
    const failure = businessFailure(err) ?? (isCancellation(err) ? { code: 'UPGRADE_CANCELLED', message: 'the upgrade was cancelled' } : undefined);
    if (!failure) throw err; // a bug: fail the workflow task, so that a fix resumes the upgrade
    if (!isCancellation(err)) return end('failed', failure);
    state.status = 'failed';
    state.error = failure;
    await CancellationScope.nonCancellable(() => acts.endUpgrade({ status: 'failed', error: failure }));
    throw err;
  }
  const plan = state.plan!;

  // 3. apply: one transaction, never abandoned half-way by a cancellation
  state.status = 'applying';
  let applied: { appliedAt: string };
  try {
    applied = await CancellationScope.nonCancellable(() => acts.applyUpgrade({ instanceId: input.instanceId, plan }));
  } catch (err) {
    const failure = businessFailure(err);
    if (!failure) throw err;
    return end('failed', failure);
  }

  // 4–5. smoke run and watch window: from here every way out but success rolls back, once
  let rollback: { code: string; reason: string } | undefined;
  let cancelled: unknown;
  try {
    const smoke = plan.smoke;
    if (smoke) {
      state.status = 'smoke_testing';
      await acts.recordUpgradeStatus({ status: 'smoke_testing' });
      const parameters = smoke.parameters ?? {};
      rollback = await smokeRun(parameters, durationMs(smoke.timeout) ?? 600_000, smoke.mode);
    }
    const watch = plan.watch;
    if (!rollback && watch) {
      state.status = 'watching';
      await acts.recordUpgradeStatus({ status: 'watching' });
      const windowMs = durationMs(watch.window) ?? 0;
      const until = Date.now() + windowMs;
      const poll = Math.min(60_000, Math.max(1_000, Math.floor(windowMs / 10)));
      state.watch = { until: new Date(until).toISOString(), finished: 0, failed: 0 };
      for (let left = until - Date.now(); left > 0 && !rollback; left = until - Date.now()) {
        await sleep(Math.min(poll, left));
        const counts = await acts.upgradeWatchCounts({
          instanceId: input.instanceId,
          toVersion: plan.toVersion,
          since: applied.appliedAt,
          ...(state.smokeRun?.runId ? { excludeRunId: state.smokeRun.runId } : {}),
        });
        state.watch = { ...state.watch, ...counts };
        if (watchVerdict(counts, watch) === 'rollback') {
          rollback = {
            code: UPGRADE_CODES.watchFailed,
            reason: `${counts.failed} of ${counts.finished} runs on ${plan.toVersion} failed within the watch window (more than ${Math.round(watch.maxFailureRate * 100)}%)`,
          };
        }
      }
    }
  } catch (err) {
    if (isCancellation(err)) {
      cancelled = err;
      rollback = { code: 'UPGRADE_CANCELLED', reason: 'the upgrade was cancelled after it was applied' };
    } else {
      const failure = businessFailure(err);
      if (!failure) throw err;
      rollback = { code: failure.code, reason: failure.message };
    }
  }

  if (rollback) {
    state.status = 'rolling_back';
    state.rollback = rollback;
    const r = rollback;
    await CancellationScope.nonCancellable(async () => {
      await acts.rollbackUpgrade({ instanceId: input.instanceId, ...r });
      const { receiptId } = await acts.completeUpgrade(receiptInput('rolled_back'));
      state.receiptId = receiptId;
    });
    if (cancelled) throw cancelled;
    return finish('rolled_back');
  }

  // 6. receipt
  const { receiptId } = await CancellationScope.nonCancellable(() => acts.completeUpgrade(receiptInput('upgraded')));
  state.receiptId = receiptId;
  return finish('upgraded');

  function receiptInput(status: 'upgraded' | 'rolled_back') {
    return {
      instanceId: input.instanceId,
      status,
      plan,
      approvals: state.approvals,
      requestedBy: input.requestedBy.sub,
      ...(state.guardrails ? { guardrails: state.guardrails, overrides: state.overrides ?? [] } : {}),
      ...(state.smokeRun ? { smokeRun: { runId: state.smokeRun.runId, status: state.smokeRun.status } } : {}),
      ...(state.watch ? { watch: { finished: state.watch.finished, failed: state.watch.failed } } : {}),
      ...(state.rollback ? { rollback: state.rollback } : {}),
    };
  }

  /** A run of the instance on its new version, as a child; undefined when it completed in time, else why to roll back. */
  async function smokeRun(parameters: Record<string, unknown>, timeoutMs: number, mode: 'run' | 'dry-run'): Promise<{ code: string; reason: string } | undefined> {
    const runId = uuid4();
    const workflowId = workflowIds.run(plan.definitionId, runId);
    const runInput: RunInput = {
      runId,
      definitionId: plan.definitionId,
      version: plan.toVersion,
      tenantId: tenant,
      params: parameters,
      // the upgrade runs it: an actor of the instance's tenant that the instance's run policy admits
      startedBy: { sub: `upgrade:${input.instanceId}`, tenant, roles: ['tenant-admin', ...(begun.runRoles as Role[])], name: `smoke run of the upgrade to ${plan.toVersion}` },
      instanceId: input.instanceId,
      ...(mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
    };
    const scope = new CancellationScope();
    const child = await scope.run(() =>
      startChild<(i: RunInput) => Promise<RunState>>(RUN_WORKFLOW_TYPE, {
        workflowId,
        args: [runInput],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        memo: { definitionId: plan.definitionId, version: plan.toVersion, smokeOf: `upgrade/${input.instanceId}/${plan.toVersion}` },
        typedSearchAttributes: [
          { key: SA.tenantId, value: tenant },
          { key: SA.templateId, value: plan.definitionId },
          { key: SA.lifecycle, value: 'run' },
        ],
      }),
    );
    state.smokeRun = { runId, workflowId, status: 'running' };
    await acts.recordSmokeRun(state.smokeRun);
    let outcome: { ok: true; state: RunState } | { ok: false; reason: string } | undefined;
    void child.result().then(
      (s) => (outcome = { ok: true, state: s }),
      (e: unknown) => (outcome = { ok: false, reason: smokeFailure(e) }),
    );
    const inTime = await condition(() => outcome !== undefined, timeoutMs as Duration);
    if (!inTime) {
      scope.cancel();
      await condition(() => outcome !== undefined);
      state.smokeRun.status = 'timed_out';
      await acts.recordSmokeRun(state.smokeRun);
      return { code: UPGRADE_CODES.smokeFailed, reason: `the smoke run did not finish within ${plan.smoke!.timeout}` };
    }
    const o = outcome!;
    state.smokeRun.status = o.ok ? o.state.status : 'failed';
    await acts.recordSmokeRun(state.smokeRun);
    if (o.ok && o.state.status === 'completed') return undefined;
    return { code: UPGRADE_CODES.smokeFailed, reason: o.ok ? `the smoke run ended ${o.state.status}` : `the smoke run failed: ${o.reason}` };
  }
}
