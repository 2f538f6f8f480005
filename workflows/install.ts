import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { ErrorDetail } from '../domain/errors.ts';
import { parseFailureType } from '../domain/errors.ts';
import {
  INSTALL_APPROVAL_TIMEOUT,
  INSTALL_CODES,
  installApprovalRefusal,
  type InstallApproval,
  type InstallApproveArgs,
  type InstallError,
  type InstallInput,
  type InstallResult,
  type InstallState,
  type InstanceStatusInput,
  type UninstallInput,
  type UninstallResult,
  type UninstallState,
} from '../domain/install.ts';
import { approveInstallUpdate, installStateQuery, rejectInstallUpdate, uninstallStateQuery } from './contracts/install.ts';
import { GUARDRAILS_PATCH, guardrailError, policyGate, type PolicyGateState } from './policy-gate.ts';

const retry = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
// The search projection is rebuilt from Postgres at any time (and the index check repairs a
// drift): an install never fails because Typesense is down, it tries a few times and goes on.
const bestEffort = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 3 } });

const refuse = (r: { type: string; message: string } | undefined) => {
  if (r) throw ApplicationFailure.create({ type: r.type, message: r.message, nonRetryable: true });
};

/** A non-retryable activity failure (a refused input, a conflict) as the install's error; undefined for anything else. */
function businessFailure(err: unknown): InstallError | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) return undefined;
  const parsed = parseFailureType(cause.type);
  const details = cause.details?.[0] as ErrorDetail[] | undefined;
  return { code: parsed?.code ?? cause.type ?? 'FAILED', message: cause.message, ...(Array.isArray(details) && details.length ? { details } : {}) };
}

/**
 * Install lifecycle: request → policy (OPA, in history) → digest of the published version →
 * bindings (the tenant's own secrets exist, parameters, endpoints against its egress
 * allow-list and ports) → reserve the instance → approvals when the policy requires them →
 * activate (the policy asked again) → catalog → receipt. Once the instance is reserved,
 * every way out but success compensates: the instance is removed and the read model says
 * why, so nothing is ever half-installed.
 */
export async function installWorkflow(input: InstallInput): Promise<InstallResult> {
  const tenant = input.requestedBy.tenant;
  const state: InstallState = {
    instanceId: input.instanceId,
    templateId: input.templateId,
    version: input.version,
    environment: input.environment,
    status: 'checking',
    requestedBy: input.requestedBy,
    approvals: [],
  };
  setHandler(installStateQuery, () => state);

  const decide = (decision: InstallApproval['decision']) => async (args: InstallApproveArgs) => {
    const record: InstallApproval = {
      approver: { sub: args.approver.sub, tenant: args.approver.tenant, ...(args.approver.name ? { name: args.approver.name } : {}) },
      decision,
      rationale: args.rationale.trim(),
      at: new Date(Date.now()).toISOString(),
    };
    state.approvals.push(record);
    await acts.recordInstallApproval({ tenantId: tenant, definitionId: input.definitionId, version: input.version, approval: record });
    return record;
  };
  const validator = (args: InstallApproveArgs) => refuse(installApprovalRefusal(state, tenant, args));
  setHandler(approveInstallUpdate, decide('approve'), { validator });
  setHandler(rejectInstallUpdate, decide('reject'), { validator });

  const finish = async (status: InstallResult['status'], extra: { receiptId?: string } = {}): Promise<InstallResult> => {
    state.status = status;
    // an approve/reject handler persists its decision in an activity: let it finish first
    await condition(allHandlersFinished);
    return {
      status,
      instanceId: input.instanceId,
      approvals: state.approvals,
      ...(state.decision ? { decision: state.decision } : {}),
      ...(state.digest ? { digest: state.digest } : {}),
      ...(state.error ? { error: state.error } : {}),
      ...(state.guardrails ? { guardrails: state.guardrails, overrides: state.overrides ?? [] } : {}),
      ...extra,
    };
  };
  const end = async (status: 'denied' | 'invalid' | 'failed', error: InstallError): Promise<InstallResult> => {
    state.error = error;
    await acts.recordInstallStatus({ status, error, ...(state.decision ? { decision: state.decision } : {}) });
    return finish(status);
  };

  /** Cancelled before anything exists: the read model says so, the cancellation goes on. */
  const whenCancelled = async (err: unknown) => {
    if (isCancellation(err)) {
      state.status = 'failed';
      state.error = { code: 'INSTALL_CANCELLED', message: 'the install was cancelled' };
      await CancellationScope.nonCancellable(() => acts.recordInstallStatus({ status: 'failed', error: state.error! }));
    }
    return err;
  };

  // 1–4: checks. Nothing exists yet: a refusal only ends the lifecycle.
  let secretBindings: Record<string, string>;
  try {
    await acts.beginInstall(input);
    const { decision } = await acts.decideInstallPolicy(input);
    state.decision = decision;
    if (!decision.allow) return await end('denied', { code: INSTALL_CODES.policyDenied, message: decision.deny.join('; ') });
    state.digest = (await acts.verifyInstallDigest(input)).digest;
    ({ secretBindings } = await acts.checkInstallBindings(input));
    // the guardrails (policies/guardrails.rego) on the checked bindings (their endpoints are
    // facts of the decision), before the reservation: a denial or a hold that times out has
    // nothing to compensate
    if (patched(GUARDRAILS_PATCH)) {
      // the install's state is the gate's: its query shows the decision and overrides as they change
      state.overrides = [];
      const gate = state as PolicyGateState;
      const outcome = await policyGate(
        gate,
        {
          operation: 'install',
          actor: input.requestedBy,
          templateId: input.templateId,
          version: input.version,
          environment: input.environment,
          ...(input.region ? { region: input.region } : {}),
          parameters: input.parameters,
        },
        {
          requester: input.requestedBy.sub,
          onHold: async (d) => {
            state.status = 'awaiting_override';
            await acts.recordInstallStatus({ status: 'awaiting_override', guardrails: d });
          },
        },
      );
      if (outcome !== 'allow') {
        const e = guardrailError(gate.guardrails!, outcome);
        state.error = e;
        await acts.recordInstallStatus({ status: outcome === 'timeout' ? 'failed' : 'denied', error: e, decision, guardrails: gate.guardrails! });
        return await finish(outcome === 'timeout' ? 'failed' : 'denied');
      }
      state.status = 'checking';
      await acts.recordInstallStatus({ status: 'checking', guardrails: gate.guardrails! });
    }
  } catch (err) {
    const failure = businessFailure(err);
    if (!failure) throw await whenCancelled(err);
    return end('invalid', failure);
  }

  // 5: the reservation. A second live install of the template in this environment stops here.
  try {
    await acts.reserveInstance({ ...input, digest: state.digest, secretBindings });
  } catch (err) {
    const failure = businessFailure(err);
    if (!failure) throw await whenCancelled(err);
    return end('failed', failure);
  }

  // 6–9: from here every way out but success compensates.
  const decision = state.decision;
  try {
    if (decision.approvalsRequired > 0) {
      state.status = 'awaiting_approval';
      await acts.recordInstallStatus({ status: 'awaiting_approval', decision });
      const approved = () => state.approvals.filter((a) => a.decision === 'approve').length >= decision.approvalsRequired;
      const rejected = () => state.approvals.find((a) => a.decision === 'reject');
      const decided = await condition(() => !!rejected() || approved(), INSTALL_APPROVAL_TIMEOUT);
      const rejection = rejected();
      if (rejection || !decided) {
        const error = rejection
          ? { code: 'INSTALL_REJECTED', message: `rejected by ${rejection.approver.name ?? rejection.approver.sub}: ${rejection.rationale}` }
          : { code: INSTALL_CODES.approvalTimeout, message: `no decision within ${INSTALL_APPROVAL_TIMEOUT}` };
        state.error = error;
        await CancellationScope.nonCancellable(() => acts.compensateInstall({ instanceId: input.instanceId, status: rejection ? 'rejected' : 'failed', error }));
        return await finish(rejection ? 'rejected' : 'failed');
      }
    }
    state.status = 'installing';
    await acts.recordInstallStatus({ status: 'installing' });
    state.decision = (await acts.activateInstance(input)).decision;
    await bestEffort.refreshTemplateDocument({ definitionId: input.definitionId }).catch(() => undefined);
    const { receiptId } = await acts.completeInstall({
      ...input,
      digest: state.digest,
      decision: state.decision,
      approvals: state.approvals,
      secretBindings,
      ...(state.guardrails ? { guardrails: state.guardrails, overrides: state.overrides ?? [] } : {}),
    });
    return await finish('installed', { receiptId });
  } catch (err) {
    const cancelled = isCancellation(err);
    const failure = businessFailure(err) ?? (cancelled ? { code: 'INSTALL_CANCELLED', message: 'the install was cancelled' } : undefined);
    if (!failure) throw err; // a bug: fail the workflow task, so that a fix resumes the install
    state.error = failure;
    await CancellationScope.nonCancellable(() => acts.compensateInstall({ instanceId: input.instanceId, status: 'failed', error: failure }));
    if (cancelled) throw err;
    return finish('failed');
  }
}

/** How long an uninstall waits between looks at the instance's runs in flight (growing to the maximum). */
const POLL_FIRST_MS = 1_000;
const POLL_MAX_MS = 60_000;

/**
 * Uninstall lifecycle: the instance stops taking runs (uninstalling) → its runs in flight
 * finish, or are cancelled through their own `cancel` Update → uninstalled + receipt. A long
 * wait continues as new before the history grows large.
 */
export async function uninstallWorkflow(input: UninstallInput & { templateId: string }): Promise<UninstallResult> {
  const state: UninstallState = { instanceId: input.instanceId, status: 'uninstalling', inFlight: input.inFlight, runsInFlight: 0, cancelled: [] };
  setHandler(uninstallStateQuery, () => state);
  await acts.beginUninstall(input);
  const asked = new Set<string>();
  for (let wait = POLL_FIRST_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    const runs = await acts.instanceRunsInFlight({ instanceId: input.instanceId });
    state.runsInFlight = runs.length;
    if (!runs.length) break;
    if (input.inFlight === 'cancel') {
      const fresh = runs.filter((r) => !asked.has(r.runId));
      if (fresh.length) {
        const reason = `instance ${input.instanceId} is being uninstalled by ${input.requestedBy.sub}`;
        state.cancelled.push(...(await acts.cancelInstanceRuns({ runs: fresh, by: input.requestedBy, reason })));
        for (const r of fresh) asked.add(r.runId);
        wait = POLL_FIRST_MS;
      }
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof uninstallWorkflow>(input);
    await sleep(wait);
  }
  const { receiptId } = await acts.completeUninstall({ ...input, cancelled: state.cancelled });
  state.status = 'uninstalled';
  return { instanceId: input.instanceId, status: 'uninstalled', cancelled: state.cancelled, receiptId };
}

/** Disable or enable an instance (a disabled instance takes no new runs). */
export async function instanceStatusWorkflow(input: InstanceStatusInput & { templateId: string }): Promise<{ status: string }> {
  return acts.setInstanceStatus(input);
}
