import { OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { conflict, inputError, notAllowed, notFound } from '../../domain/errors.ts';
import { ENVIRONMENTS, templateBindings, type Environment } from '../../domain/marketplace.ts';
import { INSTANCE_ID, lockedParameters, mayRunInstance, type InstanceStatus, type InstancePolicies, type InstanceQuotas } from '../../domain/install.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';
import { workflowIds } from '../../domain/ids.ts';
import { applyDefaults, type RunInput } from '../../domain/run.ts';
import { compileTenantSchema, schemaIssues } from '../../domain/schema-validator.ts';
import type { Sql } from '../../platform/db.ts';
import { secretRef } from '../../platform/secrets.ts';
import { instanceStatusLifecycle, runLifecycle, uninstallLifecycle } from '../../workflows/contracts/index.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { mapTemporalErrors } from '../temporal-errors.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { guarded } from '../permissions.ts';
import { InstancePoliciesBody, InstanceQuotasBody } from './installs.ts';
import { RunStarted, runIdFromKey } from './runs.ts';
import { visibleVersionSql } from '../../platform/access.ts';
import { compareSemver } from '../../domain/semver.ts';
import { CHANGE_KINDS } from '../../domain/change-kind.ts';
import { UPGRADE_POLICIES, classifyUpgrade, type UpgradePolicy, type UpgradeStatus } from '../../domain/upgrade.ts';

// ---- schemas ----

const InstanceParam = z.object({
  id: z.string().regex(INSTANCE_ID, 'must be an instance id').meta({ param: { name: 'id', in: 'path' }, example: 'globex.payroll-sync.prod-3f9a1c' }),
});

const StatusEnum = z.enum(['installing', 'active', 'disabled', 'uninstalling', 'uninstalled']);
const Link = z.object({ workflowId: z.string(), runId: z.string().optional(), status: z.string(), temporalUrl: z.string() });

const InstanceView = z
  .object({
    id: z.string(),
    templateId: z.string(),
    definitionId: z.string(),
    title: z.string(),
    publisherTenant: z.string(),
    version: z.string(),
    digest: z.string(),
    environment: z.enum(ENVIRONMENTS),
    region: z.string().optional(),
    status: StatusEnum,
    parameters: z.record(z.string(), z.unknown()).meta({ description: 'the parameter values bound at install (template defaults apply to the rest)' }),
    lockedParameters: z.array(z.string()).meta({ description: 'endpoint parameters a run cannot override' }),
    secretBindings: z.record(z.string(), z.string()).meta({ description: 'spec secret → reference to your own secret; never a value', example: { api_token: 'secret://globex/payroll-token' } }),
    policies: InstancePoliciesBody,
    quotas: InstanceQuotasBody,
    quotaUse: z.object({ concurrentRuns: z.number().int(), runsToday: z.number().int().meta({ description: 'runs started since 00:00 UTC' }) }),
    install: Link,
    uninstall: Link.optional(),
    upgradePolicy: z.enum(UPGRADE_POLICIES).meta({ description: 'pinned: never moves by itself; patch: follows x.y.*; minor: follows x.*' }),
    latestVersion: z.string().meta({ description: 'the newest published version offered to your tenant' }),
    upgradeAvailable: z
      .object({ version: z.string(), changeKind: z.enum(CHANGE_KINDS) })
      .optional()
      .meta({ description: "the newest version you may install, when it is newer than the instance's, with the change kind computed between the two" }),
    upgrade: z.object({ toVersion: z.string(), status: z.string() }).optional().meta({ description: 'the newest upgrade of the instance' }),
    installedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Instance' });

const PatchInstanceBody = z.strictObject({ upgradePolicy: z.enum(UPGRADE_POLICIES) }).meta({ id: 'InstancePatch' });

const LifecycleStarted = z
  .object({ workflowId: z.string(), runId: z.string(), temporalUrl: z.string(), status: z.string() })
  .meta({ id: 'InstanceLifecycleStarted' });

const notFoundError = { 404: errorResponse('No such instance in your tenant') } as const;

// ---- routes ----

const listInstances = guarded('instance.read', {
  method: 'get',
  path: '/instances',
  tags: ['instances'],
  summary: "Your tenant's instances of installed templates",
  request: {
    query: z.object({
      templateId: z.string().max(120).optional().meta({ param: { name: 'templateId', in: 'query' } }),
      status: z.enum(['live', 'all']).default('live').meta({ param: { name: 'status', in: 'query' }, description: 'live: every instance not uninstalled' }),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(InstanceView) }), 'Instances, newest first'), ...commonErrors },
});

const getInstance = guarded('instance.read', {
  method: 'get',
  path: '/instances/{id}',
  tags: ['instances'],
  summary: 'An instance: version, environment, bindings (secrets as references), policies, quotas and their use',
  request: { params: InstanceParam },
  responses: { 200: json(InstanceView, 'The instance'), ...notFoundError, ...commonErrors },
});

const patchInstance = guarded('instance.manage', {
  method: 'patch',
  path: '/instances/{id}',
  tags: ['instances'],
  summary: "Change an instance's upgrade policy (tenant admins)",
  description: 'pinned: only a manual upgrade moves it; patch / minor: a campaign upgrades it to each new version of the same major.minor / major (never a breaking one).',
  request: { params: InstanceParam, body: { required: true, content: { 'application/json': { schema: PatchInstanceBody } } } },
  responses: { 200: json(InstanceView, 'The instance'), 409: errorResponse('INSTANCE_UNINSTALLED'), ...notFoundError, ...commonErrors },
});

const runInstance = guarded('run.start', {
  method: 'post',
  path: '/instances/{id}/runs',
  tags: ['instances', 'runs'],
  summary: 'Run an instance: its bindings, policies and quotas apply',
  description:
    "Parameters are the instance's, overlaid by `params` (endpoint parameters are locked: PARAMETER_LOCKED). " +
    'Quotas are checked atomically with the run recorded: 429 QUOTA_EXCEEDED names the quota, nothing is queued. ' +
    'With an `Idempotency-Key` header a retried request joins the same run.',
  request: {
    params: InstanceParam,
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ params: z.record(z.string(), z.unknown()).default({}) }) } } },
  },
  responses: {
    202: json(RunStarted, 'Run started (or joined, for a repeated Idempotency-Key)'),
    403: errorResponse('RUN_NOT_ALLOWED: the instance policy names the roles that may run it'),
    409: errorResponse('INSTANCE_DISABLED, INSTANCE_INSTALLING, INSTANCE_UNINSTALLED'),
    429: errorResponse('QUOTA_EXCEEDED: `details[0].path` names the quota (/quotas/maxConcurrentRuns or /quotas/runsPerDay)'),
    ...notFoundError,
    ...commonErrors,
  },
});

const statusChange = (change: 'disable' | 'enable') =>
  guarded('instance.manage', {
    method: 'post',
    path: `/instances/{id}/${change}`,
    tags: ['instances'],
    summary: change === 'disable' ? 'Disable an instance: it takes no new runs (runs in flight go on)' : 'Enable a disabled instance',
    request: { params: InstanceParam },
    responses: {
      202: json(LifecycleStarted, 'Done by a short lifecycle; `status` is the instance status after it'),
      409: errorResponse('INSTANCE_STATUS_CONFLICT'),
      ...notFoundError,
      ...commonErrors,
    },
  });

const uninstall = guarded('instance.manage', {
  method: 'delete',
  path: '/instances/{id}',
  tags: ['instances'],
  summary: 'Uninstall an instance (the uninstall lifecycle)',
  description:
    'The instance takes no new runs at once; runs in flight `finish` (the lifecycle waits for them) or are `cancel`led through their own cancel Update. Then the instance is uninstalled and a receipt written.',
  request: {
    params: InstanceParam,
    query: z.object({ inFlight: z.enum(['finish', 'cancel']).default('finish').meta({ param: { name: 'inFlight', in: 'query' } }) }),
  },
  responses: {
    202: json(LifecycleStarted, 'Uninstall lifecycle started (or joined)'),
    409: errorResponse('INSTANCE_INSTALLING, INSTANCE_UNINSTALLED'),
    ...notFoundError,
    ...commonErrors,
  },
});

// ---- read model ----

interface InstanceRow {
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
  installed_by: string;
  install_workflow_id: string;
  install_run_id: string;
  uninstall_workflow_id: string | null;
  created_at: Date;
  updated_at: Date;
  title: string;
  publisher_tenant: string;
  spec: SpecV1;
  install_status: string | null;
  uninstall_run_id: string | null;
  uninstall_status: string | null;
  running: number;
  today: number;
  upgrade_policy: UpgradePolicy;
  published_versions: string[];
  upgrade_to: string | null;
  upgrade_status: UpgradeStatus | null;
}

/** Runs started since 00:00 UTC: the day a `runsPerDay` quota counts. */
const MIDNIGHT_UTC = "(date_trunc('day', now() at time zone 'utc') at time zone 'utc')";

function selectInstances(sql: Sql, tenant: string, where: ReturnType<Sql>) {
  return sql<InstanceRow[]>`
    select i.*, coalesce(d.title, d.name) as title, t.tenant_id as publisher_tenant, v.spec,
           ir.status as install_status, ur.run_id as uninstall_run_id, ur.status as uninstall_status,
           coalesce(u.running, 0) as running, coalesce(u.today, 0) as today,
           array(select pv.version from workflow_version pv where pv.definition_id = i.definition_id and pv.status = 'published'
                   and ${visibleVersionSql(sql, tenant, 'pv', 'd')}) as published_versions,
           up.to_version as upgrade_to, up.status as upgrade_status
    from workflow_instance i
    join workflow_template t on t.id = i.template_id
    join workflow_definition d on d.id = i.definition_id
    join workflow_version v on v.definition_id = i.definition_id and v.version = i.version
    left join install_request ir on ir.workflow_id = i.install_workflow_id
    left join install_request ur on ur.workflow_id = i.uninstall_workflow_id
    left join lateral (
      select count(*) filter (where r.status = 'running')::int as running,
             count(*) filter (where r.started_at >= ${sql.unsafe(MIDNIGHT_UTC)})::int as today
      from run r where r.instance_id = i.id and (r.status = 'running' or r.started_at >= ${sql.unsafe(MIDNIGHT_UTC)})) u on true
    left join lateral (
      select iu.to_version, iu.status from instance_upgrade iu where iu.instance_id = i.id order by iu.created_at desc limit 1) up on true
    where i.tenant_id = ${tenant} and ${where}
    order by i.created_at desc
    limit 500`;
}

export function instanceRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const lifecycles = lifecycleStarter(deps);

  /** The newest version each row's tenant may install, with the change kind computed against the instance's own version. */
  async function upgradesOf(rows: InstanceRow[]): Promise<Map<string, { latest: string; available?: { version: string; changeKind: (typeof CHANGE_KINDS)[number] } }>> {
    const out = new Map<string, { latest: string; available?: { version: string; changeKind: (typeof CHANGE_KINDS)[number] } }>();
    const wanted = new Map<string, { definitionId: string; version: string }>();
    for (const r of rows) {
      const latest = [r.version, ...r.published_versions].sort(compareSemver).at(-1)!;
      out.set(r.id, { latest });
      if (compareSemver(latest, r.version) > 0) wanted.set(`${r.definition_id}@${latest}`, { definitionId: r.definition_id, version: latest });
    }
    if (!wanted.size) return out;
    const specs = new Map<string, SpecV1>();
    for (const w of wanted.values()) {
      const [v] = await sql<{ spec: SpecV1 }[]>`select spec from workflow_version where definition_id = ${w.definitionId} and version = ${w.version}`;
      if (v) specs.set(`${w.definitionId}@${w.version}`, v.spec);
    }
    for (const r of rows) {
      const o = out.get(r.id)!;
      const next = specs.get(`${r.definition_id}@${o.latest}`);
      if (next && o.latest !== r.version) o.available = { version: o.latest, changeKind: classifyUpgrade(r.spec, next).kind };
    }
    return out;
  }

  const view = (r: InstanceRow, up: Map<string, { latest: string; available?: { version: string; changeKind: (typeof CHANGE_KINDS)[number] } }>) => ({
    id: r.id,
    templateId: r.template_id,
    definitionId: r.definition_id,
    title: r.title,
    publisherTenant: r.publisher_tenant,
    version: r.version,
    digest: r.digest,
    environment: r.environment,
    ...(r.region ? { region: r.region } : {}),
    status: r.status,
    parameters: r.parameters,
    lockedParameters: lockedParameters(templateBindings(r.spec)),
    // references only: the value stays in the tenant's store
    secretBindings: Object.fromEntries(Object.entries(r.secret_bindings).map(([k, v]) => [k, secretRef(r.tenant_id, v)])),
    policies: r.policies,
    quotas: r.quotas,
    quotaUse: { concurrentRuns: r.running, runsToday: r.today },
    install: { workflowId: r.install_workflow_id, runId: r.install_run_id, status: r.install_status ?? 'unknown', temporalUrl: lifecycles.link(r.install_workflow_id, r.install_run_id) },
    ...(r.uninstall_workflow_id
      ? {
          uninstall: {
            workflowId: r.uninstall_workflow_id,
            ...(r.uninstall_run_id ? { runId: r.uninstall_run_id } : {}),
            status: r.uninstall_status ?? 'uninstalling',
            temporalUrl: lifecycles.link(r.uninstall_workflow_id, r.uninstall_run_id ?? undefined),
          },
        }
      : {}),
    upgradePolicy: r.upgrade_policy,
    latestVersion: up.get(r.id)?.latest ?? r.version,
    ...(up.get(r.id)?.available ? { upgradeAvailable: up.get(r.id)!.available! } : {}),
    ...(r.upgrade_to ? { upgrade: { toVersion: r.upgrade_to, status: r.upgrade_status ?? 'unknown' } } : {}),
    installedBy: r.installed_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  });

  async function instanceOf(tenant: string, id: string): Promise<InstanceRow> {
    const [row] = await selectInstances(sql, tenant, sql`i.id = ${id}`);
    if (!row) throw notFound('INSTANCE_NOT_FOUND', `no instance ${id} in your tenant`);
    return row;
  }

  const notActive = (id: string, status: InstanceStatus) =>
    status === 'disabled'
      ? conflict('INSTANCE_DISABLED', `instance ${id} is disabled: enable it to run it`)
      : status === 'installing'
        ? conflict('INSTANCE_INSTALLING', `instance ${id} is still being installed`)
        : conflict('INSTANCE_UNINSTALLED', `instance ${id} is ${status}: it takes no runs`);

  app.openapi(listInstances, async (c) => {
    const actor = c.get('actor');
    const { templateId, status } = c.req.valid('query');
    const rows = await selectInstances(
      sql,
      actor.tenant,
      sql`${status === 'live' ? sql`i.status <> 'uninstalled'` : sql`true`} ${templateId ? sql`and i.template_id = ${templateId}` : sql``}`,
    );
    const up = await upgradesOf(rows);
    return c.json({ items: rows.map((r) => view(r, up)) }, 200);
  });

  app.openapi(getInstance, async (c) => {
    const actor = c.get('actor');
    const row = await instanceOf(actor.tenant, c.req.valid('param').id);
    return c.json(view(row, await upgradesOf([row])), 200);
  });

  app.openapi(patchInstance, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const { upgradePolicy } = c.req.valid('json');
    const before = await instanceOf(actor.tenant, id);
    if (before.status === 'uninstalled') throw conflict('INSTANCE_UNINSTALLED', `instance ${id} is uninstalled`);
    await sql`update workflow_instance set upgrade_policy = ${upgradePolicy}, updated_at = now() where id = ${id} and tenant_id = ${actor.tenant}`;
    const row = await instanceOf(actor.tenant, id);
    return c.json(view(row, await upgradesOf([row])), 200);
  });

  app.openapi(runInstance, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const { params } = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const inst = await instanceOf(actor.tenant, id);
    if (inst.status !== 'active') throw notActive(id, inst.status);
    if (!mayRunInstance(actor, inst.policies)) {
      throw notAllowed('RUN_NOT_ALLOWED', `instance ${id} may be run by the roles ${inst.policies.runRoles!.join(', ')} only`);
    }
    // the engine checks all of this again when the run starts; here the caller learns at once
    const locked = lockedParameters(templateBindings(inst.spec)).filter((name) => name in params);
    if (locked.length) {
      throw inputError(
        'PARAMETER_LOCKED',
        `the endpoint parameters ${locked.join(', ')} are bound by the instance and cannot be overridden by a run`,
        locked.map((name) => ({ path: `/params/${name}`, message: 'bound at install: an endpoint cannot be overridden' })),
      );
    }
    if (inst.spec.parameters) {
      const merged = applyDefaults(inst.spec.parameters, { ...inst.parameters, ...params });
      const check = compileTenantSchema(inst.spec.parameters);
      if (!check(merged)) {
        throw inputError(
          'PARAMS_INVALID',
          'the parameters (the instance\'s with yours on top) do not match the parameters schema of its version',
          schemaIssues(check.errors).map((i) => ({ path: `/params${i.path}`, message: i.message })),
        );
      }
    }

    const runId = key ? runIdFromKey(actor.tenant, `instance:${id}`, key) : randomUUID();
    const workflowId = workflowIds.run(inst.definition_id, runId);
    const url = (runId?: string) => lifecycles.link(workflowId, runId);
    const [known] = await sql<{ status: string }[]>`select status from run where id = ${runId} and tenant_id = ${actor.tenant}`;
    if (known) return c.json({ runId, workflowId, temporalUrl: url(), status: known.status as 'running' }, 202);

    // Quotas, atomically: the instance's row lock serialises the starts of one instance (and
    // its disable and uninstall), and the run is recorded before the lock is released, so
    // two concurrent starts cannot both take the last slot. A refused run is not queued.
    const refusal = await sql.begin(async (tx) => {
      const [row] = await tx<{ status: InstanceStatus; quotas: InstanceQuotas }[]>`select status, quotas from workflow_instance where id = ${id} for update`;
      if (!row || row.status !== 'active') return { status: row?.status ?? 'uninstalled' };
      const [use] = await tx<{ running: number; today: number }[]>`
        select count(*) filter (where status = 'running')::int as running,
               count(*) filter (where started_at >= ${tx.unsafe(MIDNIGHT_UTC)})::int as today
        from run where instance_id = ${id} and (status = 'running' or started_at >= ${tx.unsafe(MIDNIGHT_UTC)})`;
      const q = row.quotas;
      if (q.maxConcurrentRuns !== undefined && use!.running >= q.maxConcurrentRuns) {
        return { quota: 'maxConcurrentRuns', message: `quota maxConcurrentRuns of instance ${id} exceeded: ${use!.running} of ${q.maxConcurrentRuns} runs are running` };
      }
      if (q.runsPerDay !== undefined && use!.today >= q.runsPerDay) {
        return { quota: 'runsPerDay', message: `quota runsPerDay of instance ${id} exceeded: ${use!.today} of ${q.runsPerDay} runs started today (UTC)` };
      }
      await tx`
        insert into run (id, tenant_id, definition_id, version, instance_id, status, started_at)
        values (${runId}, ${actor.tenant}, ${inst.definition_id}, ${inst.version}, ${id}, 'running', now())`;
      return undefined;
    });
    if (refusal && 'status' in refusal) throw notActive(id, refusal.status ?? 'uninstalled');
    if (refusal && 'quota' in refusal) {
      c.header('Retry-After', refusal.quota === 'runsPerDay' ? '3600' : '30');
      return c.json(
        { code: 'QUOTA_EXCEEDED', message: refusal.message, requestId: c.get('requestId') ?? '', details: [{ path: `/quotas/${refusal.quota}`, message: refusal.message }] },
        429,
      );
    }

    // only the runner's own parameters travel: the engine overlays them on the instance's
    const input: RunInput = { runId, definitionId: inst.definition_id, version: inst.version, tenantId: actor.tenant, params, startedBy: actor, instanceId: id };
    try {
      const started = await lifecycles.start(runLifecycle, input);
      return c.json({ runId, workflowId, temporalUrl: url(started.runId), status: 'running' as const }, 202);
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return c.json({ runId, workflowId, temporalUrl: url(), status: 'running' as const }, 202);
      // the run never started: it must not hold a quota slot
      await sql`delete from run where id = ${runId} and status = 'running'`.catch(() => undefined);
      throw e;
    }
  });

  for (const change of ['disable', 'enable'] as const) {
    app.openapi(statusChange(change), async (c) => {
      const actor = c.get('actor');
      const { id } = c.req.valid('param');
      const inst = await instanceOf(actor.tenant, id);
      const started = await lifecycles.start(instanceStatusLifecycle, { instanceId: id, change, requestedBy: actor, templateId: inst.template_id });
      const { status } = await mapTemporalErrors(() => started.handle.result());
      return c.json({ workflowId: started.workflowId, runId: started.runId, temporalUrl: started.temporalUrl, status }, 202);
    });
  }

  app.openapi(uninstall, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const { inFlight } = c.req.valid('query');
    const inst = await instanceOf(actor.tenant, id);
    if (inst.status === 'installing') throw conflict('INSTANCE_INSTALLING', `instance ${id} is still being installed`);
    if (inst.status === 'uninstalled') throw conflict('INSTANCE_UNINSTALLED', `instance ${id} is already uninstalled`);
    const started = await lifecycles.start(uninstallLifecycle, { instanceId: id, inFlight, requestedBy: actor, templateId: inst.template_id });
    return c.json({ workflowId: started.workflowId, runId: started.runId, temporalUrl: started.temporalUrl, status: 'uninstalling' }, 202);
  });

  return app;
}
