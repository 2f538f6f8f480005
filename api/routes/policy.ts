/**
 * Policy dry-run: what the guardrails (policies/guardrails.rego) and the lifecycle's own
 * policy would decide for a publish, install, upgrade or run start — evaluated without side
 * effects on the input the lifecycle itself builds (platform/guardrails.ts
 * buildGuardrailInput), for the token's actor. And the rule catalog, read from the rules'
 * METADATA through the policy (no list kept by hand).
 *
 * Besides the guardrail rules, the answer carries the lifecycle's base checks as rules of
 * their own (`source: 'lifecycle'`, enforcement hard): `publish.base` (publish.rego deny),
 * `install.base` (install.rego deny) and `install.certification` (install.rego
 * certification). They deny a real request just as a guardrail does, so the outcome counts
 * them. `assume.settings` replaces the tenant's guardrail settings for the evaluation
 * (what-if); the answer then says `assumed: true` and never stores anything.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Actor } from '../../domain/actor.ts';
import { conflict, inputError, notFound } from '../../domain/errors.ts';
import { SEMVER } from '../../domain/semver.ts';
import { DEFINITION_ID } from '../../domain/ids.ts';
import { RISKS } from '../../domain/spec.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';
import { ENVIRONMENTS, REGION } from '../../domain/marketplace.ts';
import { INSTANCE_ID } from '../../domain/install.ts';
import { VISIBILITY_PROFILES, defaultVisibility } from '../../domain/access.ts';
import { isMarketplace } from '../../domain/review.ts';
import { classifyUpgrade, upgradeApproval } from '../../domain/upgrade.ts';
import { approvalRequirements } from '../../domain/catalog-rules.ts';
import { clockIn, regionOfHost } from '../../domain/policy-facts.ts';
import { POLICY_OPERATIONS, type GuardrailInput, type GuardrailRequest, type PolicyOperation, type RuleResult } from '../../domain/policy-profiles.ts';
import { buildGuardrailInput, decideGuardrails } from '../../platform/guardrails.ts';
import { decideInstall, installPolicyInput, loadTemplateVersion } from '../../platform/install-check.ts';
import { currentCertification } from '../../platform/version-trust.ts';
import { visibleVersionSql } from '../../platform/access.ts';
import { loadPolicyEngine, type PolicyEngine } from '../../platform/opa.ts';
import type { Sql } from '../../platform/db.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { guarded } from '../permissions.ts';

// ---- schemas ----

export const DRY_RUN_LIMITS = { parameters: 200, endpointRegions: 50, egressAllow: 100, host: 253, timezone: 64 } as const;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

const Parameters = z
  .record(z.string().max(200), z.unknown())
  .refine((o) => Object.keys(o).length <= DRY_RUN_LIMITS.parameters, { message: `at most ${DRY_RUN_LIMITS.parameters} parameters` });
const TemplateId = z.string().regex(DEFINITION_ID, 'must be an id such as acme.payroll-sync');
const Version = z.string().regex(SEMVER, 'must be a semantic version');
const Host = z.string().min(1).max(DRY_RUN_LIMITS.host).regex(/^(\*\.)?[a-z0-9.-]+$|^\*$/i, 'must be a host or *.suffix pattern');

const validTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const AssumedSettings = z
  .strictObject({
    max_external_risk: z.enum(RISKS).nullable().optional().meta({ description: 'the highest risk installed from other tenants' }),
    region: z.string().regex(REGION, 'must be a region such as eu-west-1').nullable().optional(),
    endpoint_regions: z
      .record(Host, z.string().regex(REGION, 'must be a region such as eu-west-1'))
      .refine((o) => Object.keys(o).length <= DRY_RUN_LIMITS.endpointRegions, { message: `at most ${DRY_RUN_LIMITS.endpointRegions} host patterns` })
      .optional()
      .meta({ description: 'host pattern → region' }),
    business_hours: z
      .strictObject({
        days: z.array(z.enum(WEEKDAYS)).max(7),
        start_hour: z.number().int().min(0).max(23),
        end_hour: z.number().int().min(1).max(24),
        timezone: z.string().max(DRY_RUN_LIMITS.timezone).refine(validTimezone, { message: 'must be an IANA time zone' }),
      })
      .nullable()
      .optional(),
    critical_runs_per_day: z.number().int().min(0).max(100_000).nullable().optional(),
    egress_allow: z.array(Host).max(DRY_RUN_LIMITS.egressAllow).optional(),
  })
  .meta({ id: 'PolicyAssumedSettings', description: "hypothetical tenant settings (what-if); absent fields keep the tenant's own" });

const Assume = z.strictObject({ settings: AssumedSettings }).optional().meta({ description: 'evaluate as if these settings were in force (nothing is stored)' });

export const DryRunBody = z
  .discriminatedUnion('operation', [
    z.strictObject({
      operation: z.literal('publish'),
      definitionId: TemplateId,
      version: Version,
      visibility: z.enum(VISIBILITY_PROFILES).optional().meta({ description: "default: by the spec's scope" }),
      assume: Assume,
    }),
    z.strictObject({
      operation: z.literal('install'),
      templateId: TemplateId,
      version: Version.optional().meta({ description: 'default: the newest published version offered to your tenant' }),
      environment: z.enum(ENVIRONMENTS),
      region: z.string().regex(REGION, 'must be a region such as eu-west-1').optional(),
      parameters: Parameters.optional(),
      assume: Assume,
    }),
    z.strictObject({
      operation: z.literal('upgrade'),
      instanceId: z.string().regex(INSTANCE_ID, 'must be an instance id'),
      toVersion: Version,
      parameters: Parameters.optional(),
      assume: Assume,
    }),
    z.strictObject({
      operation: z.literal('run'),
      definitionId: TemplateId.optional(),
      version: Version.optional(),
      instanceId: z.string().regex(INSTANCE_ID, 'must be an instance id').optional(),
      assume: Assume,
    }),
  ])
  .meta({ id: 'PolicyDryRunRequest' });

const RuleBody = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    enforcement: z.enum(['advisory', 'soft', 'hard']),
    result: z.enum(['pass', 'advisory', 'soft-deny', 'hard-deny', 'overridden']),
    reasons: z.array(z.string()),
    fix: z.string(),
    override_roles: z.array(z.string()),
    source: z.enum(['guardrails', 'lifecycle']).meta({ description: 'a guardrail rule, or the lifecycle\'s own policy check (publish.base, install.base, install.certification)' }),
  })
  .meta({ id: 'PolicyRuleResult' });

const Approvals = z
  .object({
    required: z.number().int().meta({ description: 'approvals the lifecycle waits for before it acts' }),
    reasons: z.array(z.string()),
    review: z.boolean().optional().meta({ description: 'publish: a marketplace review follows' }),
    certification: z.object({ required: z.boolean(), status: z.string(), allow: z.boolean() }).optional().meta({ description: 'install: the certification requirement' }),
    steps: z
      .array(z.object({ stepId: z.string(), title: z.string().optional(), roles: z.array(z.string()), users: z.array(z.string()), count: z.number().int() }))
      .optional()
      .meta({ description: "run: the spec's approval steps" }),
    perRun: z.number().int().optional().meta({ description: "run: the instance's approvalsPerRun" }),
  })
  .meta({ id: 'PolicyApprovals' });

export const DryRunResult = z
  .object({
    operation: z.enum(POLICY_OPERATIONS),
    profile: z.enum(['local_workflow', 'marketplace_workflow']),
    outcome: z.enum(['allow', 'hold', 'deny']),
    rules: z.array(RuleBody),
    denying: z.array(z.string()).meta({ description: 'hard-denying rule ids (guardrails and lifecycle checks)' }),
    held: z.array(z.string()).meta({ description: 'soft-denying rule ids: the lifecycle would hold for an override' }),
    advisories: z.array(z.string()),
    overrideRoles: z.array(z.string()),
    approvals: Approvals,
    subject: z.object({ definitionId: z.string(), version: z.string(), risk: z.string() }),
    assumed: z.boolean().meta({ description: 'the answer is hypothetical: evaluated with assume.settings' }),
    inputDigest: z.string(),
  })
  .meta({ id: 'PolicyDryRun' });

const CatalogRule = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    enforcement: z.enum(['advisory', 'soft', 'hard']),
    operations: z.array(z.enum(POLICY_OPERATIONS)),
    fix: z.string(),
    override_roles: z.array(z.string()),
    profile: z.enum(['local_workflow', 'marketplace_workflow']),
  })
  .meta({ id: 'PolicyRule' });

const dryRun = guarded('policy.read', {
  method: 'post',
  path: '/policy/dry-run',
  tags: ['policy'],
  summary: 'What will happen if I do this? The policy decision for a publish, install, upgrade or run start, without side effects',
  description:
    'Builds the input the lifecycle builds (for your token) and evaluates the guardrails and the lifecycle\'s own policy checks on it. ' +
    'Answers every rule\'s result, the denying and held rule ids with their fix, and the approvals the lifecycle would require. ' +
    'With `assume.settings` the tenant settings are replaced for the evaluation (the answer says `assumed: true`).',
  request: { body: { required: true, content: { 'application/json': { schema: DryRunBody } } } },
  responses: {
    200: json(DryRunResult, 'The decision'),
    404: errorResponse('TEMPLATE_NOT_FOUND, VERSION_NOT_FOUND, INSTANCE_NOT_FOUND: no such template, version or instance (or not visible to your tenant)'),
    409: errorResponse('NOT_PUBLISHED: no published version is offered to your tenant'),
    ...commonErrors,
    422: errorResponse('Invalid input (`details` names each failing path); RUN_TARGET_REQUIRED: a run names an instanceId, or a definitionId and version'),
  },
});

const rulesRoute = guarded('policy.read', {
  method: 'get',
  path: '/policy/rules',
  tags: ['policy'],
  summary: 'The guardrail rules, from their METADATA',
  responses: { 200: json(z.object({ items: z.array(CatalogRule) }), 'Every rule'), ...commonErrors },
});

// ---- evaluation ----

type DryRunRequest = z.infer<typeof DryRunBody>;
type Assumed = z.infer<typeof AssumedSettings>;

/** The input with assumed settings in force (endpoint regions and the business-hours clock follow them). */
export function withAssumedSettings(input: GuardrailInput, s: Assumed, now: Date): GuardrailInput {
  const settings = { ...input.settings };
  if (s.max_external_risk !== undefined) settings.max_external_risk = s.max_external_risk;
  if (s.region !== undefined) settings.region = s.region;
  if (s.critical_runs_per_day !== undefined) settings.critical_runs_per_day = s.critical_runs_per_day;
  if (s.egress_allow !== undefined) settings.egress_allow = s.egress_allow;
  if (s.business_hours !== undefined) settings.business_hours = s.business_hours;
  const endpoints = s.endpoint_regions
    ? input.subject.endpoints.map((e) => ({ ...e, region: regionOfHost(e.host, s.endpoint_regions!) }))
    : input.subject.endpoints;
  const tz = settings.business_hours?.timezone ?? 'UTC';
  return {
    ...input,
    subject: { ...input.subject, endpoints },
    settings,
    ...(input.clock && s.business_hours !== undefined ? { clock: clockIn(now, tz) } : {}),
  };
}

type DryRunRule = z.infer<typeof RuleBody>;

const lifecycleRule = (id: string, title: string, description: string, fix: string, deny: string[]): DryRunRule => ({
  id,
  title,
  description,
  enforcement: 'hard' as const,
  result: deny.length ? ('hard-deny' as const) : ('pass' as const),
  reasons: deny,
  fix,
  override_roles: [] as string[],
  source: 'lifecycle',
});

/** As the install route: a template or version the tenant may not see is absent (404), none published is 409. */
async function visibleTemplate(sql: Sql, actor: Actor, templateId: string, version: string | undefined) {
  const f = await loadTemplateVersion(sql, actor.tenant, templateId, version);
  if (!f || !f.visible) throw notFound('TEMPLATE_NOT_FOUND', `no template ${templateId}`);
  if (!f.spec) {
    if (version) throw notFound('VERSION_NOT_FOUND', `${templateId} has no version ${version}`);
    throw conflict('NOT_PUBLISHED', `${templateId} has no published version offered to your tenant`);
  }
  if (!f.versionVisible) throw notFound('VERSION_NOT_FOUND', `${templateId} has no version ${f.version}`);
  return f;
}

/** The lifecycle's request for the dry-run's body, with a run's instance resolved in the actor's tenant. */
async function guardrailRequest(sql: Sql, actor: Actor, body: DryRunRequest): Promise<{ req: GuardrailRequest; instance?: { policies: { approvalsPerRun?: number } } }> {
  switch (body.operation) {
    case 'publish':
      return { req: { operation: 'publish', actor, definitionId: body.definitionId, version: body.version, ...(body.visibility ? { visibility: body.visibility } : {}) } };
    case 'install':
      await visibleTemplate(sql, actor, body.templateId, body.version);
      return {
        req: {
          operation: 'install',
          actor,
          templateId: body.templateId,
          environment: body.environment,
          ...(body.version ? { version: body.version } : {}),
          ...(body.region ? { region: body.region } : {}),
          ...(body.parameters ? { parameters: body.parameters } : {}),
        },
      };
    case 'upgrade': {
      const [inst] = await sql<{ template_id: string }[]>`
        select template_id from workflow_instance where id = ${body.instanceId} and tenant_id = ${actor.tenant}`;
      if (!inst) throw notFound('INSTANCE_NOT_FOUND', `instance "${body.instanceId}" does not exist`);
      await visibleTemplate(sql, actor, inst.template_id, body.toVersion);
      return { req: { operation: 'upgrade', actor, instanceId: body.instanceId, toVersion: body.toVersion, ...(body.parameters ? { parameters: body.parameters } : {}) } };
    }
    case 'run': {
      if (body.instanceId) {
        const [inst] = await sql<{ definition_id: string; version: string; policies: { approvalsPerRun?: number } }[]>`
          select definition_id, version, policies from workflow_instance where id = ${body.instanceId} and tenant_id = ${actor.tenant} and status = 'active'`;
        if (!inst) throw notFound('INSTANCE_NOT_FOUND', `instance "${body.instanceId}" does not exist`);
        if ((body.definitionId && body.definitionId !== inst.definition_id) || (body.version && body.version !== inst.version)) {
          throw notFound('INSTANCE_NOT_FOUND', `instance "${body.instanceId}" does not run ${body.definitionId ?? inst.definition_id}@${body.version ?? inst.version}`);
        }
        return { req: { operation: 'run', actor, definitionId: inst.definition_id, version: inst.version, instanceId: body.instanceId }, instance: { policies: inst.policies ?? {} } };
      }
      if (!body.definitionId || !body.version) throw inputError('RUN_TARGET_REQUIRED', 'a run names an instanceId, or a definitionId and version');
      // the builder reads any version: only one the tenant may see is answered
      const [v] = await sql<{ ok: boolean }[]>`
        select true as ok from workflow_version v join workflow_definition d on d.id = v.definition_id
        where v.definition_id = ${body.definitionId} and v.version = ${body.version} and ${visibleVersionSql(sql, actor.tenant, 'v', 'd')}`;
      if (!v) throw notFound('VERSION_NOT_FOUND', `${body.definitionId}@${body.version} does not exist`);
      return { req: { operation: 'run', actor, definitionId: body.definitionId, version: body.version } };
    }
  }
}

async function specOf(sql: Sql, definitionId: string, version: string): Promise<SpecV1 | undefined> {
  const [row] = await sql<{ spec: SpecV1 }[]>`select spec from workflow_version where definition_id = ${definitionId} and version = ${version}`;
  return row?.spec;
}

/** The approvals the real lifecycle would wait for, and its own policy checks as rules. */
async function lifecycleChecks(
  sql: Sql,
  policy: PolicyEngine,
  actor: Actor,
  body: DryRunRequest,
  input: GuardrailInput,
  instance?: { policies: { approvalsPerRun?: number } },
): Promise<{ rules: DryRunRule[]; approvals: z.infer<typeof Approvals> }> {
  const s = input.subject;
  switch (body.operation) {
    case 'publish': {
      const spec = await specOf(sql, s.definition_id, s.version);
      const m = spec!.metadata;
      const d = policy.publishDecision({
        actor: { sub: actor.sub, tenant: actor.tenant, roles: actor.roles, ...(actor.team ? { team: actor.team } : {}) },
        definition: { id: s.definition_id, tenant: s.owner_tenant, risk: m.risk, scope: m.scope, category: m.category, visibility: body.visibility ?? defaultVisibility(m.scope) },
      });
      return {
        rules: [lifecycleRule('publish.base', 'Publish policy', 'policies/publish.rego: who may publish, at which visibility', 'publish as an author or publisher of the owning tenant; a marketplace visibility needs the publisher role', d.deny)],
        approvals: { required: d.requiredApprovals, reasons: d.reviewReasons, review: isMarketplace(d.visibility) },
      };
    }
    case 'install': {
      const f = await loadTemplateVersion(sql, actor.tenant, body.templateId, s.version);
      if (!f) throw notFound('TEMPLATE_NOT_FOUND', `no template ${body.templateId}`);
      const req = { environment: body.environment, ...(body.region ? { region: body.region } : {}) };
      const d = decideInstall(policy, actor, actor.tenant, f, req);
      const cert = await currentCertification(sql, f.definitionId, f.version);
      const [setting] = await sql<{ require_certification: 'off' | 'elevated-risk' | 'always' }[]>`
        select require_certification from tenant_setting where tenant_id = ${actor.tenant}`;
      const c = policy.installCertification({
        ...installPolicyInput(actor, actor.tenant, f, req),
        settings: { require_certification: setting?.require_certification ?? 'off' },
        certification: { status: cert.status },
      });
      return {
        rules: [
          lifecycleRule('install.base', 'Install policy', 'policies/install.rego: who may install what, where', 'install as a tenant admin, into an environment and region the template offers', d.deny),
          lifecycleRule('install.certification', 'Required certification', "policies/install.rego certification: your tenant's require_certification setting", 'install a certified version, or ask a platform certifier to certify this one', c.allow ? [] : c.deny),
        ],
        approvals: { required: d.approvalsRequired, reasons: d.reasons, certification: { required: c.required, status: cert.status, allow: c.allow } },
      };
    }
    case 'upgrade': {
      const [from, to] = await Promise.all([specOf(sql, s.definition_id, input.from!.version), specOf(sql, s.definition_id, s.version)]);
      const kind = classifyUpgrade(from!, to!).kind;
      const a = upgradeApproval(kind, s.risk, actor, input.tenant, false, input.target?.environment);
      return { rules: [], approvals: { required: a.count, reasons: a.reasons } };
    }
    case 'run': {
      const spec = await specOf(sql, s.definition_id, s.version);
      const steps = approvalRequirements(spec!);
      const perRun = instance?.policies.approvalsPerRun ?? 0;
      const reasons = [
        ...steps.map((st) => `step "${st.stepId}" waits for ${st.count} approval(s) by ${[...st.roles, ...st.users].join(', ') || 'an approver'}`),
        ...(perRun ? [`the instance requires ${perRun} approval(s) by tenant admins before every run`] : []),
      ];
      return { rules: [], approvals: { required: steps.reduce((n, st) => n + st.count, 0) + perRun, reasons, steps, ...(instance ? { perRun } : {}) } };
    }
  }
}

export async function policyDryRun(sql: Sql, policy: PolicyEngine, actor: Actor, body: DryRunRequest, now = new Date()) {
  const { req, instance } = await guardrailRequest(sql, actor, body);
  let input = await buildGuardrailInput(sql, req, { now });
  if (body.assume) input = withAssumedSettings(input, body.assume.settings, now);
  const decision = decideGuardrails(policy, input);
  const base = await lifecycleChecks(sql, policy, actor, body, input, instance);
  const guardrailRules = decision.rules.map((r: RuleResult) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    enforcement: r.enforcement,
    result: r.result,
    reasons: r.reasons,
    fix: r.fix,
    override_roles: r.override_roles,
    source: 'guardrails' as const,
  }));
  const rules: DryRunRule[] = [...base.rules, ...guardrailRules];
  const denying = rules.filter((r) => r.result === 'hard-deny').map((r) => r.id);
  const held = rules.filter((r) => r.result === 'soft-deny').map((r) => r.id);
  return {
    operation: body.operation,
    profile: decision.profile,
    outcome: denying.length ? ('deny' as const) : held.length ? ('hold' as const) : ('allow' as const),
    rules,
    denying,
    held,
    advisories: rules.filter((r) => r.result === 'advisory').map((r) => r.id),
    overrideRoles: decision.override_roles,
    approvals: base.approvals,
    subject: { definitionId: input.subject.definition_id, version: input.subject.version, risk: input.subject.risk },
    assumed: !!body.assume,
    inputDigest: decision.input_digest,
  };
}

/** One input per operation that selects the marketplace profile (which includes the local rules): every rule answers. */
function catalogInput(operation: PolicyOperation): GuardrailInput {
  return {
    operation,
    tenant: 'catalog',
    actor: { sub: 'catalog', tenant: 'catalog', roles: [] },
    subject: {
      definition_id: 'other.catalog',
      version: '1.0.0',
      owner_tenant: operation === 'publish' ? 'catalog' : 'other',
      risk: 'low',
      visibility: 'public-ecosystem',
      visible: true,
      certification: null,
      steps: [],
      endpoints: [],
    },
    ...(operation === 'upgrade' ? { from: { version: '0.9.0', risk: 'low' as const } } : {}),
    target: { environment: 'dev' },
    settings: { egress_allow: [], region: null, max_external_risk: null, critical_runs_per_day: null, business_hours: null },
    ...(operation === 'run' ? { usage: { critical_runs_today: 0 }, clock: { weekday: 'Mon', hour: 12, minute: 0, timezone: 'UTC' } } : {}),
  };
}

export function ruleCatalog(policy: PolicyEngine) {
  const rules = new Map<string, z.infer<typeof CatalogRule>>();
  for (const op of POLICY_OPERATIONS) {
    for (const r of decideGuardrails(policy, catalogInput(op)).rules) {
      if (rules.has(r.id)) continue;
      rules.set(r.id, {
        id: r.id,
        title: r.title,
        description: r.description,
        enforcement: r.enforcement,
        operations: r.operations,
        fix: r.fix,
        override_roles: r.override_roles,
        profile: r.id.startsWith('marketplace.') ? 'marketplace_workflow' : 'local_workflow',
      });
    }
  }
  return [...rules.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function policyRoutes(deps: ApiDeps) {
  const { sql, config } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const policy = () => loadPolicyEngine(config.POLICY_DIR);

  app.openapi(dryRun, async (c) => c.json(await policyDryRun(sql, await policy(), c.get('actor'), c.req.valid('json')), 200));
  app.openapi(rulesRoute, async (c) => c.json({ items: ruleCatalog(await policy()) }, 200));
  return app;
}

