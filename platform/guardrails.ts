/**
 * The guardrails' input gathered from Postgres, one builder per operation, and the
 * decision of policies/guardrails.rego on it. The lifecycles evaluate it in an activity
 * (activities/guardrails.ts: the decision and its input digest are in history) and
 * POST /api/policy/dry-run evaluates the very same builder without side effects, so a
 * dry-run answers what the lifecycle would decide at that moment.
 */
import type { Sql } from './db.ts';
import type { PolicyEngine } from './opa.ts';
export type { GuardrailRequest } from '../domain/policy-profiles.ts';
import { manifestsFor } from './registry.ts';
import { currentCertification } from './version-trust.ts';
import { loadTemplateVersion } from './install-check.ts';
import { contentDigest } from './digest.ts';
import type { Actor } from '../domain/actor.ts';
import type { Risk } from '../domain/spec.ts';
import { RISKS } from '../domain/spec.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { defaultVisibility } from '../domain/access.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { clockIn, endpointFacts, stepFacts } from '../domain/policy-facts.ts';
import {
  type BusinessHours,
  type GuardrailDecision,
  type GuardrailInput,
  type GuardrailRequest,
  type PolicyOverride,
  type StepFacts,
} from '../domain/policy-profiles.ts';

/** A tenant's settings as the guardrails read them (tenant_setting; no row: the defaults). */
export interface GuardrailSettings {
  egress_allow: string[];
  region: string | null;
  max_external_risk: Risk | null;
  critical_runs_per_day: number | null;
  business_hours: BusinessHours | null;
  endpoint_regions: Record<string, string>;
}

export async function guardrailSettings(sql: Sql, tenant: string): Promise<GuardrailSettings> {
  const [row] = await sql<
    {
      egress_allow: string[];
      region: string | null;
      max_external_risk: string | null;
      critical_runs_per_day: number | null;
      business_hours: BusinessHours | null;
      endpoint_regions: Record<string, string> | null;
    }[]
  >`select egress_allow, region, max_external_risk, critical_runs_per_day, business_hours, endpoint_regions
    from tenant_setting where tenant_id = ${tenant}`;
  return {
    egress_allow: row?.egress_allow ?? [],
    region: row?.region ?? null,
    max_external_risk: row?.max_external_risk && (RISKS as readonly string[]).includes(row.max_external_risk) ? (row.max_external_risk as Risk) : null,
    critical_runs_per_day: row?.critical_runs_per_day ?? null,
    business_hours: row?.business_hours ?? null,
    endpoint_regions: row?.endpoint_regions ?? {},
  };
}

async function stepsOf(sql: Sql, spec: SpecV1): Promise<StepFacts[]> {
  const refs = [...new Set(collectTasks(spec))];
  const manifests = await manifestsFor(sql, refs);
  return stepFacts(spec, manifests);
}

function collectTasks(spec: SpecV1): string[] {
  const out: string[] = [];
  const walk = (steps: SpecV1['steps']) => {
    for (const s of steps) {
      if ('parallel' in s && Array.isArray(s.parallel)) walk(s.parallel);
      else if ('task' in s) out.push(s.task);
    }
  };
  walk(spec.steps);
  return out;
}

const actorOf = (a: Actor) => ({ sub: a.sub, tenant: a.tenant, roles: [...a.roles] });

const settingsInput = (s: GuardrailSettings): GuardrailInput['settings'] => ({
  egress_allow: s.egress_allow,
  region: s.region,
  max_external_risk: s.max_external_risk,
  critical_runs_per_day: s.critical_runs_per_day,
  business_hours: s.business_hours,
});

/** The version of a template the tenant would install (`version` absent: the newest it may see). */
async function templateVersion(sql: Sql, tenant: string, templateId: string, version?: string, lifecycle = false) {
  const f = await loadTemplateVersion(sql, tenant, templateId, version);
  if (!f) throw notFound('TEMPLATE_NOT_FOUND', `template "${templateId}" does not exist`);
  // an invisible template answers as missing, never with its content — except to a lifecycle
  // that already holds the exact version (withdrawn from the tenant while it waited): there
  // marketplace.offered-to-tenant denies it, in the tenant's own history
  if (!f.spec || (!f.visible && f.ownerTenant !== tenant && !(lifecycle && version))) {
    if (!f.visible) throw notFound('TEMPLATE_NOT_FOUND', `template "${templateId}" does not exist`);
    throw notFound('VERSION_NOT_FOUND', `template "${templateId}" has no version ${f.version || '(published)'}`);
  }
  return { facts: f, spec: f.spec, visible: f.visible && f.versionVisible && f.versionStatus === 'published' };
}

/** What install and upgrade both tell the policy of the template version a tenant would get. */
async function marketplaceSubject(sql: Sql, tenant: string, templateId: string, version: string | undefined, parameters: Record<string, unknown>, lifecycle?: boolean) {
  const { facts: f, spec, visible } = await templateVersion(sql, tenant, templateId, version, lifecycle);
  const settings = await guardrailSettings(sql, tenant);
  const steps = await stepsOf(sql, spec);
  const cert = await currentCertification(sql, f.definitionId, f.version);
  const subject = {
    definition_id: f.definitionId,
    template_id: f.templateId,
    version: f.version,
    owner_tenant: f.ownerTenant,
    risk: spec.metadata.risk,
    visibility: f.visibility,
    visible: visible || f.ownerTenant === tenant,
    certification: cert.status === 'none' ? null : cert.status,
    steps,
    endpoints: endpointFacts(spec, steps, parameters, settings.endpoint_regions),
  };
  return { subject, settings: settingsInput(settings) };
}

/** The guardrails' input for a request, gathered as its lifecycle gathers it. */
export async function buildGuardrailInput(
  sql: Sql,
  req: GuardrailRequest,
  opts: { now?: Date; overrides?: PolicyOverride[]; /** a lifecycle asks (not a dry-run): see templateVersion */ lifecycle?: boolean } = {},
): Promise<GuardrailInput> {
  const overrides = (opts.overrides ?? []).map((o) => ({ rule: o.rule, actor: { sub: o.actor.sub, tenant: o.actor.tenant, roles: [...o.actor.roles] }, rationale: o.rationale }));
  const base = { actor: actorOf(req.actor), ...(overrides.length ? { overrides } : {}) };
  switch (req.operation) {
    case 'publish': {
      const [row] = await sql<{ spec: SpecV1; tenant_id: string }[]>`
        select spec, tenant_id from workflow_version where definition_id = ${req.definitionId} and version = ${req.version}`;
      if (!row) throw notFound('VERSION_NOT_FOUND', `${req.definitionId}@${req.version} does not exist`);
      if (row.tenant_id !== req.actor.tenant) throw notFound('VERSION_NOT_FOUND', `${req.definitionId}@${req.version} does not exist`);
      const settings = await guardrailSettings(sql, row.tenant_id);
      const spec = row.spec;
      return {
        operation: 'publish',
        tenant: row.tenant_id,
        ...base,
        subject: {
          definition_id: req.definitionId,
          version: req.version,
          owner_tenant: row.tenant_id,
          risk: spec.metadata.risk,
          visibility: req.visibility ?? defaultVisibility(spec.metadata.scope),
          visible: true,
          certification: null,
          steps: await stepsOf(sql, spec),
          endpoints: [],
        },
        settings: settingsInput(settings),
      };
    }
    case 'install': {
      const tenant = req.actor.tenant;
      const { subject, settings } = await marketplaceSubject(sql, tenant, req.templateId, req.version, req.parameters ?? {}, opts.lifecycle);
      return {
        operation: 'install',
        tenant,
        ...base,
        subject,
        target: { environment: req.environment, ...(req.region ? { region: req.region } : {}) },
        settings,
      };
    }
    case 'upgrade': {
      const tenant = req.tenantId ?? req.actor.tenant;
      const [inst] = await sql<{ template_id: string; definition_id: string; version: string; environment: string; region: string | null; parameters: Record<string, unknown>; from_spec: SpecV1 }[]>`
        select i.template_id, i.definition_id, i.version, i.environment, i.region, i.parameters, v.spec as from_spec
        from workflow_instance i join workflow_version v on v.definition_id = i.definition_id and v.version = i.version
        where i.id = ${req.instanceId} and i.tenant_id = ${tenant}`;
      if (!inst) throw notFound('INSTANCE_NOT_FOUND', `instance "${req.instanceId}" does not exist`);
      const { subject, settings } = await marketplaceSubject(sql, tenant, inst.template_id, req.toVersion, { ...inst.parameters, ...(req.parameters ?? {}) }, opts.lifecycle);
      return {
        operation: 'upgrade',
        tenant,
        ...base,
        subject,
        from: { version: inst.version, risk: inst.from_spec.metadata.risk },
        target: { environment: inst.environment, ...(inst.region ? { region: inst.region } : {}) },
        settings,
      };
    }
    case 'run': {
      const tenant = req.tenantId ?? req.actor.tenant;
      const [row] = await sql<{ spec: SpecV1; owner_tenant: string; visibility: string | null }[]>`
        select v.spec, v.tenant_id as owner_tenant, t.visibility
        from workflow_version v left join workflow_template t on t.definition_id = v.definition_id
        where v.definition_id = ${req.definitionId} and v.version = ${req.version}`;
      if (!row) throw notFound('VERSION_NOT_FOUND', `${req.definitionId}@${req.version} does not exist`);
      const settings = await guardrailSettings(sql, tenant);
      const risk = row.spec.metadata.risk;
      const [usage] =
        risk === 'critical'
          ? await sql<{ n: number }[]>`
              select count(*)::int as n from run r join workflow_version v on v.definition_id = r.definition_id and v.version = r.version
              where r.tenant_id = ${tenant} and r.mode = 'live' and r.id <> ${req.runId ?? ''} and r.started_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'
                and v.spec->'metadata'->>'risk' = 'critical'`
          : [{ n: 0 }];
      const hours = settings.business_hours;
      return {
        operation: 'run',
        tenant,
        ...base,
        subject: {
          definition_id: req.definitionId,
          ...(req.instanceId ? { template_id: req.instanceId } : {}),
          version: req.version,
          owner_tenant: row.owner_tenant,
          risk,
          visibility: row.visibility ?? 'internal-only',
          visible: true,
          certification: null,
          steps: await stepsOf(sql, row.spec),
          endpoints: [],
        },
        settings: settingsInput(settings),
        usage: { critical_runs_today: usage?.n ?? 0 },
        clock: clockIn(opts.now ?? new Date(), hours?.timezone ?? 'UTC'),
      };
    }
  }
}

/** guardrails/decision on an input, with the input's digest. */
export function decideGuardrails(policy: PolicyEngine, input: GuardrailInput): GuardrailDecision {
  const d = policy.evaluate<Omit<GuardrailDecision, 'input_digest'>>('guardrails/decision', input);
  if (d.outcome === 'invalid') throw new DomainError('input', 'POLICY_OPERATION_UNKNOWN', `no guardrails for operation "${String(input.operation).slice(0, 40)}"`);
  return { ...d, input_digest: contentDigest(input) };
}

/** Gathers and decides in one call (activities and the dry-run). */
export async function guardrailDecision(sql: Sql, policy: PolicyEngine, req: GuardrailRequest, opts: { now?: Date; overrides?: PolicyOverride[]; lifecycle?: boolean } = {}) {
  const input = await buildGuardrailInput(sql, req, opts);
  return { input, decision: decideGuardrails(policy, input) };
}
