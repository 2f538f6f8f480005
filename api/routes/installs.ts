import { OpenAPIHono } from '@hono/zod-openapi';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Actor } from '../../domain/actor.ts';
import { ROLES } from '../../domain/actor.ts';
import { conflict, DomainError, notFound } from '../../domain/errors.ts';
import { SEMVER } from '../../domain/semver.ts';
import { DEFINITION_ID } from '../../domain/ids.ts';
import { ENVIRONMENTS, REGION, type Environment } from '../../domain/marketplace.ts';
import {
  INSTALL_CODES,
  INSTALL_LIMITS,
  INSTANCE_ID,
  TERMINAL_INSTALL_STATUSES,
  installWorkflowId,
  instanceIdFor,
  type InstallApproval,
  type InstallDecision,
  type InstallError,
  type InstallInput,
  type InstallState,
  type InstallStatus,
} from '../../domain/install.ts';
import { checkInstallBindings, decideInstall, installPolicyInput, loadTemplateVersion, type TemplateVersionFacts } from '../../platform/install-check.ts';
import { currentCertification, verifyVersionForInstall } from '../../platform/version-trust.ts';
import { TRUST_CODES } from '../../domain/trust.ts';
import { loadPolicyEngine } from '../../platform/opa.ts';
import type { Sql } from '../../platform/db.ts';
import { approveInstallUpdate, installLifecycle, installStateQuery, rejectInstallUpdate } from '../../workflows/contracts/index.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { updateOpenWorkflow } from '../temporal-errors.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { DefinitionIdParam } from '../schemas.ts';
import { guarded } from '../permissions.ts';
import { GuardrailDecisionBody, HeldForBody, OverrideRequestBody, overrideResponses } from '../guardrail-schemas.ts';
import { sendOverride } from '../policy-override.ts';
import { heldFor, overridesOf } from '../../domain/guardrail-receipt.ts';
import type { GuardrailDecision } from '../../domain/policy-profiles.ts';

// ---- schemas (declared once: validation, OpenAPI, tests) ----

const bounded = <T extends z.ZodType>(record: T, max: number, what: string) =>
  record.refine((o) => Object.keys(o as object).length <= max, { message: `at most ${max} ${what}` });

export const InstancePoliciesBody = z
  .strictObject({
    runRoles: z.array(z.enum(ROLES)).max(ROLES.length).optional().meta({ description: 'who may start runs of the instance (any of these roles); empty: every member of your tenant' }),
    approvalsPerRun: z
      .number()
      .int()
      .min(0)
      .max(INSTALL_LIMITS.approvalsPerRun)
      .optional()
      .meta({ description: 'approvals by tenant admins (never the starter) every run waits for before its first step' }),
  })
  .meta({ id: 'InstancePolicies' });

export const InstanceQuotasBody = z
  .strictObject({
    maxConcurrentRuns: z.number().int().min(1).max(INSTALL_LIMITS.maxConcurrentRuns).optional(),
    runsPerDay: z.number().int().min(1).max(INSTALL_LIMITS.runsPerDay).optional().meta({ description: 'runs started since 00:00 UTC' }),
  })
  .meta({ id: 'InstanceQuotas' });

const installFields = {
  version: z.string().regex(SEMVER, 'must be a semantic version').optional().meta({ description: 'default: the newest published version offered to your tenant' }),
  environment: z.enum(ENVIRONMENTS),
  region: z.string().regex(REGION, 'must be a region such as eu-west-1').optional(),
  parameters: bounded(z.record(z.string().max(200), z.unknown()), 200, 'parameters').optional().meta({ description: 'parameter values (endpoints included); template defaults apply to the rest' }),
  secrets: bounded(z.record(z.string().max(63), z.string().max(200)), INSTALL_LIMITS.secrets, 'secret bindings')
    .optional()
    .meta({ description: "spec secret name → the name of one of your tenant's own secrets (never a value)", example: { api_token: 'payroll-token' } }),
  policies: InstancePoliciesBody.optional(),
  quotas: InstanceQuotasBody.optional(),
};

const TemplateId = () => z.string().regex(DEFINITION_ID, 'must be a template id such as acme.payroll-sync');
const InstallBody = z.strictObject({ templateId: TemplateId().meta({ description: 'the template (its id is its definition id)' }), ...installFields }).meta({ id: 'InstallRequest' });
const InstallCheckBody = z
  .strictObject({ templateId: TemplateId().optional().meta({ description: "when given, the path's template" }), ...installFields })
  .meta({ id: 'InstallCheckRequest' });

const Detail = z.object({ path: z.string(), message: z.string(), code: z.string().optional() });

export const InstallDecisionBody = z
  .object({ allow: z.boolean(), deny: z.array(z.string()), approvalsRequired: z.number().int(), reasons: z.array(z.string()) })
  .meta({ id: 'InstallDecision' });

const InstallCheckResult = z
  .object({
    templateId: z.string(),
    version: z.string(),
    allow: z.boolean().meta({ description: 'the policy allows the install AND the bindings fit' }),
    deny: z.array(z.string()).meta({ description: 'the policy\'s reasons to refuse' }),
    approvalsRequired: z.number().int(),
    reasons: z.array(z.string()).meta({ description: 'why approvals are required' }),
    missing: z.object({ secrets: z.array(z.string()), parameters: z.array(z.string()) }),
    endpoints: z.array(z.object({ parameter: z.string(), url: z.string(), allowed: z.boolean(), reason: z.string().optional() })),
    problems: z.array(Detail).meta({ description: 'every binding problem, each with its code (what an install would report as invalid)' }),
    trust: z
      .object({
        verified: z.boolean().meta({ description: "the version's digest, signature (publisher's key, your trust roots), review and required certification hold" }),
        code: z.string().optional().meta({ description: 'the TRUST_CODES (or DIGEST_MISMATCH) code an install would be refused with' }),
        message: z.string().optional(),
        keyId: z.string().optional(),
        certification: z.object({
          status: z.string(),
          required: z.boolean().meta({ description: "your tenant's require_certification setting applies to this template" }),
        }),
        warnings: z.array(z.string()).meta({ description: 'e.g. "review overdue": the certification expired' }),
      })
      .meta({ id: 'InstallTrustCheck' }),
  })
  .meta({ id: 'InstallCheck' });

const InstallStarted = z
  .object({ instanceId: z.string(), workflowId: z.string(), runId: z.string(), temporalUrl: z.string(), status: z.string() })
  .meta({ id: 'InstallStarted' });

const InstallStatusEnum = z.enum(['checking', 'awaiting_override', 'awaiting_approval', 'installing', 'installed', 'denied', 'invalid', 'rejected', 'failed']);

export const InstallApprovalBody = z
  .object({
    approver: z.object({ sub: z.string(), tenant: z.string(), name: z.string().optional() }),
    decision: z.enum(['approve', 'reject']),
    rationale: z.string(),
    at: z.string(),
  })
  .meta({ id: 'InstallApproval' });

const InstallView = z
  .object({
    instanceId: z.string(),
    templateId: z.string(),
    version: z.string(),
    environment: z.enum(ENVIRONMENTS),
    status: InstallStatusEnum,
    decision: InstallDecisionBody.optional(),
    approvals: z.array(InstallApprovalBody),
    error: z.object({ code: z.string(), message: z.string(), details: z.array(Detail).optional() }).optional(),
    guardrails: GuardrailDecisionBody.optional().meta({ description: "the guardrails' latest decision (policies/guardrails.rego)" }),
    heldFor: HeldForBody,
    overrides: z
      .array(z.object({ rule: z.string(), actor: z.object({ sub: z.string(), tenant: z.string(), name: z.string().optional() }), rationale: z.string(), at: z.string().optional() }))
      .meta({ description: 'the overrides given while it was held' }),
    workflowId: z.string(),
    runId: z.string(),
    temporalUrl: z.string(),
    requestedBy: z.string(),
    warnings: z.array(z.string()).meta({ description: 'what the install was warned of, e.g. "review overdue" (an expired certification)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Install' });

const InstanceIdParam = z.object({
  instanceId: z.string().regex(INSTANCE_ID, 'must be an instance id').meta({ param: { name: 'instanceId', in: 'path' }, example: 'globex.payroll-sync.prod-3f9a1c' }),
});

const errors = { ...commonErrors, 404: errorResponse('No such template, version or install (or not visible to your tenant)') } as const;

// ---- routes ----

const installCheck = guarded('install.request', {
  method: 'post',
  path: '/templates/{id}/install-check',
  tags: ['installs'],
  summary: 'Preview an install: what the install policy will require and whether the bindings fit',
  description: 'Evaluates the same policy and binding checks as the install lifecycle, without side effects.',
  request: { params: DefinitionIdParam, body: { required: true, content: { 'application/json': { schema: InstallCheckBody } } } },
  responses: { 200: json(InstallCheckResult, 'The preview'), 409: errorResponse('NOT_PUBLISHED: no published version is offered to your tenant'), ...errors },
});

const requestInstall = guarded('install.request', {
  method: 'post',
  path: '/installs',
  tags: ['installs'],
  summary: 'Install a marketplace template into an environment of your tenant (tenant admins)',
  description:
    'Starts the install lifecycle (workflow `install/<instanceId>`): policy, digest and binding checks, approval by a second tenant admin when the policy requires it, instance, receipt. ' +
    'Follow it with GET /installs/{instanceId}. With an `Idempotency-Key` header a retried request joins the same install.',
  request: {
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: InstallBody } } },
  },
  responses: {
    202: json(InstallStarted, 'Install lifecycle started (or joined)'),
    409: errorResponse(
      'INSTANCE_EXISTS: a live instance of the template is installed (or being installed) in that environment; NOT_PUBLISHED; ' +
        'REVIEW_REQUIRED: another tenant\'s version that has not passed its review; CERTIFICATION_REQUIRED: your tenant requires a certified version',
    ),
    ...errors,
    422: errorResponse(
      'Invalid input; or the version does not verify: DIGEST_MISMATCH, VERSION_UNSIGNED, BUNDLE_MALFORMED, SIGNATURE_INVALID, KEY_UNTRUSTED, KEY_OWNER_MISMATCH, SUBJECT_DIGEST_MISMATCH',
    ),
  },
});

const listInstalls = guarded('instance.read', {
  method: 'get',
  path: '/installs',
  tags: ['installs'],
  summary: "Your tenant's install requests, newest first",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50).meta({ param: { name: 'limit', in: 'query' } }) }) },
  responses: { 200: json(z.object({ items: z.array(InstallView) }), 'Install requests'), ...commonErrors },
});

const getInstall = guarded('instance.read', {
  method: 'get',
  path: '/installs/{instanceId}',
  tags: ['installs'],
  summary: 'State of an install lifecycle',
  request: { params: InstanceIdParam },
  responses: { 200: json(InstallView, 'Current state'), ...errors },
});

const decideInstallRoute = guarded('install.decide', {
  method: 'post',
  path: '/installs/{instanceId}/approvals',
  tags: ['installs'],
  summary: 'Approve or reject an install, with rationale (a second tenant admin of the installing tenant)',
  request: {
    params: InstanceIdParam,
    body: {
      required: true,
      content: { 'application/json': { schema: z.strictObject({ decision: z.enum(['approve', 'reject']), rationale: z.string().max(INSTALL_LIMITS.rationale) }) } },
    },
  },
  responses: {
    200: json(z.object({ approval: InstallApprovalBody, status: InstallStatusEnum }), 'Decision accepted'),
    403: errorResponse('SELF_APPROVAL, NOT_A_TENANT_ADMIN, WRONG_TENANT'),
    409: errorResponse('NOT_AWAITING_APPROVAL, ALREADY_DECIDED'),
    ...errors,
  },
});

const overrideInstallRoute = guarded('install.override', {
  method: 'post',
  path: '/installs/{instanceId}/override',
  tags: ['installs'],
  summary: 'Override a soft-mandatory guardrail holding an install, with rationale',
  description:
    'Only while the install is `awaiting_override`. The policy decides whether the override counts: an actor holding a role the rule names (a role of the installing tenant, or a platform role), never the requester, with a rationale. Hard-mandatory rules cannot be overridden. The override is recorded in the lifecycle\'s history and receipt.',
  request: { params: InstanceIdParam, body: { required: true, content: { 'application/json': { schema: OverrideRequestBody } } } },
  responses: { ...errors, 200: overrideResponses[200], 403: overrideResponses[403], 409: overrideResponses[409], 422: overrideResponses[422] },
});

// ---- read model ----

interface InstallRow {
  workflow_id: string;
  run_id: string;
  tenant_id: string;
  template_id: string;
  version: string;
  environment: Environment;
  instance_id: string;
  requested_by: string;
  status: InstallStatus;
  decision: InstallDecision | null;
  error: InstallError | null;
  guardrails: GuardrailDecision | null;
  warnings: string[] | null;
  created_at: Date;
  updated_at: Date;
}

async function readInstall(sql: Sql, tenant: string, instanceId: string): Promise<InstallRow | undefined> {
  const [row] = await sql<InstallRow[]>`
    select * from install_request where workflow_id = ${installWorkflowId(instanceId)} and tenant_id = ${tenant} and kind = 'install'`;
  return row;
}

async function approvalsOf(sql: Sql, row: InstallRow): Promise<InstallApproval[]> {
  const rows = await sql<{ approver: string; approver_tenant: string; decision: 'approve' | 'reject'; rationale: string; decided_at: Date }[]>`
    select approver, approver_tenant, decision, rationale, decided_at from approval
    where workflow_id = ${row.workflow_id} and run_id is not distinct from ${row.run_id} and subject_kind = 'install' order by decided_at`;
  return rows.map((a) => ({ approver: { sub: a.approver, tenant: a.approver_tenant }, decision: a.decision, rationale: a.rationale, at: a.decided_at.toISOString() }));
}

/** A request's resolved template version, or the 404/409 a caller who may not see it gets. */
async function visibleTemplate(sql: Sql, actor: Actor, templateId: string, version: string | undefined): Promise<TemplateVersionFacts> {
  const f = await loadTemplateVersion(sql, actor.tenant, templateId, version);
  if (!f || !f.visible) throw notFound('TEMPLATE_NOT_FOUND', `no template ${templateId}`);
  if (!f.spec) {
    if (version) throw notFound('VERSION_NOT_FOUND', `${templateId} has no version ${version}`);
    throw conflict('NOT_PUBLISHED', `${templateId} has no published version offered to your tenant`);
  }
  // a version the tenant may not see is as absent as one that does not exist
  if (!f.versionVisible) throw notFound('VERSION_NOT_FOUND', `${templateId} has no version ${f.version}`);
  return f;
}

export function installRoutes(deps: ApiDeps) {
  const { sql, temporal, config } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const lifecycles = lifecycleStarter(deps);
  const policy = () => loadPolicyEngine(config.POLICY_DIR);

  const view = async (row: InstallRow, opts: { live: boolean } = { live: true }) => {
    const live = !opts.live || TERMINAL_INSTALL_STATUSES.includes(row.status)
      ? undefined
      : await temporal.withDeadline(Date.now() + 3_000, () => temporal.workflow.getHandle(row.workflow_id).query(installStateQuery)).catch(() => undefined);
    // the workflow is the authority on live state; the read model answers when no worker can
    const state: Pick<InstallState, 'status' | 'decision' | 'approvals' | 'error' | 'guardrails' | 'overrides'> = live ?? {
      status: row.status,
      ...(row.decision ? { decision: row.decision } : {}),
      approvals: await approvalsOf(sql, row),
      ...(row.error ? { error: row.error } : {}),
      ...(row.guardrails ? { guardrails: row.guardrails, overrides: overridesOf(row.guardrails) } : {}),
    };
    return {
      instanceId: row.instance_id,
      templateId: row.template_id,
      version: row.version,
      environment: row.environment,
      status: state.status,
      ...(state.decision ? { decision: state.decision } : {}),
      approvals: state.approvals.map((a) => ({ approver: { sub: a.approver.sub, tenant: a.approver.tenant, ...(a.approver.name ? { name: a.approver.name } : {}) }, decision: a.decision, rationale: a.rationale, at: a.at })),
      ...(state.error ? { error: state.error } : {}),
      ...(state.guardrails ? { guardrails: state.guardrails } : {}),
      heldFor: state.status === 'awaiting_override' ? heldFor(state.guardrails) : [],
      overrides: (state.overrides ?? []).map((o) => ({ rule: o.rule, actor: { sub: o.actor.sub, tenant: o.actor.tenant, ...(o.actor.name ? { name: o.actor.name } : {}) }, rationale: o.rationale, ...(o.at ? { at: o.at } : {}) })),
      workflowId: row.workflow_id,
      runId: row.run_id,
      temporalUrl: lifecycles.link(row.workflow_id, row.run_id),
      requestedBy: row.requested_by,
      warnings: row.warnings ?? [],
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  };

  // the publish receipts' histories, as the install lifecycle re-reads them
  const history = { service: temporal.workflowService, namespace: config.TEMPORAL_NAMESPACE };

  /** The trust half of the preview: what verifyVersionForInstall would say, as data. */
  const trustPreview = async (f: TemplateVersionFacts, actor: Actor, body: { environment: Environment; region?: string }) => {
    const cert = await currentCertification(sql, f.definitionId, f.version);
    try {
      const v = await verifyVersionForInstall(sql, await policy(), actor.tenant, f.definitionId, f.version, installPolicyInput(actor, actor.tenant, f, body), history);
      return { verified: true, keyId: v.keyId, certification: { status: v.certification.status, required: v.certification.required }, warnings: [...v.certification.warnings, ...(v.provenance?.warnings ?? [])] };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return { verified: false, code: e.code, message: e.message, certification: { status: cert.status, required: e.code === TRUST_CODES.certificationRequired }, warnings: [] };
    }
  };

  app.openapi(installCheck, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    if (body.templateId && body.templateId !== id) throw notFound('TEMPLATE_NOT_FOUND', `the body names template ${body.templateId}, the path ${id}`);
    const f = await visibleTemplate(sql, actor, id, body.version);
    const decision = decideInstall(await policy(), actor, actor.tenant, f, body);
    const report = await checkInstallBindings(sql, await policy(), actor.tenant, f, body);
    const trust = await trustPreview(f, actor, body);
    return c.json(
      {
        templateId: f.templateId,
        version: f.version,
        allow: decision.allow && report.problems.length === 0 && trust.verified,
        trust,
        deny: decision.deny,
        approvalsRequired: decision.approvalsRequired,
        reasons: decision.reasons,
        missing: report.missing,
        endpoints: report.endpoints,
        problems: report.problems.map((p) => ({ path: p.path, message: p.message, ...(p.code ? { code: p.code } : {}) })),
      },
      200,
    );
  });

  app.openapi(requestInstall, async (c) => {
    const actor = c.get('actor');
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const f = await visibleTemplate(sql, actor, body.templateId, body.version);
    // refused early with the lifecycle's own codes (it verifies again before anything is bound)
    await verifyVersionForInstall(sql, await policy(), actor.tenant, f.definitionId, f.version, installPolicyInput(actor, actor.tenant, f, body), history);
    // a retried request (same key) names the same instance, and joins its install
    let instanceId = '';
    for (let attempt = 0; attempt < 5 && !instanceId; attempt++) {
      const hex = key
        ? createHash('sha256').update(`${actor.tenant}\n${body.templateId}\n${body.environment}\n${key}`).digest('hex').slice(0, 6)
        : randomBytes(3).toString('hex');
      const candidate = instanceIdFor(actor.tenant, f.templateId, body.environment, hex);
      const existing = await readInstall(sql, actor.tenant, candidate);
      if (existing && key) {
        const workflowId = installWorkflowId(candidate);
        return c.json({ instanceId: candidate, workflowId, runId: existing.run_id, temporalUrl: lifecycles.link(workflowId, existing.run_id), status: existing.status }, 202);
      }
      // a random id that an earlier install of this template and environment took: draw again
      if (!existing) instanceId = candidate;
    }
    if (!instanceId) throw conflict(INSTALL_CODES.instanceExists, 'no free instance id: try again');
    const workflowId = installWorkflowId(instanceId);

    // the lifecycle's reservation (the live unique index) is the backstop; this answers at once
    const [live] = await sql<{ id: string; status: string }[]>`
      select id, status from workflow_instance
      where tenant_id = ${actor.tenant} and template_id = ${f.templateId} and environment = ${body.environment} and status <> 'uninstalled'
      union all
      select instance_id, status from install_request
      where tenant_id = ${actor.tenant} and template_id = ${f.templateId} and environment = ${body.environment} and kind = 'install' and status = 'checking'
        -- checks take moments; an install that stopped checking long ago (no worker) must not block forever
        and updated_at > now() - interval '5 minutes'
      limit 1`;
    if (live) {
      throw conflict(
        INSTALL_CODES.instanceExists,
        `${f.templateId} is already ${live.status === 'checking' || live.status === 'installing' ? 'being installed' : 'installed'} in ${body.environment} (instance ${live.id}): uninstall it first or choose another environment`,
      );
    }
    const input: InstallInput = {
      instanceId,
      templateId: f.templateId,
      definitionId: f.definitionId,
      version: f.version,
      environment: body.environment,
      ...(body.region ? { region: body.region } : {}),
      parameters: body.parameters ?? {},
      secrets: body.secrets ?? {},
      policies: body.policies ?? {},
      quotas: body.quotas ?? {},
      requestedBy: actor,
    };
    try {
      const started = await lifecycles.start(installLifecycle, input);
      return c.json({ instanceId, workflowId, runId: started.runId, temporalUrl: started.temporalUrl, status: 'checking' }, 202);
    } catch (e) {
      // the same key after the install closed: it never starts again
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      const row = await readInstall(sql, actor.tenant, instanceId);
      return c.json({ instanceId, workflowId, runId: row?.run_id ?? '', temporalUrl: lifecycles.link(workflowId, row?.run_id), status: row?.status ?? 'checking' }, 202);
    }
  });

  app.openapi(listInstalls, async (c) => {
    const actor = c.get('actor');
    const { limit } = c.req.valid('query');
    const rows = await sql<InstallRow[]>`
      select * from install_request where tenant_id = ${actor.tenant} and kind = 'install' order by created_at desc limit ${limit}`;
    // the read model only: a list does not ask every running install's workflow
    const items = [];
    for (const row of rows) items.push(await view(row, { live: false }));
    return c.json({ items }, 200);
  });

  app.openapi(getInstall, async (c) => {
    const actor = c.get('actor');
    const row = await readInstall(sql, actor.tenant, c.req.valid('param').instanceId);
    if (!row) throw notFound('INSTALL_NOT_FOUND', 'no such install in your tenant');
    return c.json(await view(row), 200);
  });

  app.openapi(decideInstallRoute, async (c) => {
    const actor = c.get('actor');
    const { decision, rationale } = c.req.valid('json');
    const row = await readInstall(sql, actor.tenant, c.req.valid('param').instanceId);
    if (!row) throw notFound('INSTALL_NOT_FOUND', 'no such install in your tenant');
    if (TERMINAL_INSTALL_STATUSES.includes(row.status)) throw conflict(INSTALL_CODES.notAwaiting, `this install is ${row.status}, not awaiting approval`);
    const handle = temporal.workflow.getHandle(row.workflow_id);
    const approval = await updateOpenWorkflow(
      () => handle.executeUpdate(decision === 'approve' ? approveInstallUpdate : rejectInstallUpdate, { args: [{ approver: actor, rationale }] }),
      INSTALL_CODES.notAwaiting,
      'this install is no longer awaiting approval',
    );
    const state = await handle.query(installStateQuery).catch(() => undefined);
    return c.json({ approval, status: state?.status ?? row.status }, 200);
  });

  app.openapi(overrideInstallRoute, async (c) => {
    const actor = c.get('actor');
    const body = c.req.valid('json');
    // another tenant's install is not visible: it answers as absent, never as forbidden
    const row = await readInstall(sql, actor.tenant, c.req.valid('param').instanceId);
    if (!row) throw notFound('INSTALL_NOT_FOUND', 'no such install in your tenant');
    if (row.status !== 'awaiting_override') throw conflict('NOT_HELD', `this install is ${row.status}, not held by a guardrail`);
    const handle = temporal.workflow.getHandle(row.workflow_id);
    const guardrails = await sendOverride(handle, actor, body);
    const state = await handle.query(installStateQuery).catch(() => undefined);
    return c.json({ guardrails, status: state?.status ?? row.status }, 200);
  });

  return app;
}
