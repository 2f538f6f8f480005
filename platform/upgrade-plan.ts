/**
 * The upgrade planner in one place: the instance (its tenant's only), its version and the
 * target version (by the one visibility rule), the computed change kind, the target's
 * migration of the instance's own bindings (evaluated in the expression sandbox: tenant
 * code), the request's bindings laid over the result, and the install checks of those
 * bindings (secrets present in the tenant's store, parameters against the new schema,
 * endpoints against the tenant's egress allow-list and ports). The upgrade lifecycle runs it
 * in an activity (so the plan is in history); POST /instances/{id}/upgrade-check runs the
 * same as a preview, without side effects.
 */
import type { Sql } from './db.ts';
import type { PolicyEngine } from './opa.ts';
import type { ExpressionSandbox } from './expression-sandbox.ts';
import { SandboxUnavailableError } from './expression-sandbox.ts';
import { checkInstallBindings, installPolicyInput, loadTemplateVersion, type TemplateVersionFacts } from './install-check.ts';
import { verifyVersionForInstall, verifyVersionSigned, type HistorySource } from './version-trust.ts';
import type { Actor } from '../domain/actor.ts';
import { conflict, inputError, notFound, type ErrorDetail } from '../domain/errors.ts';
import { EXPRESSION_LIMITS } from '../domain/expressions.ts';
import type { InstancePolicies, InstanceQuotas, InstanceStatus } from '../domain/install.ts';
import { INSTALL_LIMITS } from '../domain/install.ts';
import type { Environment } from '../domain/marketplace.ts';
import { shapeProblem } from '../domain/input-shape.ts';
import { compareSemver, isSemver } from '../domain/semver.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import {
  UPGRADE_CODES,
  UPGRADE_LIMITS,
  bindingChanges,
  carriedBindings,
  classifyUpgrade,
  effectiveWatch,
  migrationApplies,
  migrationOutput,
  stepChanges,
  upgradeApproval,
  type UpgradePlan,
  type UpgradePolicy,
} from '../domain/upgrade.ts';

/** The instance as the planner (and the read model) needs it. */
export interface UpgradeInstance {
  id: string;
  tenantId: string;
  templateId: string;
  definitionId: string;
  version: string;
  digest: string;
  environment: Environment;
  region: string | null;
  status: InstanceStatus;
  parameters: Record<string, unknown>;
  secretBindings: Record<string, string>;
  policies: InstancePolicies;
  quotas: InstanceQuotas;
  upgradePolicy: UpgradePolicy;
  spec: SpecV1;
}

export async function loadUpgradeInstance(sql: Sql, tenant: string, instanceId: string): Promise<UpgradeInstance> {
  const [r] = await sql<
    {
      id: string;
      tenant_id: string;
      template_id: string;
      definition_id: string;
      version: string;
      digest: string;
      environment: Environment;
      region: string | null;
      status: InstanceStatus;
      parameters: Record<string, unknown>;
      secret_bindings: Record<string, string>;
      policies: InstancePolicies;
      quotas: InstanceQuotas;
      upgrade_policy: UpgradePolicy;
      spec: SpecV1;
    }[]
  >`
    select i.id, i.tenant_id, i.template_id, i.definition_id, i.version, i.digest, i.environment, i.region, i.status, i.parameters,
           i.secret_bindings, i.policies, i.quotas, i.upgrade_policy, v.spec
    from workflow_instance i join workflow_version v on v.definition_id = i.definition_id and v.version = i.version
    where i.id = ${instanceId}`;
  // another tenant's instance is as absent as one that does not exist
  if (!r || r.tenant_id !== tenant) throw notFound('INSTANCE_NOT_FOUND', `no instance ${instanceId} in your tenant`);
  return {
    id: r.id,
    tenantId: r.tenant_id,
    templateId: r.template_id,
    definitionId: r.definition_id,
    version: r.version,
    digest: r.digest,
    environment: r.environment,
    region: r.region,
    status: r.status,
    parameters: r.parameters,
    secretBindings: r.secret_bindings,
    policies: r.policies,
    quotas: r.quotas,
    upgradePolicy: r.upgrade_policy,
    spec: r.spec,
  };
}

/**
 * The target version as the instance's tenant may see it: `version` absent, the newest
 * published one. Not visible is as absent as not existing; not newer is UPGRADE_NOT_NEWER.
 */
export async function loadUpgradeTarget(sql: Sql, inst: UpgradeInstance, version?: string): Promise<TemplateVersionFacts & { spec: SpecV1 }> {
  if (version !== undefined && !isSemver(version)) throw inputError('VERSION_INVALID', `"${String(version).slice(0, 100)}" is not a semantic version`);
  const f = await loadTemplateVersion(sql, inst.tenantId, inst.templateId, version);
  if (!f || !f.visible) throw notFound('TEMPLATE_NOT_FOUND', `no template ${inst.templateId}`);
  if (!f.spec || !f.versionVisible || f.versionStatus !== 'published') {
    if (version === undefined) throw inputError(UPGRADE_CODES.notNewer, `${inst.templateId} has no published version newer than ${inst.version} offered to your tenant`);
    throw notFound('VERSION_NOT_FOUND', `${inst.templateId} has no published version ${version}`);
  }
  if (compareSemver(f.version, inst.version) <= 0) {
    throw inputError(UPGRADE_CODES.notNewer, `instance ${inst.id} is on ${inst.version}: ${f.version} is not newer`);
  }
  return f as TemplateVersionFacts & { spec: SpecV1 };
}

export interface PlanRequest {
  toVersion?: string;
  parameters?: Record<string, unknown>;
  secrets?: Record<string, string>;
  requestedBy: Actor;
  campaignId?: string;
  watchOverride?: string;
}

export interface PlannedUpgrade {
  plan: UpgradePlan;
  instance: UpgradeInstance;
  fromDigest: string;
  toDigest: string;
}

/** The request's own bindings are hostile input: bounded (depth, values, bytes) before anything reads them. */
export function checkSuppliedBindings(given: { parameters?: Record<string, unknown> }): void {
  const shape = shapeProblem(given.parameters ?? {}, INSTALL_LIMITS.parameters, '/parameters');
  if (shape) throw inputError('PARAMS_INVALID', `${shape.path}: ${shape.message}`, [{ path: shape.path, message: shape.message, code: shape.code }]);
  if (JSON.stringify(given.parameters ?? {}).length > INSTALL_LIMITS.parametersBytes) {
    throw inputError('PARAMETERS_TOO_LARGE', `the parameters are larger than ${INSTALL_LIMITS.parametersBytes} bytes as JSON`);
  }
}

/** The migration, evaluated in the sandbox; problems (MIGRATION_FAILED) instead of a throw when it is the expression's fault. */
export async function runMigration(
  sandbox: ExpressionSandbox,
  tenant: string,
  expression: string,
  input: { parameters: Record<string, unknown>; secrets: Record<string, string>; from: string },
): Promise<{ parameters: Record<string, unknown>; secrets?: Record<string, string> } | { problems: ErrorDetail[] }> {
  // a grace period past the expression's own limit: the evaluator is killed after it
  const outcome = await sandbox.run({ op: 'migrate', expression, input }, EXPRESSION_LIMITS.engine.timeout + 1_000, tenant);
  if (!outcome.ok) return { problems: [{ path: '/upgrade/migration/expression', message: `${outcome.code}: ${outcome.message}`, code: UPGRADE_CODES.migrationFailed }] };
  const out = migrationOutput(outcome.value);
  if ('problems' in out) return out;
  const shape = shapeProblem(out.parameters, INSTALL_LIMITS.parameters, '/parameters');
  if (shape) return { problems: [{ path: shape.path, message: `the migration's parameters: ${shape.message}`, code: UPGRADE_CODES.migrationFailed }] };
  return out;
}

/**
 * Plans an upgrade of the instance. Refusals (no such instance, version not newer, not
 * visible) throw domain errors; what a plan can say (missing bindings, invalid bindings, a
 * failed migration) is in the plan. A saturated sandbox throws SandboxUnavailableError: retry.
 */
export async function planUpgrade(sql: Sql, policy: PolicyEngine, sandbox: ExpressionSandbox, tenant: string, instanceId: string, req: PlanRequest, history?: HistorySource): Promise<PlannedUpgrade> {
  const inst = await loadUpgradeInstance(sql, tenant, instanceId);
  if (inst.status !== 'active') throw conflict(UPGRADE_CODES.instanceNotActive, `instance ${inst.id} is ${inst.status}: it cannot be upgraded`);
  const target = await loadUpgradeTarget(sql, inst, req.toVersion);
  // the target is verified as an install of it would be (signature, publish receipt, review, certification)
  await verifyVersionForInstall(sql, policy, tenant, target.definitionId, target.version, installPolicyInput(req.requestedBy, tenant, target, { environment: inst.environment, ...(inst.region ? { region: inst.region } : {}) }), history);
  const next = target.spec;
  const classification = classifyUpgrade(inst.spec, next);

  const given = { parameters: req.parameters ?? {}, secrets: req.secrets ?? {} };
  checkSuppliedBindings(given);

  const declared = !!next.upgrade?.migration;
  const applies = migrationApplies(next, inst.version);
  let migrated = carriedBindings(next, inst.parameters, inst.secretBindings);
  const migrationProblems: ErrorDetail[] = [];
  if (applies) {
    const out = await runMigration(sandbox, tenant, next.upgrade!.migration!.expression, { parameters: inst.parameters, secrets: inst.secretBindings, from: inst.version });
    if ('problems' in out) migrationProblems.push(...out.problems);
    else migrated = { parameters: out.parameters, secrets: out.secrets ?? migrated.secrets };
  }
  const parameters = { ...migrated.parameters, ...given.parameters };
  const secrets = { ...migrated.secrets, ...given.secrets };

  const report = await checkInstallBindings(sql, policy, tenant, target, {
    environment: inst.environment,
    ...(inst.region ? { region: inst.region } : {}),
    parameters,
    secrets,
    policies: inst.policies,
    quotas: inst.quotas,
  });
  const approval = upgradeApproval(classification.kind, target.risk, req.requestedBy, tenant, !!req.campaignId, inst.environment);
  const smoke = next.upgrade?.smoke;
  const watch = effectiveWatch(next, req.watchOverride);
  const plan: UpgradePlan = {
    instanceId: inst.id,
    templateId: inst.templateId,
    definitionId: inst.definitionId,
    fromVersion: inst.version,
    toVersion: target.version,
    changeKind: classification.kind,
    reasons: classification.reasons,
    risk: target.risk,
    parameters: bindingChanges(inst.parameters, parameters),
    secrets: bindingChanges(inst.secretBindings, report.secretBindings),
    steps: stepChanges(inst.spec, next),
    migration: { declared, applied: applies && migrationProblems.length === 0, problems: migrationProblems },
    missing: report.missing,
    problems: [...migrationProblems, ...report.problems],
    approval,
    ...(smoke ? { smoke: { mode: smoke.mode ?? 'run', timeout: smoke.timeout ?? UPGRADE_LIMITS.smokeTimeout, ...(smoke.parameters ? { parameters: smoke.parameters } : {}) } } : {}),
    ...(watch ? { watch } : {}),
    next: { parameters, secrets: report.secretBindings },
  };
  return { plan, instance: inst, fromDigest: inst.digest, toDigest: target.digest };
}

/**
 * The target's stored spec still hashes to its published digest, and its signature verifies
 * with its publisher's key among the tenant's trust roots (platform/version-trust.ts).
 */
export async function verifyTargetDigest(sql: Sql, tenant: string, definitionId: string, version: string): Promise<string> {
  return (await verifyVersionSigned(sql, tenant, definitionId, version)).digest;
}

export { SandboxUnavailableError };
