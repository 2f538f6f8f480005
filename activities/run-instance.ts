import type { Sql } from '../platform/db.ts';
import { contentDigest } from '../platform/digest.ts';
import { secretRef } from '../platform/secrets.ts';
import { conflict, inputError, notAllowed, notFound } from '../domain/errors.ts';
import { walkSteps, type SpecV1, type Step } from '../domain/spec-types.ts';
import { lockedParameters, mayRunInstance, type InstancePolicies } from '../domain/install.ts';
import { templateBindings } from '../domain/marketplace.ts';
import type { RunInput } from '../domain/run.ts';

/** What a run takes from its instance. */
export interface RunInstance {
  id: string;
  tenantId: string;
  definitionId: string;
  version: string;
  digest: string;
  status: string;
  parameters: Record<string, unknown>;
  secretBindings: Record<string, string>;
  policies: InstancePolicies;
}

/** The approval task the engine runs for an instance's `approvalsPerRun`. */
export const INSTANCE_APPROVAL_TASK = 'approval@1.0.0';
export const INSTANCE_APPROVAL_STEP = 'instanceApproval';

/**
 * The instance of a run, checked: the run's own tenant's, active, of the run's definition
 * and version, and still the content it was installed with (digest of the stored spec).
 * Another tenant's instance is as absent as one that does not exist.
 */
export async function loadRunInstance(sql: Sql, input: RunInput, version: { spec: SpecV1; digest: string }): Promise<RunInstance> {
  const [row] = await sql<{ id: string; tenant_id: string; definition_id: string; version: string; digest: string; status: string; parameters: Record<string, unknown>; secret_bindings: Record<string, string>; policies: InstancePolicies }[]>`
    select id, tenant_id, definition_id, version, digest, status, parameters, secret_bindings, policies
    from workflow_instance where id = ${input.instanceId!}`;
  if (!row || row.tenant_id !== input.tenantId) throw notFound('INSTANCE_NOT_FOUND', `no instance ${input.instanceId} in tenant "${input.tenantId}"`);
  if (row.status !== 'active') throw conflict(row.status === 'disabled' ? 'INSTANCE_DISABLED' : 'INSTANCE_NOT_ACTIVE', `instance ${row.id} is ${row.status}: it takes no runs`);
  if (row.definition_id !== input.definitionId || row.version !== input.version) {
    throw conflict('INSTANCE_VERSION_MISMATCH', `instance ${row.id} runs ${row.definition_id}@${row.version}, not ${input.definitionId}@${input.version}`);
  }
  if (version.digest !== row.digest || contentDigest(version.spec) !== row.digest) {
    throw inputError('DIGEST_MISMATCH', `the stored spec of ${row.definition_id}@${row.version} does not match the digest instance ${row.id} was installed with`);
  }
  if (!mayRunInstance(input.startedBy, row.policies)) {
    throw notAllowed('RUN_NOT_ALLOWED', `instance ${row.id} may be run by the roles ${row.policies.runRoles!.join(', ')} only`);
  }
  return {
    id: row.id,
    tenantId: row.tenant_id,
    definitionId: row.definition_id,
    version: row.version,
    digest: row.digest,
    status: row.status,
    parameters: row.parameters,
    secretBindings: row.secret_bindings,
    policies: row.policies,
  };
}

/**
 * The parameters of a run from an instance: the instance's bindings, overlaid by the
 * runner's. Endpoints stay as installed (they passed the tenant's egress check then):
 * overriding one is PARAMETER_LOCKED.
 */
export function instanceParams(spec: SpecV1, instance: RunInstance, given: Record<string, unknown>): Record<string, unknown> {
  const locked = lockedParameters(templateBindings(spec)).filter((name) => name in given);
  if (locked.length) {
    throw inputError(
      'PARAMETER_LOCKED',
      `the endpoint parameters ${locked.join(', ')} are bound by the instance and cannot be overridden by a run`,
      locked.map((name) => ({ path: `/params/${name}`, message: 'bound at install: an endpoint cannot be overridden', code: 'PARAMETER_LOCKED' })),
    );
  }
  return { ...instance.parameters, ...given };
}

/** `secrets.<name>`: each secret the spec declares, as the installing tenant bound it. */
export const instanceSecrets = (spec: SpecV1, instance: RunInstance): Record<string, string> =>
  Object.fromEntries((spec.secrets ?? []).map((s) => [s.name, secretRef(instance.tenantId, instance.secretBindings[s.name] ?? s.name)]));

/**
 * The instance's `approvalsPerRun`, enforced by the engine itself: an approval step before
 * the spec's first, decided by tenant admins of the instance's tenant (never the run's
 * starter: the engine refuses self-approval). It is part of the plan, so it is recorded in
 * the run's history and needs no change to the run workflow.
 */
export function withInstanceApprovals(spec: SpecV1, instance: RunInstance): SpecV1 {
  const count = instance.policies.approvalsPerRun ?? 0;
  if (count < 1) return spec;
  const ids = new Set(walkSteps(spec.steps).map((s) => s.step.id));
  let id = INSTANCE_APPROVAL_STEP;
  for (let n = 2; ids.has(id); n++) id = `${INSTANCE_APPROVAL_STEP}${n}`;
  const step: Step = {
    id,
    name: 'Instance approval',
    task: INSTANCE_APPROVAL_TASK,
    with: {
      message: `Instance ${instance.id} requires ${count} approval${count > 1 ? 's' : ''} by a tenant admin before each run`,
      approvers: { roles: ['tenant-admin'] },
      count,
    },
  };
  return { ...spec, steps: [step, ...spec.steps] };
}
