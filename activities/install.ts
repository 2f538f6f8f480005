import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { createHash } from 'node:crypto';
import type { Sql } from '../platform/db.ts';
import { PG, pgCode } from '../platform/db.ts';
import type { PolicyEngine } from '../platform/opa.ts';
import { catalogWriteTarget, type CatalogDocument } from '../platform/typesense.ts';
import { checkInstallBindings, decideInstall, installPolicyInput, loadTemplateVersion, type TemplateVersionFacts } from '../platform/install-check.ts';
import { verifyVersionForInstall } from '../platform/version-trust.ts';
import { conflict, inputError, notAllowed, notFound } from '../domain/errors.ts';
import type { Actor } from '../domain/actor.ts';
import { workflowIds } from '../domain/ids.ts';
import {
  INSTALL_CODES,
  bindingErrorCode,
  type InstallApproval,
  type InstallDecision,
  type InstallError,
  type InstallInput,
  type InstallStatus,
  type InstanceRun,
  type InstanceStatusInput,
  type UninstallInput,
} from '../domain/install.ts';
import { cancelRunUpdate } from '../workflows/contracts/run.ts';
import { asFailure } from './errors.ts';
import { guardrailSummary } from '../domain/guardrail-receipt.ts';
import type { GuardrailDecision, PolicyOverride } from '../domain/policy-profiles.ts';
import { historySource, sealOwnReceipt } from './receipts.ts';
import type { KeyRing } from '../platform/signing.ts';
import { approvalDecisions } from '../platform/receipts.ts';
import { loadCatalogDocuments, lockCatalogWrites, type CatalogDeps } from './catalog.ts';

export interface InstallDeps extends CatalogDeps {
  policy: PolicyEngine;
  keyRing: KeyRing;
}

function execution() {
  const e = activityInfo().workflowExecution;
  if (!e) throw new Error('install activities run inside a workflow');
  return e;
}

const receiptIdOf = (workflowId: string, runId: string, lifecycle: string) =>
  `rcpt_${createHash('sha256').update(`${workflowId}\n${runId}\n${lifecycle}`).digest('hex').slice(0, 24)}`;

/** The installing tenant is the requester's: an install never acts for another tenant. */
const tenantOf = (input: { requestedBy: Actor }) => input.requestedBy.tenant;

async function templateVersion(sql: Sql, input: InstallInput): Promise<TemplateVersionFacts> {
  const f = await loadTemplateVersion(sql, tenantOf(input), input.templateId, input.version);
  if (!f) throw notFound('TEMPLATE_NOT_FOUND', `no template ${input.templateId}`);
  return f;
}

/** Postgres' unique-violation of the live index: another live instance of the template in that environment. */
const isLiveIndexViolation = (e: unknown) => pgCode(e) === PG.uniqueViolation && /workflow_instance_live/.test((e as { constraint_name?: string }).constraint_name ?? String(e));

export function createInstallActivities({ sql, policy, typesense, collection, keyRing }: InstallDeps) {
  const updateRequest = (status: string, extra: { decision?: InstallDecision; error?: InstallError; guardrails?: GuardrailDecision } = {}) => {
    const { workflowId, runId } = execution();
    return sql`
      update install_request set status = ${status}, run_id = ${runId},
        decision = coalesce(${extra.decision ? sql.json(extra.decision as never) : null}, decision),
        guardrails = coalesce(${extra.guardrails ? sql.json(extra.guardrails as never) : null}, guardrails),
        error = ${extra.error ? sql.json(extra.error as never) : null}, updated_at = now()
      where workflow_id = ${workflowId}`;
  };

  return {
    /** Opens the install's read model (idempotent: a retry or a continued run rewrites the same row). */
    beginInstall: (input: InstallInput) =>
      asFailure(async (): Promise<void> => {
        const { workflowId, runId } = execution();
        await sql`
          insert into install_request (workflow_id, run_id, kind, tenant_id, template_id, version, environment, instance_id, requested_by, status)
          values (${workflowId}, ${runId}, 'install', ${tenantOf(input)}, ${input.templateId}, ${input.version}, ${input.environment},
                  ${input.instanceId}, ${input.requestedBy.sub}, 'checking')
          on conflict (workflow_id) do update set run_id = excluded.run_id, status = 'checking', decision = null, guardrails = null, error = null, updated_at = now()`.catch(
          (e: unknown) => {
            if (pgCode(e) === PG.foreignKeyViolation) throw notFound('TEMPLATE_NOT_FOUND', `no template ${input.templateId}`);
            throw e;
          },
        );
      }),

    /** The install policy's decision (policies/install.rego), evaluated here so that it is in the history. */
    decideInstallPolicy: (input: InstallInput) =>
      asFailure(async (): Promise<{ decision: InstallDecision; risk: string }> => {
        const f = await templateVersion(sql, input);
        return { decision: decideInstall(policy, input.requestedBy, tenantOf(input), f, input), risk: f.risk };
      }),

    /**
     * The version is what its publisher signed and what this tenant accepts
     * (platform/version-trust.ts): the stored spec still hashes to its published digest, the
     * signature bundle verifies with the publisher's key among the tenant's trust roots over
     * that digest, another tenant's version passed its review, and a certification is there
     * when the tenant requires one. A refusal (TRUST_CODES) ends the install before anything
     * is reserved; an overdue certification is recorded as a warning.
     */
    verifyInstallDigest: (input: InstallInput) =>
      asFailure(async (): Promise<{ digest: string; keyId: string; warnings: string[] }> => {
        const f = await templateVersion(sql, input);
        if (!f.spec) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.version} does not exist`);
        const facts = installPolicyInput(input.requestedBy, tenantOf(input), f, input);
        const verified = await verifyVersionForInstall(sql, policy, tenantOf(input), f.definitionId, f.version, facts, historySource());
        const { workflowId } = execution();
        const warnings = [...verified.certification.warnings, ...(verified.provenance?.warnings ?? [])];
        await sql`update install_request set warnings = ${warnings}, updated_at = now() where workflow_id = ${workflowId}`;
        return { digest: verified.digest, keyId: verified.keyId, warnings };
      }),

    /**
     * Every secret the spec needs is bound to a secret of the installing tenant that exists
     * (names only: values never leave the store), every required parameter is given, the
     * parameters fit the schema, endpoints pass the tenant's egress allow-list and ports.
     */
    checkInstallBindings: (input: InstallInput) =>
      asFailure(async (): Promise<{ secretBindings: Record<string, string> }> => {
        const f = await templateVersion(sql, input);
        const report = await checkInstallBindings(sql, policy, tenantOf(input), f, input);
        if (report.problems.length) {
          const code = bindingErrorCode(report.problems);
          const summary = report.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ');
          throw inputError(code, `the bindings do not fit ${input.templateId}@${input.version}: ${summary}${report.problems.length > 3 ? ` (and ${report.problems.length - 3} more)` : ''}`, report.problems.slice(0, 50));
        }
        return { secretBindings: report.secretBindings };
      }),

    /**
     * Reserves the instance (status installing): from here the live unique index refuses a
     * second install of the template into the environment. Idempotent on the instance id: a
     * retry finds its own row.
     */
    reserveInstance: (input: InstallInput & { digest: string; secretBindings: Record<string, string> }) =>
      asFailure(async (): Promise<{ reserved: boolean }> => {
        const { workflowId, runId } = execution();
        try {
          const inserted = await sql`
            insert into workflow_instance (id, tenant_id, template_id, definition_id, version, digest, environment, region, parameters,
                                           secret_bindings, policies, quotas, status, installed_by, install_workflow_id, install_run_id)
            values (${input.instanceId}, ${tenantOf(input)}, ${input.templateId}, ${input.definitionId}, ${input.version}, ${input.digest},
                    ${input.environment}, ${input.region ?? null}, ${sql.json(input.parameters as never)}, ${sql.json(input.secretBindings)},
                    ${sql.json(input.policies as never)}, ${sql.json(input.quotas as never)}, 'installing', ${input.requestedBy.sub},
                    ${workflowId}, ${runId})
            on conflict (id) do nothing
            returning id`;
          if (inserted.length) return { reserved: true };
        } catch (e) {
          if (isLiveIndexViolation(e)) {
            const [other] = await sql<{ id: string }[]>`
              select id from workflow_instance
              where tenant_id = ${tenantOf(input)} and template_id = ${input.templateId} and environment = ${input.environment} and status <> 'uninstalled'`;
            throw conflict(INSTALL_CODES.instanceExists, `${input.templateId} is already installed in ${input.environment}${other ? ` (instance ${other.id})` : ''}: uninstall it first or choose another environment`);
          }
          throw e;
        }
        const [mine] = await sql<{ install_workflow_id: string }[]>`select install_workflow_id from workflow_instance where id = ${input.instanceId}`;
        if (mine?.install_workflow_id !== workflowId) throw conflict(INSTALL_CODES.instanceExists, `instance ${input.instanceId} already exists`);
        return { reserved: false };
      }),

    async recordInstallStatus(input: { status: InstallStatus; decision?: InstallDecision; error?: InstallError; guardrails?: GuardrailDecision }): Promise<void> {
      await updateRequest(input.status, input);
    },

    /** An accepted decision of a second tenant admin; idempotent per (run, approver). */
    async recordInstallApproval(input: { tenantId: string; definitionId: string; version: string; approval: InstallApproval }): Promise<void> {
      const { workflowId, runId } = execution();
      const a = input.approval;
      await sql`
        insert into approval (tenant_id, workflow_id, run_id, subject_kind, definition_id, version, approver, approver_tenant, decision, rationale, decided_at)
        values (${input.tenantId}, ${workflowId}, ${runId}, 'install', ${input.definitionId}, ${input.version}, ${a.approver.sub},
                ${a.approver.tenant}, ${a.decision}, ${a.rationale}, ${a.at})
        on conflict do nothing`;
    },

    /**
     * Makes the reserved instance active — after the policy is asked once more: the template
     * may have been withdrawn from the tenant (its curated list changed) while the install
     * waited for approval. Refused: TEMPLATE_WITHDRAWN, and the lifecycle compensates.
     */
    activateInstance: (input: InstallInput) =>
      asFailure(async (): Promise<{ decision: InstallDecision }> => {
        const { workflowId } = execution();
        const f = await templateVersion(sql, input);
        const decision = decideInstall(policy, input.requestedBy, tenantOf(input), f, input);
        if (!decision.allow) throw notAllowed('TEMPLATE_WITHDRAWN', `the install is no longer allowed: ${decision.deny.join('; ')}`);
        // the version is verified once more: an approval wait is long enough for a tampering
        await verifyVersionForInstall(sql, policy, tenantOf(input), f.definitionId, f.version, installPolicyInput(input.requestedBy, tenantOf(input), f, input), historySource());
        const [row] = await sql<{ status: string }[]>`
          update workflow_instance set status = case when status = 'installing' then 'active' else status end, updated_at = now()
          where id = ${input.instanceId} and install_workflow_id = ${workflowId}
          returning status`;
        if (!row) throw conflict('INSTANCE_GONE', `instance ${input.instanceId} is no longer reserved for this install`);
        if (row.status !== 'active') throw conflict('INSTANCE_GONE', `instance ${input.instanceId} is ${row.status}`);
        return { decision };
      }),

    /**
     * Refreshes the template's search document from Postgres (under the catalog write lock),
     * so that what the document says of the template's installs is current. No catalog_update
     * row: the installer's lifecycle must not appear in the publisher's catalog provenance.
     */
    async refreshTemplateDocument(input: { definitionId: string }): Promise<{ indexed: boolean }> {
      return sql.begin(async (tx) => {
        const db = tx as unknown as Sql;
        await lockCatalogWrites(db);
        const [doc] = await loadCatalogDocuments(db, { ids: [input.definitionId] });
        if (!doc) return { indexed: false };
        await typesense.collections<CatalogDocument>(await catalogWriteTarget(typesense, collection)).documents().upsert(doc);
        return { indexed: true };
      });
    },

    /** The receipt and the read model's final status, in one transaction, then the receipt sealed (safe to retry). */
    completeInstall: (
      input: InstallInput & {
        digest: string;
        decision: InstallDecision;
        approvals: InstallApproval[];
        secretBindings: Record<string, string>;
        guardrails?: GuardrailDecision;
        overrides?: PolicyOverride[];
      },
    ) =>
      asFailure(async (): Promise<{ receiptId: string }> => {
        const { workflowId, runId } = execution();
        const receiptId = receiptIdOf(workflowId, runId, 'install');
        let details: unknown;
        await sql.begin(async (tx) => {
          const [inst] = await tx<{ status: string }[]>`select status from workflow_instance where id = ${input.instanceId} and install_workflow_id = ${workflowId} for update`;
          if (inst?.status !== 'active') throw conflict('INSTANCE_GONE', `instance ${input.instanceId} is ${inst?.status ?? 'gone'}`);
          await tx`update install_request set status = 'installed', run_id = ${runId}, error = null, updated_at = now() where workflow_id = ${workflowId}`;
          // what was decided and bound: names and references only, never a secret value
          const decisions = {
            policy: input.decision,
            approvals: input.approvals,
            // the guardrails' decision the install went on, and who overrode which rule, why
            ...(input.guardrails ? { guardrails: guardrailSummary(input.guardrails), overrides: input.overrides ?? [] } : {}),
            bindings: {
              template: input.templateId,
              version: input.version,
              environment: input.environment,
              ...(input.region ? { region: input.region } : {}),
              secrets: Object.fromEntries(Object.entries(input.secretBindings).map(([k, v]) => [k, `secret://${tenantOf(input)}/${v}`])),
              parameters: Object.keys(input.parameters).sort(),
              policies: input.policies,
              quotas: input.quotas,
            },
          };
          details = decisions;
          await tx`
            insert into provenance_receipt (id, tenant_id, lifecycle, workflow_id, run_id, subject, subject_digest, decisions)
            values (${receiptId}, ${tenantOf(input)}, 'install', ${workflowId}, ${runId}, ${`instance:${input.instanceId}`}, ${input.digest},
                    ${tx.json(decisions as never)})
            on conflict (workflow_id, run_id, lifecycle) do nothing`;
        });
        await sealOwnReceipt(
          { sql, keyRing },
          {
            lifecycle: 'install',
            tenantId: tenantOf(input),
            subject: { name: `instance:${input.instanceId}`, digest: input.digest },
            requestedBy: input.requestedBy,
            decisions: approvalDecisions(input.approvals),
            details,
          },
        );
        return { receiptId };
      }),

    /**
     * Undoes what the install created: its reserved (or just activated) instance is deleted —
     * it never ran, so nothing refers to it; one that somehow has runs is marked uninstalled —
     * and the read model records why. Idempotent.
     */
    async compensateInstall(input: { instanceId: string; status: Extract<InstallStatus, 'failed' | 'rejected'>; error: InstallError }): Promise<{ removed: boolean }> {
      const { workflowId, runId } = execution();
      return sql.begin(async (tx) => {
        const deleted = await tx`
          delete from workflow_instance i where i.id = ${input.instanceId} and i.install_workflow_id = ${workflowId}
            and not exists (select 1 from run r where r.instance_id = i.id)
          returning id`;
        if (!deleted.length) {
          await tx`update workflow_instance set status = 'uninstalled', updated_at = now()
                   where id = ${input.instanceId} and install_workflow_id = ${workflowId} and status <> 'uninstalled'`;
        }
        await tx`update install_request set status = ${input.status}, run_id = ${runId}, error = ${tx.json(input.error as never)}, updated_at = now()
                 where workflow_id = ${workflowId}`;
        return { removed: true };
      });
    },

    // ---- uninstall ----

    /** New runs stop here: the instance becomes `uninstalling` (the run start checks it under the instance's row lock). */
    beginUninstall: (input: UninstallInput) =>
      asFailure(async (): Promise<{ definitionId: string }> => {
        const { workflowId, runId } = execution();
        return sql.begin(async (tx) => {
          const [inst] = await tx<{ tenant_id: string; status: string; template_id: string; definition_id: string; version: string; environment: string; uninstall_workflow_id: string | null }[]>`
            select tenant_id, status, template_id, definition_id, version, environment, uninstall_workflow_id from workflow_instance
            where id = ${input.instanceId} for update`;
          if (!inst || inst.tenant_id !== tenantOf(input)) throw notFound('INSTANCE_NOT_FOUND', `no instance ${input.instanceId} in your tenant`);
          if (inst.status === 'installing') throw conflict('INSTANCE_INSTALLING', `instance ${input.instanceId} is still being installed`);
          if (inst.status === 'uninstalled' && inst.uninstall_workflow_id !== workflowId) throw conflict('INSTANCE_UNINSTALLED', `instance ${input.instanceId} is already uninstalled`);
          if (inst.status === 'active' || inst.status === 'disabled') {
            await tx`update workflow_instance set status = 'uninstalling', uninstall_workflow_id = ${workflowId}, updated_at = now() where id = ${input.instanceId}`;
          }
          await tx`
            insert into install_request (workflow_id, run_id, kind, tenant_id, template_id, version, environment, instance_id, requested_by, status)
            values (${workflowId}, ${runId}, 'uninstall', ${inst.tenant_id}, ${inst.template_id}, ${inst.version}, ${inst.environment},
                    ${input.instanceId}, ${input.requestedBy.sub}, 'uninstalling')
            on conflict (workflow_id) do update set run_id = excluded.run_id, requested_by = excluded.requested_by,
              status = case when install_request.status = 'uninstalled' then 'uninstalled' else 'uninstalling' end, updated_at = now()`;
          return { definitionId: inst.definition_id };
        });
      }),

    /**
     * The instance's runs still running, by the run table checked against Temporal: a row
     * whose run has closed (but whose end was not recorded) is corrected, and a row whose
     * workflow never started (an API that died between the two) is closed as START_LOST
     * once it is a minute old — so an uninstall never waits for a run that does not exist.
     */
    async instanceRunsInFlight(input: { instanceId: string }): Promise<InstanceRun[]> {
      const rows = await sql<{ id: string; definition_id: string; old: boolean }[]>`
        select id, definition_id, started_at < now() - interval '1 minute' as old from run
        where instance_id = ${input.instanceId} and status = 'running' order by started_at limit 200`;
      const client = getClient();
      const running: InstanceRun[] = [];
      const closed: Record<string, string> = { COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled', TERMINATED: 'failed', TIMED_OUT: 'timed_out', CONTINUED_AS_NEW: 'failed' };
      for (const r of rows) {
        const workflowId = workflowIds.run(r.definition_id, r.id);
        let status: string | undefined;
        try {
          status = (await client.workflow.getHandle(workflowId).describe()).status.name;
        } catch (e) {
          if (!(e instanceof WorkflowNotFoundError)) throw e;
          if (r.old) await sql`update run set status = 'failed', error_code = 'START_LOST', finished_at = now() where id = ${r.id} and status = 'running'`;
          else running.push({ runId: r.id, workflowId });
          continue;
        }
        const ended = closed[status];
        if (status === 'RUNNING') running.push({ runId: r.id, workflowId });
        else if (ended) await sql`update run set status = ${ended}, finished_at = coalesce(finished_at, now()) where id = ${r.id} and status = 'running'`;
      }
      return running;
    },

    /**
     * Asks each run to cancel through the run's own `cancel` Update (who and why recorded in
     * the run); a run that finished meanwhile is not an error.
     */
    async cancelInstanceRuns(input: { runs: InstanceRun[]; by: Actor; reason: string }): Promise<string[]> {
      const client = getClient();
      const cancelled: string[] = [];
      for (const r of input.runs) {
        try {
          await client.workflow.getHandle(r.workflowId).executeUpdate(cancelRunUpdate, { args: [{ by: input.by, reason: input.reason }] });
          cancelled.push(r.runId);
        } catch (e) {
          if (e instanceof WorkflowNotFoundError || e instanceof WorkflowUpdateFailedError || /already completed/i.test((e as Error)?.message ?? '')) continue;
          throw e;
        }
      }
      return cancelled;
    },

    /** The instance is uninstalled, the read model says so, the receipt records it (one transaction). */
    completeUninstall: (input: UninstallInput & { cancelled: string[] }) =>
      asFailure(async (): Promise<{ receiptId: string }> => {
        const { workflowId, runId } = execution();
        const receiptId = receiptIdOf(workflowId, runId, 'uninstall');
        let digest = '';
        await sql.begin(async (tx) => {
          const [inst] = await tx<{ digest: string; status: string }[]>`
            update workflow_instance set status = 'uninstalled', updated_at = now()
            where id = ${input.instanceId} and uninstall_workflow_id = ${workflowId}
            returning digest, status`;
          if (!inst) throw conflict('INSTANCE_GONE', `instance ${input.instanceId} is not being uninstalled by this lifecycle`);
          digest = inst.digest;
          await tx`update install_request set status = 'uninstalled', run_id = ${runId}, updated_at = now() where workflow_id = ${workflowId}`;
          await tx`
            insert into provenance_receipt (id, tenant_id, lifecycle, workflow_id, run_id, subject, subject_digest, decisions)
            values (${receiptId}, ${tenantOf(input)}, 'uninstall', ${workflowId}, ${runId}, ${`instance:${input.instanceId}`}, ${inst.digest},
                    ${tx.json({ inFlight: input.inFlight, cancelledRuns: input.cancelled, requestedBy: input.requestedBy.sub } as never)})
            on conflict (workflow_id, run_id, lifecycle) do nothing`;
        });
        await sealOwnReceipt(
          { sql, keyRing },
          {
            lifecycle: 'uninstall',
            tenantId: tenantOf(input),
            subject: { name: `instance:${input.instanceId}`, digest },
            requestedBy: input.requestedBy,
            decisions: [],
          },
        );
        return { receiptId };
      }),

    /** disable ⇄ enable: only between active and disabled, by the instance's tenant. */
    setInstanceStatus: (input: InstanceStatusInput) =>
      asFailure(async (): Promise<{ status: string }> => {
        const to = input.change === 'disable' ? 'disabled' : 'active';
        const from = input.change === 'disable' ? 'active' : 'disabled';
        const [inst] = await sql<{ tenant_id: string; status: string }[]>`select tenant_id, status from workflow_instance where id = ${input.instanceId}`;
        if (!inst || inst.tenant_id !== tenantOf(input)) throw notFound('INSTANCE_NOT_FOUND', `no instance ${input.instanceId} in your tenant`);
        if (inst.status === to) return { status: to };
        const [row] = await sql<{ status: string }[]>`
          update workflow_instance set status = ${to}, updated_at = now() where id = ${input.instanceId} and status = ${from} returning status`;
        if (!row) throw conflict('INSTANCE_STATUS_CONFLICT', `instance ${input.instanceId} is ${inst.status}: only an active instance can be disabled, only a disabled one enabled`);
        return { status: row.status };
      }),
  };
}

export type InstallActivities = ReturnType<typeof createInstallActivities>;
