import { activityInfo } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { Sql } from '../platform/db.ts';
import { PG, pgCode } from '../platform/db.ts';
import type { PolicyEngine } from '../platform/opa.ts';
import type { ExpressionSandbox } from '../platform/expression-sandbox.ts';
import { loadUpgradeInstance, planUpgrade, verifyTargetDigest } from '../platform/upgrade-plan.ts';
import { conflict } from '../domain/errors.ts';
import { UPGRADE_CODES, type UpgradeApproval, type UpgradeInput, type UpgradePlan, type UpgradeStatus } from '../domain/upgrade.ts';
import { asFailure } from './errors.ts';
import { guardrailSummary } from '../domain/guardrail-receipt.ts';
import type { GuardrailDecision, PolicyOverride } from '../domain/policy-profiles.ts';
import { historySource, sealOwnReceipt } from './receipts.ts';
import type { KeyRing } from '../platform/signing.ts';
import { approvalDecisions } from '../platform/receipts.ts';

export interface UpgradeDeps {
  sql: Sql;
  policy: PolicyEngine;
  sandbox: ExpressionSandbox;
  keyRing: KeyRing;
}

function execution() {
  const e = activityInfo().workflowExecution;
  if (!e) throw new Error('upgrade activities run inside a workflow');
  return e;
}

const receiptIdOf = (workflowId: string, runId: string) => `rcpt_${createHash('sha256').update(`${workflowId}\n${runId}\nupgrade`).digest('hex').slice(0, 24)}`;

/** The instance's tenant: a campaign names it, a manual request is the requester's own. */
export const upgradeTenant = (input: Pick<UpgradeInput, 'tenantId' | 'requestedBy'>) => input.tenantId ?? input.requestedBy.tenant;

export interface UpgradeBegun {
  tenantId: string;
  templateId: string;
  definitionId: string;
  fromVersion: string;
  fromDigest: string;
  /** roles that may run the instance (the smoke run's actor takes them) */
  runRoles: string[];
}

const isInFlightViolation = (e: unknown) => pgCode(e) === PG.uniqueViolation && /instance_upgrade_in_flight/.test((e as { constraint_name?: string }).constraint_name ?? String(e));

export function createUpgradeActivities({ sql, policy, sandbox, keyRing }: UpgradeDeps) {
  const update = (fields: Record<string, unknown>) => {
    const { workflowId, runId } = execution();
    return sql`update instance_upgrade set ${sql(fields as never)}, updated_at = now() where workflow_id = ${workflowId} and run_id = ${runId}`;
  };

  return {
    /**
     * Opens the upgrade's read model and takes the instance's upgrade lock (the in-flight
     * unique index): a second upgrade of the instance is refused here. Idempotent.
     */
    beginUpgrade: (input: UpgradeInput) =>
      asFailure(async (): Promise<UpgradeBegun> => {
        const { workflowId, runId } = execution();
        const tenant = upgradeTenant(input);
        const inst = await loadUpgradeInstance(sql, tenant, input.instanceId);
        if (inst.status !== 'active') throw conflict(UPGRADE_CODES.instanceNotActive, `instance ${inst.id} is ${inst.status}: it cannot be upgraded`);
        try {
          await sql`
            insert into instance_upgrade (workflow_id, run_id, tenant_id, instance_id, definition_id, from_version, to_version, from_digest,
                                          previous_parameters, previous_secret_bindings, status, requested_by, campaign_id)
            values (${workflowId}, ${runId}, ${tenant}, ${inst.id}, ${inst.definitionId}, ${inst.version}, ${input.toVersion}, ${inst.digest},
                    ${sql.json(inst.parameters as never)}, ${sql.json(inst.secretBindings)}, 'planning', ${input.requestedBy.sub}, ${input.campaignId ?? null})
            on conflict (workflow_id, run_id) do nothing`;
        } catch (e) {
          if (isInFlightViolation(e)) throw conflict(UPGRADE_CODES.inProgress, `instance ${inst.id} has an upgrade in progress`);
          throw e;
        }
        const [row] = await sql<{ from_version: string; from_digest: string }[]>`
          select from_version, from_digest from instance_upgrade where workflow_id = ${workflowId} and run_id = ${runId}`;
        return {
          tenantId: tenant,
          templateId: inst.templateId,
          definitionId: inst.definitionId,
          fromVersion: row!.from_version,
          fromDigest: row!.from_digest,
          runRoles: inst.policies.runRoles ?? [],
        };
      }),

    /** The plan (platform/upgrade-plan.ts), recorded in the read model and, as the result, in history. */
    planUpgrade: (input: UpgradeInput) =>
      asFailure(async (): Promise<UpgradePlan> => {
        const { plan } = await planUpgrade(sql, policy, sandbox, upgradeTenant(input), input.instanceId, {
          toVersion: input.toVersion,
          ...(input.parameters ? { parameters: input.parameters } : {}),
          ...(input.secrets ? { secrets: input.secrets } : {}),
          requestedBy: input.requestedBy,
          ...(input.campaignId ? { campaignId: input.campaignId } : {}),
          ...(input.watchOverride ? { watchOverride: input.watchOverride } : {}),
        }, historySource());
        await update({ plan: sql.json(plan as never), change_kind: plan.changeKind, reasons: sql.json(plan.reasons as never) });
        return plan;
      }),

    async recordUpgradeStatus(input: { status: UpgradeStatus; error?: { code: string; message: string }; guardrails?: GuardrailDecision }): Promise<void> {
      await update({
        status: input.status,
        error: input.error ? sql.json(input.error as never) : null,
        ...(input.guardrails ? { guardrails: sql.json(input.guardrails as never) } : {}),
      });
    },

    /** An accepted decision of a second tenant admin; idempotent per (run, approver). */
    async recordUpgradeApproval(input: { tenantId: string; definitionId: string; version: string; approval: UpgradeApproval }): Promise<void> {
      const { workflowId, runId } = execution();
      const a = input.approval;
      await sql`
        insert into approval (tenant_id, workflow_id, run_id, subject_kind, definition_id, version, approver, approver_tenant, decision, rationale, decided_at)
        values (${input.tenantId}, ${workflowId}, ${runId}, 'upgrade', ${input.definitionId}, ${input.version}, ${a.approver.sub},
                ${a.approver.tenant}, ${a.decision}, ${a.rationale}, ${a.at})
        on conflict do nothing`;
    },

    /**
     * Applies the plan in one transaction: the instance moves to the target version, digest
     * and bindings; what it had before is kept in the upgrade's row (for a rollback).
     * Idempotent: a retry after the commit finds the upgrade applied.
     */
    applyUpgrade: (input: { instanceId: string; plan: UpgradePlan }) =>
      asFailure(async (): Promise<{ appliedAt: string; toDigest: string }> => {
        const { workflowId, runId } = execution();
        return sql.begin(async (tx) => {
          const db = tx as unknown as Sql;
          const [inst] = await tx<{ version: string; digest: string; status: string; parameters: Record<string, unknown>; secret_bindings: Record<string, string> }[]>`
            select version, digest, status, parameters, secret_bindings from workflow_instance where id = ${input.instanceId} for update`;
          const [row] = await tx<{ applied_at: Date | null; to_digest: string | null; from_version: string; from_digest: string; tenant_id: string }[]>`
            select applied_at, to_digest, from_version, from_digest, tenant_id from instance_upgrade where workflow_id = ${workflowId} and run_id = ${runId}`;
          if (!inst || !row) throw conflict('INSTANCE_GONE', `instance ${input.instanceId} or its upgrade is gone`);
          if (row.applied_at) return { appliedAt: row.applied_at.toISOString(), toDigest: row.to_digest! };
          if (inst.status !== 'active') throw conflict(UPGRADE_CODES.instanceNotActive, `instance ${input.instanceId} is ${inst.status}: it cannot be upgraded`);
          if (inst.version !== row.from_version || inst.digest !== row.from_digest) {
            throw conflict('INSTANCE_CHANGED', `instance ${input.instanceId} moved to ${inst.version} while the upgrade was planned`);
          }
          const toDigest = await verifyTargetDigest(db, row.tenant_id, input.plan.definitionId, input.plan.toVersion);
          await tx`
            update workflow_instance set version = ${input.plan.toVersion}, digest = ${toDigest},
              parameters = ${tx.json(input.plan.next.parameters as never)}, secret_bindings = ${tx.json(input.plan.next.secrets)}, updated_at = now()
            where id = ${input.instanceId}`;
          const [applied] = await tx<{ applied_at: Date }[]>`
            update instance_upgrade set status = 'applying', to_digest = ${toDigest}, applied_at = now(), updated_at = now(),
              previous_parameters = ${tx.json(inst.parameters as never)}, previous_secret_bindings = ${tx.json(inst.secret_bindings)},
              next_parameters = ${tx.json(input.plan.next.parameters as never)}, next_secret_bindings = ${tx.json(input.plan.next.secrets)}
            where workflow_id = ${workflowId} and run_id = ${runId}
            returning applied_at`;
          return { appliedAt: applied!.applied_at.toISOString(), toDigest };
        });
      }),

    async recordSmokeRun(input: { runId: string; workflowId: string; status: string }): Promise<void> {
      await update({ smoke_run_id: input.runId, smoke_workflow_id: input.workflowId, smoke_status: input.status });
    },

    /** The instance's runs on the target version started since the upgrade was applied (the smoke run aside): finished and failed. */
    async upgradeWatchCounts(input: { instanceId: string; toVersion: string; since: string; excludeRunId?: string }): Promise<{ finished: number; failed: number }> {
      const [c] = await sql<{ finished: number; failed: number }[]>`
        -- a cancellation is a person's decision, not a fault of the version: it counts neither way (as the health figures)
        select count(*) filter (where status in ('completed', 'failed', 'timed_out'))::int as finished,
               count(*) filter (where status in ('failed', 'timed_out'))::int as failed
        from run
        where instance_id = ${input.instanceId} and version = ${input.toVersion} and mode = 'live' and started_at >= ${input.since}
          and id <> ${input.excludeRunId ?? ''}`;
      await update({ watch: sql.json({ finished: c!.finished, failed: c!.failed } as never) });
      return c!;
    },

    /**
     * Restores the version, digest and bindings the instance had before, exactly (one
     * transaction, under the instance's row lock). Idempotent: an instance already back (or
     * never moved) is left as it is. Runs in flight keep the plan they loaded.
     */
    rollbackUpgrade: (input: { instanceId: string; code: string; reason: string }) =>
      asFailure(async (): Promise<{ restored: boolean }> => {
        const { workflowId, runId } = execution();
        return sql.begin(async (tx) => {
          const [inst] = await tx<{ version: string; digest: string }[]>`select version, digest from workflow_instance where id = ${input.instanceId} for update`;
          const [row] = await tx<{
            applied_at: Date | null;
            rolled_back_at: Date | null;
            from_version: string;
            from_digest: string;
            to_version: string;
            to_digest: string | null;
            previous_parameters: Record<string, unknown>;
            previous_secret_bindings: Record<string, string>;
          }[]>`
            select applied_at, rolled_back_at, from_version, from_digest, to_version, to_digest, previous_parameters, previous_secret_bindings
            from instance_upgrade where workflow_id = ${workflowId} and run_id = ${runId} for update`;
          if (!inst || !row) return { restored: false };
          let restored = false;
          if (row.applied_at && !row.rolled_back_at && inst.version === row.to_version && inst.digest === row.to_digest) {
            await tx`
              update workflow_instance set version = ${row.from_version}, digest = ${row.from_digest},
                parameters = ${tx.json(row.previous_parameters as never)}, secret_bindings = ${tx.json(row.previous_secret_bindings)}, updated_at = now()
              where id = ${input.instanceId}`;
            restored = true;
          }
          await tx`
            update instance_upgrade set status = 'rolling_back', rollback_code = ${input.code}, rollback_reason = ${input.reason},
              rolled_back_at = coalesce(rolled_back_at, case when applied_at is not null then now() end), updated_at = now()
            where workflow_id = ${workflowId} and run_id = ${runId}`;
          return { restored };
        });
      }),

    /** The receipt and the read model's final status, in one transaction, then the receipt sealed (safe to retry). */
    completeUpgrade: (input: {
      instanceId: string;
      status: 'upgraded' | 'rolled_back';
      plan: UpgradePlan;
      approvals: UpgradeApproval[];
      requestedBy: string;
      smokeRun?: { runId: string; status: string };
      watch?: { finished: number; failed: number };
      rollback?: { code: string; reason: string };
      guardrails?: GuardrailDecision;
      overrides?: PolicyOverride[];
    }) =>
      asFailure(async (): Promise<{ receiptId: string }> => {
        const { workflowId, runId } = execution();
        const receiptId = receiptIdOf(workflowId, runId);
        const sealing = await sql.begin(async (tx) => {
          const [row] = await tx<{ tenant_id: string; to_digest: string | null; from_digest: string; campaign_id: string | null }[]>`
            select tenant_id, to_digest, from_digest, campaign_id from instance_upgrade where workflow_id = ${workflowId} and run_id = ${runId} for update`;
          if (!row) throw conflict('UPGRADE_GONE', `the upgrade of ${input.instanceId} has no read model`);
          const [inst] = await tx<{ version: string }[]>`select version from workflow_instance where id = ${input.instanceId}`;
          const expected = input.status === 'upgraded' ? input.plan.toVersion : input.plan.fromVersion;
          if (inst?.version !== expected) throw conflict('INSTANCE_CHANGED', `instance ${input.instanceId} is on ${inst?.version ?? 'nothing'}, not ${expected}`);
          await tx`update instance_upgrade set status = ${input.status}, receipt_id = ${receiptId}, error = null, updated_at = now()
                   where workflow_id = ${workflowId} and run_id = ${runId}`;
          // what was decided and bound: names and references only, never a secret value
          const decisions = {
            from: input.plan.fromVersion,
            to: input.plan.toVersion,
            outcome: input.status,
            changeKind: input.plan.changeKind,
            reasons: input.plan.reasons.map((r) => r.rule),
            migration: { declared: input.plan.migration.declared, applied: input.plan.migration.applied },
            approval: input.plan.approval,
            approvals: input.approvals,
            requestedBy: input.requestedBy,
            ...(row.campaign_id ? { campaignId: row.campaign_id } : {}),
            bindings: {
              parameters: Object.keys(input.plan.next.parameters).sort(),
              secrets: Object.fromEntries(Object.entries(input.plan.next.secrets).map(([k, v]) => [k, `secret://${row.tenant_id}/${v}`])),
            },
            ...(input.smokeRun ? { smokeRun: input.smokeRun } : {}),
            ...(input.watch ? { watch: input.watch } : {}),
            ...(input.rollback ? { rollback: input.rollback } : {}),
            // the guardrails' decision the upgrade went on, and who overrode which rule, why
            ...(input.guardrails ? { guardrails: guardrailSummary(input.guardrails), overrides: input.overrides ?? [] } : {}),
          };
          await tx`
            insert into provenance_receipt (id, tenant_id, lifecycle, workflow_id, run_id, subject, subject_digest, decisions)
            values (${receiptId}, ${row.tenant_id}, 'upgrade', ${workflowId}, ${runId}, ${`instance:${input.instanceId}`},
                    ${input.status === 'upgraded' ? row.to_digest : row.from_digest}, ${tx.json(decisions as never)})
            on conflict (workflow_id, run_id, lifecycle) do nothing`;
          return { tenantId: row.tenant_id, digest: (input.status === 'upgraded' ? row.to_digest : row.from_digest) ?? row.from_digest, details: decisions };
        });
        await sealOwnReceipt(
          { sql, keyRing },
          {
            lifecycle: 'upgrade',
            tenantId: sealing.tenantId,
            subject: { name: `instance:${input.instanceId}`, digest: sealing.digest },
            requestedBy: { sub: input.requestedBy, tenant: sealing.tenantId },
            decisions: approvalDecisions(input.approvals),
            details: sealing.details,
          },
        );
        return { receiptId };
      }),

    /** An upgrade that ended without changing the instance (blocked, rejected, failed before apply). */
    async endUpgrade(input: { status: 'blocked' | 'rejected' | 'failed'; error: { code: string; message: string; details?: unknown[] } }): Promise<void> {
      await update({ status: input.status, error: sql.json(input.error as never) });
    },
  };
}

export type UpgradeActivities = ReturnType<typeof createUpgradeActivities>;
