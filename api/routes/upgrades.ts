import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { conflict, notFound } from '../../domain/errors.ts';
import { INSTALL_LIMITS, INSTANCE_ID } from '../../domain/install.ts';
import { SEMVER } from '../../domain/semver.ts';
import { CHANGE_KINDS, CHANGE_RULES, type ChangeRule } from '../../domain/change-kind.ts';
import {
  TERMINAL_UPGRADE_STATUSES,
  UPGRADE_CODES,
  UPGRADE_LIMITS,
  upgradeWorkflowId,
  type UpgradeApproval,
  type UpgradeInput,
  type UpgradePlan,
  type UpgradeState,
  type UpgradeStatus,
} from '../../domain/upgrade.ts';
import type { Sql } from '../../platform/db.ts';
import { ExpressionSandbox } from '../../platform/expression-sandbox.ts';
import { loadPolicyEngine } from '../../platform/opa.ts';
import { checkSuppliedBindings, loadUpgradeInstance, loadUpgradeTarget, planUpgrade } from '../../platform/upgrade-plan.ts';
import { verifyVersionForInstall } from '../../platform/version-trust.ts';
import { installPolicyInput } from '../../platform/install-check.ts';
import { approveUpgradeUpdate, rejectUpgradeUpdate, upgradeLifecycle, upgradeStateQuery } from '../../workflows/contracts/index.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { updateOpenWorkflow } from '../temporal-errors.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { guarded } from '../permissions.ts';
import { GuardrailDecisionBody, HeldForBody, OverrideRequestBody, overrideResponses } from '../guardrail-schemas.ts';
import { sendOverride } from '../policy-override.ts';
import { heldFor, overridesOf } from '../../domain/guardrail-receipt.ts';
import type { GuardrailDecision } from '../../domain/policy-profiles.ts';

// ---- schemas (declared once: validation, OpenAPI, tests) ----

const bounded = <T extends z.ZodType>(record: T, max: number, what: string) =>
  record.refine((o) => Object.keys(o as object).length <= max, { message: `at most ${max} ${what}` });

const InstanceParam = z.object({
  id: z.string().regex(INSTANCE_ID, 'must be an instance id').meta({ param: { name: 'id', in: 'path' }, example: 'globex.payroll-sync.prod-3f9a1c' }),
});
const VersionParam = InstanceParam.extend({
  version: z.string().regex(SEMVER, 'must be a semantic version').meta({ param: { name: 'version', in: 'path' }, example: '2.0.0' }),
});

const UpgradeBody = z
  .strictObject({
    toVersion: z.string().regex(SEMVER, 'must be a semantic version').optional().meta({ description: 'default: the newest published version offered to your tenant' }),
    parameters: bounded(z.record(z.string().max(200), z.unknown()), 200, 'parameters')
      .optional()
      .meta({ description: 'parameter values laid over the migrated bindings (e.g. a new required parameter)' }),
    secrets: bounded(z.record(z.string().max(63), z.string().max(200)), INSTALL_LIMITS.secrets, 'secret bindings')
      .optional()
      .meta({ description: "spec secret name → the name of one of your tenant's own secrets" }),
  })
  .meta({ id: 'UpgradeRequest' });

const Detail = z.object({ path: z.string(), message: z.string(), code: z.string().optional() });
const Reason = z.object({ rule: z.enum(Object.keys(CHANGE_RULES) as [ChangeRule, ...ChangeRule[]]), kind: z.enum(CHANGE_KINDS), pointer: z.string(), message: z.string() });
const BindingChange = z.object({ name: z.string(), change: z.enum(['added', 'removed', 'changed', 'unchanged']), before: z.unknown().optional(), after: z.unknown().optional() });

const UpgradePlanBody = z
  .object({
    instanceId: z.string(),
    templateId: z.string(),
    definitionId: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    changeKind: z.enum(CHANGE_KINDS),
    reasons: z.array(Reason),
    risk: z.string(),
    parameters: z.array(BindingChange).meta({ description: "the instance's parameters before, and after migration and what the request supplied" }),
    secrets: z.array(BindingChange).meta({ description: 'secret bindings (names in your store) before and after' }),
    steps: z.array(
      z.object({
        id: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        task: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
      }),
    ),
    migration: z.object({ declared: z.boolean(), applied: z.boolean(), problems: z.array(Detail) }),
    missing: z.object({ parameters: z.array(z.string()), secrets: z.array(z.string()) }).meta({ description: 'required bindings nothing provides: supply them with the request' }),
    problems: z.array(Detail),
    approval: z.object({ required: z.boolean(), reasons: z.array(z.string()), count: z.number().int().meta({ description: 'approvals by distinct tenant admins' }) }),
    smoke: z.object({ mode: z.enum(['run', 'dry-run']), timeout: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }).optional(),
    watch: z.object({ window: z.string(), maxFailureRate: z.number(), minRuns: z.number().int() }).optional(),
    next: z.object({ parameters: z.record(z.string(), z.unknown()), secrets: z.record(z.string(), z.string()) }).meta({ description: 'the bindings the upgrade applies' }),
  })
  .meta({ id: 'UpgradePlan' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _planMatchesDomain: Same<z.infer<typeof UpgradePlanBody>, UpgradePlan> = true;
void _planMatchesDomain;

const StatusEnum = z.enum(['planning', 'blocked', 'awaiting_override', 'awaiting_approval', 'applying', 'smoke_testing', 'watching', 'rolling_back', 'upgraded', 'rolled_back', 'rejected', 'failed']);

const ApprovalBody = z
  .object({ approver: z.object({ sub: z.string(), tenant: z.string(), name: z.string().optional() }), decision: z.enum(['approve', 'reject']), rationale: z.string(), at: z.string() })
  .meta({ id: 'UpgradeApproval' });

const UpgradeView = z
  .object({
    instanceId: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    status: StatusEnum,
    changeKind: z.enum(CHANGE_KINDS).optional(),
    requestedBy: z.string(),
    campaignId: z.string().optional(),
    plan: UpgradePlanBody.optional(),
    approvals: z.array(ApprovalBody),
    smokeRun: z.object({ runId: z.string(), workflowId: z.string(), status: z.string() }).optional(),
    watch: z.object({ until: z.string().optional(), finished: z.number().int(), failed: z.number().int() }).optional(),
    rollback: z.object({ reason: z.string(), code: z.string() }).optional(),
    error: z.object({ code: z.string(), message: z.string(), details: z.array(Detail).optional() }).optional(),
    guardrails: GuardrailDecisionBody.optional().meta({ description: "the guardrails' latest decision (policies/guardrails.rego)" }),
    heldFor: HeldForBody,
    overrides: z
      .array(z.object({ rule: z.string(), actor: z.object({ sub: z.string(), tenant: z.string(), name: z.string().optional() }), rationale: z.string(), at: z.string().optional() }))
      .meta({ description: 'the overrides given while it was held' }),
    receiptId: z.string().optional(),
    workflowId: z.string(),
    runId: z.string(),
    temporalUrl: z.string(),
    appliedAt: z.string().optional(),
    rolledBackAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Upgrade' });

const UpgradeStarted = z
  .object({ instanceId: z.string(), toVersion: z.string(), workflowId: z.string(), runId: z.string(), status: z.string(), temporalUrl: z.string() })
  .meta({ id: 'UpgradeStarted' });

const notFoundError = { 404: errorResponse('No such instance in your tenant, or no such version offered to it') } as const;

// ---- routes ----

const upgradeCheck = guarded('upgrade.request', {
  method: 'post',
  path: '/instances/{id}/upgrade-check',
  tags: ['upgrades'],
  summary: 'Preview an upgrade: change kind, migration of your bindings, what must be supplied, approval',
  description: 'Runs the planner the upgrade lifecycle runs (the migration in the expression sandbox), without side effects.',
  request: { params: InstanceParam, body: { required: true, content: { 'application/json': { schema: UpgradeBody } } } },
  responses: {
    200: json(UpgradePlanBody, 'The plan (missing bindings and problems are part of it, not a refusal)'),
    409: errorResponse('INSTANCE_NOT_ACTIVE; REVIEW_REQUIRED, CERTIFICATION_REQUIRED (the target version)'),
    ...notFoundError,
    ...commonErrors,
    422: errorResponse('UPGRADE_NOT_NEWER, VALIDATION_FAILED, PARAMS_INVALID; the target does not verify: DIGEST_MISMATCH, VERSION_UNSIGNED, SIGNATURE_INVALID, KEY_UNTRUSTED, KEY_OWNER_MISMATCH, SUBJECT_DIGEST_MISMATCH, BUNDLE_MALFORMED'),
  },
});

const requestUpgrade = guarded('upgrade.request', {
  method: 'post',
  path: '/instances/{id}/upgrades',
  tags: ['upgrades'],
  summary: 'Upgrade an instance to a newer version (the upgrade lifecycle)',
  description:
    'Starts `upgrade/<instance>/<version>`: plan → approval by a second tenant admin when the change is breaking, the risk high or critical, or you are not a tenant admin → apply → smoke run → watch window → receipt; a failed smoke run or watch window rolls the instance back. Follow it with GET /instances/{id}/upgrades/{version}.',
  request: { params: InstanceParam, body: { required: true, content: { 'application/json': { schema: UpgradeBody } } } },
  responses: {
    202: json(UpgradeStarted, 'Upgrade lifecycle started'),
    409: errorResponse(
      'UPGRADE_IN_PROGRESS: an upgrade of the instance is running; INSTANCE_NOT_ACTIVE; REVIEW_REQUIRED, CERTIFICATION_REQUIRED: the target version is not reviewed / not certified as your tenant requires',
    ),
    ...notFoundError,
    ...commonErrors,
    422: errorResponse(
      'UPGRADE_NOT_NEWER: the version is not newer than the instance\'s; VALIDATION_FAILED; the target does not verify: DIGEST_MISMATCH, VERSION_UNSIGNED, BUNDLE_MALFORMED, SIGNATURE_INVALID, KEY_UNTRUSTED, KEY_OWNER_MISMATCH, SUBJECT_DIGEST_MISMATCH',
    ),
  },
});

const listUpgrades = guarded('instance.read', {
  method: 'get',
  path: '/instances/{id}/upgrades',
  tags: ['upgrades'],
  summary: "An instance's upgrades, newest first",
  request: { params: InstanceParam },
  responses: { 200: json(z.object({ items: z.array(UpgradeView) }), 'Upgrades'), ...notFoundError, ...commonErrors },
});

const getUpgrade = guarded('instance.read', {
  method: 'get',
  path: '/instances/{id}/upgrades/{version}',
  tags: ['upgrades'],
  summary: 'The newest upgrade of an instance to a version: plan, approvals, smoke run, watch, rollback, receipt',
  request: { params: VersionParam },
  responses: { 200: json(UpgradeView, 'Current state'), 404: errorResponse('No such instance or upgrade in your tenant'), ...commonErrors },
});

const decideUpgrade = guarded('upgrade.decide', {
  method: 'post',
  path: '/instances/{id}/upgrades/{version}/approvals',
  tags: ['upgrades'],
  summary: 'Approve or reject an upgrade, with rationale (a tenant admin of the instance\'s tenant who did not request it)',
  request: {
    params: VersionParam,
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ decision: z.enum(['approve', 'reject']), rationale: z.string().max(UPGRADE_LIMITS.rationale) }) } } },
  },
  responses: {
    200: json(z.object({ approval: ApprovalBody, status: StatusEnum }), 'Decision accepted'),
    403: errorResponse('SELF_APPROVAL, NOT_A_TENANT_ADMIN, WRONG_TENANT, ROLE_REQUIRED'),
    409: errorResponse('NOT_AWAITING_APPROVAL, ALREADY_DECIDED'),
    404: errorResponse('No such instance or upgrade in your tenant'),
    ...commonErrors,
  },
});

const overrideUpgrade = guarded('upgrade.override', {
  method: 'post',
  path: '/instances/{id}/upgrades/{version}/override',
  tags: ['upgrades'],
  summary: 'Override a soft-mandatory guardrail holding an upgrade, with rationale',
  description:
    'Only while the upgrade is `awaiting_override`. The policy decides whether the override counts: an actor holding a role the rule names (a role of the instance\'s tenant, or a platform role), never the requester, with a rationale. Hard-mandatory rules cannot be overridden. The override is recorded in the lifecycle\'s history and receipt.',
  request: { params: VersionParam, body: { required: true, content: { 'application/json': { schema: OverrideRequestBody } } } },
  responses: {
    ...commonErrors,
    404: errorResponse('No such instance or upgrade in your tenant'),
    200: overrideResponses[200],
    403: overrideResponses[403],
    409: overrideResponses[409],
    422: overrideResponses[422],
  },
});

// ---- read model ----

interface UpgradeRow {
  workflow_id: string;
  run_id: string;
  tenant_id: string;
  instance_id: string;
  from_version: string;
  to_version: string;
  status: UpgradeStatus;
  change_kind: UpgradePlan['changeKind'] | null;
  requested_by: string;
  campaign_id: string | null;
  plan: UpgradePlan | null;
  smoke_run_id: string | null;
  smoke_workflow_id: string | null;
  smoke_status: string | null;
  watch: { finished: number; failed: number } | null;
  rollback_reason: string | null;
  rollback_code: string | null;
  error: UpgradeState['error'] | null;
  guardrails: GuardrailDecision | null;
  receipt_id: string | null;
  applied_at: Date | null;
  rolled_back_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

async function approvalsOf(sql: Sql, row: UpgradeRow): Promise<UpgradeApproval[]> {
  const rows = await sql<{ approver: string; approver_tenant: string; decision: 'approve' | 'reject'; rationale: string; decided_at: Date }[]>`
    select approver, approver_tenant, decision, rationale, decided_at from approval
    where workflow_id = ${row.workflow_id} and run_id = ${row.run_id} and subject_kind = 'upgrade' order by decided_at`;
  return rows.map((a) => ({ approver: { sub: a.approver, tenant: a.approver_tenant }, decision: a.decision, rationale: a.rationale, at: a.decided_at.toISOString() }));
}

/** The newest attempt of an upgrade of a tenant's instance to `version`. */
export async function readUpgrade(sql: Sql, tenant: string, instanceId: string, version: string): Promise<UpgradeRow | undefined> {
  const [row] = await sql<UpgradeRow[]>`
    select * from instance_upgrade where workflow_id = ${upgradeWorkflowId(instanceId, version)} and tenant_id = ${tenant}
    order by created_at desc limit 1`;
  return row;
}

let apiSandbox: ExpressionSandbox | undefined;
/** The API's own evaluator for previews (one process, started on first use; its evaluations are bounded as the worker's). */
const previewSandbox = () => (apiSandbox ??= new ExpressionSandbox({ size: 1, maxQueue: 100, maxQueuePerTenant: 10 }));

export function upgradeRoutes(deps: ApiDeps) {
  const { sql, temporal, config } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const lifecycles = lifecycleStarter(deps);
  const policy = () => loadPolicyEngine(config.POLICY_DIR);

  const view = async (row: UpgradeRow, opts: { live: boolean } = { live: true }) => {
    const live = !opts.live || TERMINAL_UPGRADE_STATUSES.includes(row.status)
      ? undefined
      : await temporal.withDeadline(Date.now() + 3_000, () => temporal.workflow.getHandle(row.workflow_id, row.run_id).query(upgradeStateQuery)).catch(() => undefined);
    const plan = live?.plan ?? row.plan ?? undefined;
    const approvals = live?.approvals ?? (await approvalsOf(sql, row));
    const smokeRun = live?.smokeRun ?? (row.smoke_run_id !== null || row.smoke_status ? { runId: row.smoke_run_id ?? '', workflowId: row.smoke_workflow_id ?? '', status: row.smoke_status ?? 'unknown' } : undefined);
    const watch = live?.watch ?? row.watch ?? undefined;
    const rollback = live?.rollback ?? (row.rollback_code ? { code: row.rollback_code, reason: row.rollback_reason ?? '' } : undefined);
    const error = live?.error ?? row.error ?? undefined;
    const guardrails = live?.guardrails ?? row.guardrails ?? undefined;
    const status = live?.status ?? row.status;
    const overrides = live?.overrides ?? (guardrails ? overridesOf(guardrails) : []);
    return {
      instanceId: row.instance_id,
      fromVersion: row.from_version,
      toVersion: row.to_version,
      status,
      ...(row.change_kind ? { changeKind: row.change_kind } : {}),
      requestedBy: row.requested_by,
      ...(row.campaign_id ? { campaignId: row.campaign_id } : {}),
      ...(plan ? { plan } : {}),
      approvals: approvals.map((a) => ({ approver: { sub: a.approver.sub, tenant: a.approver.tenant, ...(a.approver.name ? { name: a.approver.name } : {}) }, decision: a.decision, rationale: a.rationale, at: a.at })),
      ...(smokeRun ? { smokeRun } : {}),
      ...(watch ? { watch } : {}),
      ...(rollback ? { rollback } : {}),
      ...(error ? { error } : {}),
      ...(guardrails ? { guardrails } : {}),
      heldFor: status === 'awaiting_override' ? heldFor(guardrails) : [],
      overrides: overrides.map((o) => ({ rule: o.rule, actor: { sub: o.actor.sub, tenant: o.actor.tenant, ...(o.actor.name ? { name: o.actor.name } : {}) }, rationale: o.rationale, ...(o.at ? { at: o.at } : {}) })),
      ...(row.receipt_id ? { receiptId: row.receipt_id } : {}),
      workflowId: row.workflow_id,
      runId: row.run_id,
      temporalUrl: lifecycles.link(row.workflow_id, row.run_id),
      ...(row.applied_at ? { appliedAt: row.applied_at.toISOString() } : {}),
      ...(row.rolled_back_at ? { rolledBackAt: row.rolled_back_at.toISOString() } : {}),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  };

  app.openapi(upgradeCheck, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { plan } = await planUpgrade(sql, await policy(), previewSandbox(), actor.tenant, id, { ...body, requestedBy: actor }, { service: temporal.workflowService, namespace: config.TEMPORAL_NAMESPACE });
    return c.json(plan, 200);
  });

  app.openapi(requestUpgrade, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const inst = await loadUpgradeInstance(sql, actor.tenant, id);
    checkSuppliedBindings(body);
    if (inst.status !== 'active') throw conflict(UPGRADE_CODES.instanceNotActive, `instance ${id} is ${inst.status}: it cannot be upgraded`);
    // the lifecycle's lock (a unique index) is the backstop; this answers at once
    const [running] = await sql<{ to_version: string; status: string }[]>`
      select to_version, status from instance_upgrade where instance_id = ${id} and status not in ${sql(TERMINAL_UPGRADE_STATUSES as string[])} limit 1`;
    if (running) throw conflict(UPGRADE_CODES.inProgress, `instance ${id} is being upgraded to ${running.to_version} (${running.status})`);
    const target = await loadUpgradeTarget(sql, inst, body.toVersion);
    // refused early with the lifecycle's own trust codes (its plan verifies again, and its apply once more)
    await verifyVersionForInstall(sql, await policy(), actor.tenant, target.definitionId, target.version, installPolicyInput(actor, actor.tenant, target, { environment: inst.environment, ...(inst.region ? { region: inst.region } : {}) }), { service: temporal.workflowService, namespace: config.TEMPORAL_NAMESPACE });
    const input: UpgradeInput = {
      instanceId: id,
      tenantId: actor.tenant,
      templateId: inst.templateId,
      toVersion: target.version,
      requestedBy: actor,
      ...(body.parameters ? { parameters: body.parameters } : {}),
      ...(body.secrets ? { secrets: body.secrets } : {}),
    };
    try {
      const started = await lifecycles.start(upgradeLifecycle, input);
      return c.json({ instanceId: id, toVersion: target.version, workflowId: started.workflowId, runId: started.runId, status: 'planning', temporalUrl: started.temporalUrl }, 202);
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) throw conflict(UPGRADE_CODES.inProgress, `instance ${id} is being upgraded to ${target.version}`);
      throw e;
    }
  });

  app.openapi(listUpgrades, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    await loadUpgradeInstance(sql, actor.tenant, id);
    const rows = await sql<UpgradeRow[]>`
      select * from instance_upgrade where instance_id = ${id} and tenant_id = ${actor.tenant} order by created_at desc limit 200`;
    const items = [];
    for (const row of rows) items.push(await view(row, { live: false }));
    return c.json({ items }, 200);
  });

  app.openapi(getUpgrade, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const row = await readUpgrade(sql, actor.tenant, id, version);
    if (!row) throw notFound('UPGRADE_NOT_FOUND', `no upgrade of ${id} to ${version} in your tenant`);
    return c.json(await view(row), 200);
  });

  app.openapi(decideUpgrade, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const { decision, rationale } = c.req.valid('json');
    const row = await readUpgrade(sql, actor.tenant, id, version);
    if (!row) throw notFound('UPGRADE_NOT_FOUND', `no upgrade of ${id} to ${version} in your tenant`);
    if (TERMINAL_UPGRADE_STATUSES.includes(row.status)) throw conflict(UPGRADE_CODES.notAwaiting, `this upgrade is ${row.status}, not awaiting approval`);
    const handle = temporal.workflow.getHandle(row.workflow_id, row.run_id);
    const approval = await updateOpenWorkflow(
      () => handle.executeUpdate(decision === 'approve' ? approveUpgradeUpdate : rejectUpgradeUpdate, { args: [{ approver: actor, rationale }] }),
      UPGRADE_CODES.notAwaiting,
      'this upgrade is no longer awaiting approval',
    );
    const state = await handle.query(upgradeStateQuery).catch(() => undefined);
    return c.json({ approval, status: state?.status ?? row.status }, 200);
  });

  app.openapi(overrideUpgrade, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const body = c.req.valid('json');
    // another tenant's upgrade is not visible: it answers as absent, never as forbidden
    const row = await readUpgrade(sql, actor.tenant, id, version);
    if (!row) throw notFound('UPGRADE_NOT_FOUND', `no upgrade of ${id} to ${version} in your tenant`);
    if (row.status !== 'awaiting_override') throw conflict('NOT_HELD', `this upgrade is ${row.status}, not held by a guardrail`);
    const handle = temporal.workflow.getHandle(row.workflow_id, row.run_id);
    const guardrails = await sendOverride(handle, actor, body);
    const state = await handle.query(upgradeStateQuery).catch(() => undefined);
    return c.json({ guardrails, status: state?.status ?? row.status }, 200);
  });

  return app;
}
