import type { GuardrailDecision, PolicyOverride } from './policy-profiles.ts';
import type { Actor } from './actor.ts';
import { hasRole } from './actor.ts';
import type { RetryOverride, SpecV1 } from './spec-types.ts';
import type { TaskManifest } from './manifest.ts';

/**
 * The run engine's state, shared by the workflow (runState query), the API and the
 * Switchboard. A run interprets one published spec version; only secret *references*
 * (secret://tenant/name) ever appear in it.
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'waiting_approval' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];
export const isTerminalRun = (status: RunStatus | string) => (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);

/** Who started or decided something, without roles (they are not the run's business). */
export interface RunActor {
  sub: string;
  tenant: string;
  name?: string;
}

export const runActor = (a: Actor): RunActor => ({ sub: a.sub, tenant: a.tenant, ...(a.name ? { name: a.name } : {}) });

export interface RunError {
  code: string;
  message: string;
  /** the step that failed, when a step did */
  stepId?: string;
  /** e.g. each invalid parameter (path /params/<field>) */
  details?: { path: string; message: string }[];
}

export interface StepDecision {
  approver: RunActor;
  decision: 'approve' | 'reject';
  rationale: string;
  at: string;
}

export interface StepApprovers {
  roles?: string[];
  users?: string[];
}

export interface StepApproval {
  message: string;
  approvers: StepApprovers;
  /** approvals needed */
  count: number;
  timeout?: string;
  approvals: StepDecision[];
}

export interface StepState {
  id: string;
  name?: string;
  /** the task ref; absent on a parallel group */
  task?: string;
  /** the id of the parallel group the step belongs to */
  parallelGroup?: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  output?: unknown;
  error?: { code: string; message: string };
  approval?: StepApproval;
}

export interface RunCancellation {
  /** the subject who cancelled, or "temporal" for a cancellation requested through Temporal */
  by: string;
  reason: string;
  at: string;
}

export interface RunState {
  runId: string;
  workflowId: string;
  definitionId: string;
  version: string;
  tenantId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  startedBy: RunActor;
  steps: StepState[];
  error?: RunError;
  cancellation?: RunCancellation;
  /** a dry run: bindings, conditions and task inputs checked; tasks with side effects not called */
  mode?: 'dry-run';
  /** the guardrails' latest decision at run start (live runs; absent in runs recorded before them) */
  guardrails?: GuardrailDecision;
  /** the overrides of soft-mandatory guardrails given while the run was held */
  overrides?: PolicyOverride[];
  /** present while a soft-mandatory guardrail holds the run before its first step (POST /runs/{id}/override) */
  policyHold?: { rules: string[]; overrideRoles: string[]; since: string };
}

export interface RunInput {
  runId: string;
  definitionId: string;
  version: string;
  tenantId: string;
  params: Record<string, unknown>;
  startedBy: Actor;
  /**
   * A run of an installed template: the instance whose bindings, policies and quotas apply
   * (its tenant must be the run's). Absent: a tenant's own workflow, run directly.
   */
  instanceId?: string;
  /**
   * dry-run (an upgrade's smoke run may ask for it): every condition and binding is
   * evaluated and each step's inputs checked against its task's input schema, but only
   * tasks whose manifest declares no side effects are called; the others (and approvals,
   * timers) are skipped with the output `{ dryRun: true }`.
   */
  mode?: 'dry-run';
}

export interface ApproveStepArgs {
  stepId: string;
  approver: Actor;
  decision: 'approve' | 'reject';
  rationale: string;
}

export interface CancelRunArgs {
  by: Actor;
  reason?: string;
}

/** What the engine needs of each task a spec uses, read from the registry when the run starts. */
export interface TaskPlan {
  runtime: TaskManifest['spec']['runtime'];
  /** the adapter's own queue (partner adapters); absent: the run's own task queue */
  taskQueue?: string;
  retry?: NonNullable<TaskManifest['spec']['retry']>;
  timeout?: string;
  /** the manifest's security.sideEffects (plans recorded before dry runs lack it) */
  sideEffects?: TaskManifest['spec']['security']['sideEffects'];
}

/** The first activity's answer, recorded in history: a running workflow keeps its spec version. */
export interface RunPlan {
  spec: SpecV1;
  /** the parameters with their JSON Schema defaults applied */
  params: Record<string, unknown>;
  tasks: Record<string, TaskPlan>;
  /**
   * `secrets.<name>` of the expression context. A run from an instance gets the installing
   * tenant's bound secrets (`secret://<installer>/<bound name>`); absent (a direct run, or a
   * plan recorded before instances): secretReferences(spec, tenant).
   */
  secrets?: Record<string, string>;
  /** the instance the run belongs to, when it runs from one */
  instanceId?: string;
}

export type RetryPlan = NonNullable<TaskManifest['spec']['retry']>;

/** The manifest's retry policy with the step's overrides on top. */
export function mergeRetry(manifest: RetryPlan | undefined, step: RetryOverride | undefined): RetryPlan {
  return { ...manifest, ...step };
}

/** Stable codes of the run engine: Update refusals (validators) and step/run failures. */
export const RUN_CODES = {
  stepNotAwaiting: 'STEP_NOT_AWAITING',
  rationaleRequired: 'RATIONALE_REQUIRED',
  selfApproval: 'SELF_APPROVAL',
  notAllowedApprover: 'NOT_ALLOWED_APPROVER',
  wrongTenant: 'WRONG_TENANT',
  alreadyDecided: 'ALREADY_DECIDED',
  decisionInvalid: 'DECISION_INVALID',
  runNotRunning: 'RUN_NOT_RUNNING',
  cancelNotAllowed: 'CANCEL_NOT_ALLOWED',
  approvalRejected: 'APPROVAL_REJECTED',
  approvalTimeout: 'APPROVAL_TIMEOUT',
  expressionError: 'EXPRESSION_ERROR',
  stepTimeout: 'STEP_TIMEOUT',
  stepFailed: 'STEP_FAILED',
} as const;

/** Roles that may decide an approval step that names no approvers. */
export const DEFAULT_APPROVER_ROLES = ['reviewer', 'tenant-admin'] as const;

export interface Refusal {
  code: string;
  message: string;
}

export function isAllowedApprover(approvers: StepApprovers, actor: Actor): boolean {
  const { roles, users } = approvers;
  if (!roles?.length && !users?.length) return hasRole(actor, ...DEFAULT_APPROVER_ROLES);
  return (users ?? []).includes(actor.sub) || (roles ?? []).some((r) => (actor.roles as string[]).includes(r));
}

/**
 * Why an approval decision on a run step is refused (undefined: accepted). Pure, so the
 * workflow's Update validator and the Switchboard ("can I decide?") share it.
 */
export function approvalRefusal(state: RunState, args: ApproveStepArgs): Refusal | undefined {
  const step = state.steps.find((s) => s.id === args?.stepId);
  if (args?.approver?.tenant !== state.tenantId) {
    return { code: RUN_CODES.wrongTenant, message: `only members of tenant "${state.tenantId}" may decide steps of this run` };
  }
  if (!step || step.status !== 'waiting_approval' || !step.approval) {
    return { code: RUN_CODES.stepNotAwaiting, message: step ? `step "${step.id}" is ${step.status}, not waiting for approval` : `this run has no step "${args.stepId}"` };
  }
  if (args.decision !== 'approve' && args.decision !== 'reject') {
    return { code: RUN_CODES.decisionInvalid, message: 'the decision is "approve" or "reject"' };
  }
  if (typeof args.rationale !== 'string' || !args.rationale.trim()) {
    return { code: RUN_CODES.rationaleRequired, message: 'a rationale is required for every approval decision' };
  }
  if (args.approver.sub === state.startedBy.sub) {
    return { code: RUN_CODES.selfApproval, message: 'you cannot approve or reject a step of a run you started' };
  }
  if (!isAllowedApprover(step.approval.approvers, args.approver)) {
    const { roles, users } = step.approval.approvers;
    const who = [...(roles?.length ? [`roles ${roles.join(', ')}`] : []), ...(users?.length ? [`users ${users.join(', ')}`] : [])];
    return {
      code: RUN_CODES.notAllowedApprover,
      message: `step "${step.id}" may be decided by ${who.length ? who.join(' or ') : `the roles ${DEFAULT_APPROVER_ROLES.join(', ')}`} only`,
    };
  }
  if (step.approval.approvals.some((a) => a.approver.sub === args.approver.sub)) {
    return { code: RUN_CODES.alreadyDecided, message: `you have already decided step "${step.id}"` };
  }
  return undefined;
}

/** Who may cancel: the starter, or an admin of the run's tenant. */
export function cancelRefusal(state: RunState, args: CancelRunArgs): Refusal | undefined {
  if (args?.by?.tenant !== state.tenantId && !hasRole(args?.by ?? { roles: [] }, 'platform-admin')) {
    return { code: RUN_CODES.wrongTenant, message: `only members of tenant "${state.tenantId}" may cancel this run` };
  }
  if (state.status !== 'running' || state.cancellation) {
    return { code: RUN_CODES.runNotRunning, message: `this run is ${state.cancellation ? 'already being cancelled' : state.status}` };
  }
  if (args.by.sub !== state.startedBy.sub && !hasRole(args.by, 'tenant-admin', 'platform-admin')) {
    return { code: RUN_CODES.cancelNotAllowed, message: 'only the person who started the run or a tenant admin may cancel it' };
  }
  return undefined;
}

/** Fills in JSON Schema `default`s of missing object properties (recursively); never mutates its input. */
export function applyDefaults(schema: unknown, value: unknown): unknown {
  const s = schema as { properties?: Record<string, { default?: unknown }> } | undefined;
  if (!s?.properties || !value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, prop] of Object.entries(s.properties)) {
    if (out[key] === undefined && prop && typeof prop === 'object' && 'default' in prop) {
      out[key] = JSON.parse(JSON.stringify(prop.default)) as unknown;
    }
    if (out[key] !== undefined) out[key] = applyDefaults(prop, out[key]);
  }
  return out;
}

/** `secrets.<name>` of the expression context: references only, resolved by the adapters. */
export const secretReferences = (spec: Pick<SpecV1, 'secrets'>, tenantId: string): Record<string, string> =>
  Object.fromEntries((spec.secrets ?? []).map((s) => [s.name, `secret://${tenantId}/${s.name}`]));

/** A run listed from the run table (GET /runs). */
export interface RunSummary {
  runId: string;
  workflowId: string;
  definitionId: string;
  version: string;
  status: RunStatus | 'timed_out';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  errorCode?: string;
}
