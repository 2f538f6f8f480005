import { activityInfo, getClient, heartbeat } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Sql } from '../platform/db.ts';
import { startLifecycleWith } from '../platform/lifecycle-start.ts';
import { canInstallVersion, type Offering, type Visibility } from '../domain/access.ts';
import type { Actor } from '../domain/actor.ts';
import type { ChangeKind } from '../domain/change-kind.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { CAMPAIGN_CODES, autoUpgradeAllows, normalizePolicy, waveSizes, type CampaignOutcome } from '../domain/campaign.ts';
import { campaignWorkflowId, type CampaignInput, type CampaignStatus, type CampaignWave } from '../domain/upgrade.ts';
import { campaignLifecycle } from '../workflows/contracts/campaign.ts';
import { asFailure } from './errors.ts';

export interface CampaignDeps {
  sql: Sql;
  /** the core task queue: the campaign runs where the publish runs */
  defaultQueue: string;
}

function execution() {
  const e = activityInfo().workflowExecution;
  if (!e) throw new Error('campaign activities run inside a workflow');
  return e;
}

/** One instance the campaign upgrades (its page of the work list). */
export interface CampaignMember {
  instanceId: string;
  tenantId: string;
  fromVersion: string;
  position: number;
}

/** The change kinds a publish starts a campaign for: a breaking version is never automatic. */
const AUTOMATIC: readonly string[] = ['non-breaking', 'patch'];

export function createCampaignActivities({ sql, defaultQueue }: CampaignDeps) {
  return {
    /**
     * The publish's last step: start the version's campaign when its computed change kind
     * (workflow_version.change_kind) is non-breaking or patch. Idempotent: a campaign that
     * runs or ran for the version is not started again (its id is the version's).
     */
    startUpgradeCampaign: (input: { definitionId: string; version: string; requestedBy: Actor }) =>
      asFailure(async (): Promise<{ started: boolean; workflowId: string; reason?: string }> => {
        const workflowId = campaignWorkflowId(input.definitionId, input.version);
        const [v] = await sql<{ change_kind: string | null; status: string; review_state: string }[]>`
          select change_kind, status, review_state from workflow_version where definition_id = ${input.definitionId} and version = ${input.version}`;
        if (!v || v.status !== 'published') return { started: false, workflowId, reason: 'the version is not published' };
        // a marketplace version waits for its review: the passed review starts the campaign
        if (v.review_state === 'pending') return { started: false, workflowId, reason: 'the version waits for its marketplace review' };
        if (!v.change_kind || !AUTOMATIC.includes(v.change_kind)) {
          return { started: false, workflowId, reason: `a ${v.change_kind ?? 'first'} version is never upgraded to automatically` };
        }
        const campaign: CampaignInput = { definitionId: input.definitionId, toVersion: input.version, changeKind: v.change_kind as ChangeKind, requestedBy: input.requestedBy };
        try {
          await startLifecycleWith(getClient(), defaultQueue, campaignLifecycle, campaign);
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
          return { started: false, workflowId, reason: 'the campaign of this version already ran' };
        }
        return { started: true, workflowId };
      }),

    /** Opens the campaign's read model under the publisher's tenant (idempotent per campaign). */
    beginCampaign: (input: CampaignInput) =>
      asFailure(async (): Promise<{ ownerTenant: string; startedAt: string }> => {
        const { workflowId, runId } = execution();
        const [v] = await sql<{ tenant_id: string; status: string }[]>`
          select d.tenant_id, v.status from workflow_version v join workflow_definition d on d.id = v.definition_id
          where v.definition_id = ${input.definitionId} and v.version = ${input.toVersion}`;
        if (!v) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.toVersion} does not exist`);
        if (v.status !== 'published') throw conflict(CAMPAIGN_CODES.versionNotPublished, `${input.definitionId}@${input.toVersion} is not published`);
        const [row] = await sql<{ started_at: Date }[]>`
          insert into upgrade_campaign (workflow_id, run_id, tenant_id, definition_id, to_version, change_kind, status, requested_by)
          values (${workflowId}, ${runId}, ${v.tenant_id}, ${input.definitionId}, ${input.toVersion}, ${input.changeKind}, 'selecting', ${input.requestedBy.sub})
          on conflict (workflow_id) do update set run_id = excluded.run_id, updated_at = now()
          returning started_at`;
        return { ownerTenant: v.tenant_id, startedAt: row!.started_at.toISOString() };
      }),

    /**
     * Writes the campaign's work list: every active instance of the template whose policy
     * allows the version (domain/campaign.ts autoUpgradeAllows) and whose tenant may still
     * install it (the visibility rule, domain/access.ts canInstallVersion), in a stable
     * order spread across tenants, split into waves. Returns the wave sizes. Safe to retry:
     * it runs before any upgrade, and rewrites the list.
     */
    selectCampaignInstances: (input: { definitionId: string; toVersion: string; changeKind: ChangeKind; waves?: number[] }) =>
      asFailure(async (): Promise<{ eligible: number; sizes: number[] }> => {
        const { workflowId } = execution();
        const [offer] = await sql<{ owner: string; status: string; visibility: Visibility | null; audience: string[]; v_status: string; v_visibility: Visibility }[]>`
          select d.tenant_id as owner, d.status, t.visibility,
                 coalesce((select array_agg(a.tenant_id) from template_audience a where a.template_id = t.id), '{}') as audience,
                 v.status as v_status, v.visibility as v_visibility
          from workflow_definition d join workflow_version v on v.definition_id = d.id
          left join workflow_template t on t.definition_id = d.id
          where d.id = ${input.definitionId} and v.version = ${input.toVersion}`;
        if (!offer) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.toVersion} does not exist`);
        const offering: Offering = { ownerTenant: offer.owner, status: offer.status, visibility: offer.visibility ?? 'internal-only', audience: offer.audience };
        const version = { status: offer.v_status, visibility: offer.v_visibility };
        // a stable order that differs per campaign: the first wave samples across tenants
        const candidates = await sql<{ id: string; tenant_id: string; version: string; upgrade_policy: string }[]>`
          select id, tenant_id, version, upgrade_policy from workflow_instance
          where definition_id = ${input.definitionId} and status = 'active' and version <> ${input.toVersion}
          order by md5(id || ${workflowId}), id`;
        const mayInstall = new Map<string, boolean>();
        const chosen = candidates.filter((c) => {
          if (!autoUpgradeAllows(normalizePolicy(c.upgrade_policy), c.version, input.toVersion, input.changeKind)) return false;
          if (!mayInstall.has(c.tenant_id)) mayInstall.set(c.tenant_id, canInstallVersion(c.tenant_id, offering, version));
          return mayInstall.get(c.tenant_id)!;
        });
        const sizes = waveSizes(chosen.length, input.waves);
        const waveOf: number[] = sizes.flatMap((n, w) => Array<number>(n).fill(w));
        await sql.begin(async (tx) => {
          await tx`delete from upgrade_campaign_instance where campaign_id = ${workflowId}`;
          for (let i = 0; i < chosen.length; i += 1000) {
            const page = chosen.slice(i, i + 1000);
            await tx`
              insert into upgrade_campaign_instance (campaign_id, instance_id, tenant_id, wave, position, from_version)
              select ${workflowId}, x.instance_id, x.tenant_id, x.wave, x.position, x.from_version
              from unnest(${page.map((c) => c.id)}::text[], ${page.map((c) => c.tenant_id)}::text[], ${waveOf.slice(i, i + 1000)}::int[],
                          ${page.map((_, j) => i + j)}::int[], ${page.map((c) => c.version)}::text[])
                   as x(instance_id, tenant_id, wave, position, from_version)`;
          }
        });
        return { eligible: chosen.length, sizes };
      }),

    /** The next page of a wave's instances still to upgrade, after `after` (a position). */
    async campaignPage(input: { wave: number; after: number; limit: number }): Promise<CampaignMember[]> {
      const { workflowId } = execution();
      const rows = await sql<{ instance_id: string; tenant_id: string; from_version: string; position: number }[]>`
        select instance_id, tenant_id, from_version, position from upgrade_campaign_instance
        where campaign_id = ${workflowId} and wave = ${input.wave} and position > ${input.after} and status = 'pending'
        order by position limit ${Math.min(input.limit, 1000)}`;
      return rows.map((r) => ({ instanceId: r.instance_id, tenantId: r.tenant_id, fromVersion: r.from_version, position: r.position }));
    },

    /**
     * The campaign's progress after a batch of upgrades ended: each instance's outcome (one
     * statement for the batch) and the read model's counts, status and error.
     */
    async recordCampaignProgress(input: {
      outcomes: { instanceId: string; outcome: CampaignOutcome; code?: string }[];
      status: CampaignStatus;
      eligible: number;
      waves: CampaignWave[];
      error?: { code: string; message: string };
      ended?: boolean;
    }): Promise<void> {
      const { workflowId, runId } = execution();
      await sql.begin(async (tx) => {
        if (input.outcomes.length) {
          await tx`
            update upgrade_campaign_instance c set status = x.outcome, code = x.code, updated_at = now()
            from unnest(${input.outcomes.map((o) => o.instanceId)}::text[], ${input.outcomes.map((o) => o.outcome)}::text[],
                        ${input.outcomes.map((o) => o.code ?? null) as string[]}::text[]) as x(instance_id, outcome, code)
            where c.campaign_id = ${workflowId} and c.instance_id = x.instance_id`;
        }
        await tx`
          update upgrade_campaign set run_id = ${runId}, status = ${input.status}, eligible = ${input.eligible},
            waves = ${tx.json(input.waves as never)}, error = ${input.error ? tx.json(input.error as never) : null},
            ended_at = case when ${!!input.ended}::boolean then now() end, updated_at = now()
          where workflow_id = ${workflowId}`;
      });
    },

    /**
     * A failed wave goes back: each instance of the wave that the campaign upgraded is
     * restored to the version, digest and bindings its upgrade recorded before applying
     * (instance_upgrade), only while it is still on the campaign's version — so a retry, or
     * an instance upgraded again since, changes nothing twice. The wave's instances whose
     * upgrade never started are marked so. Pages of 200, a heartbeat after each.
     */
    async rollbackCampaignWave(input: { wave: number; reason: string }): Promise<{ reverted: number; notStarted: number }> {
      const { workflowId } = execution();
      for (;;) {
        const page = await sql.begin(async (tx) => {
          const rows = await tx<{ instance_id: string }[]>`
            select instance_id from upgrade_campaign_instance
            where campaign_id = ${workflowId} and wave = ${input.wave} and status = 'upgraded'
            order by position limit 200 for update skip locked`;
          if (!rows.length) return 0;
          const ids = rows.map((r) => r.instance_id);
          const restored = await tx`
            with last as (
              select distinct on (u.instance_id) u.workflow_id, u.run_id, u.instance_id, u.from_version, u.from_digest,
                     u.previous_parameters, u.previous_secret_bindings, u.to_version, u.to_digest
              from instance_upgrade u
              where u.campaign_id = ${workflowId} and u.instance_id = any(${ids}::text[]) and u.status = 'upgraded' and u.rolled_back_at is null
              order by u.instance_id, u.created_at desc
            ), inst as (
              update workflow_instance i set version = last.from_version, digest = last.from_digest,
                parameters = last.previous_parameters, secret_bindings = last.previous_secret_bindings, updated_at = now()
              from last where i.id = last.instance_id and i.version = last.to_version and i.digest = last.to_digest
              returning i.id
            )
            update instance_upgrade u set status = 'rolled_back', rollback_reason = ${input.reason}, rollback_code = ${CAMPAIGN_CODES.waveFailed},
              rolled_back_at = now(), updated_at = now()
            from last where u.workflow_id = last.workflow_id and u.run_id = last.run_id
            returning u.instance_id`;
          await tx`update upgrade_campaign_instance set status = 'reverted', code = ${CAMPAIGN_CODES.waveFailed}, updated_at = now()
                   where campaign_id = ${workflowId} and instance_id = any(${ids}::text[])`;
          return restored.length + ids.length;
        });
        if (!page) break;
        heartbeat();
      }
      const [done] = await sql<{ n: number }[]>`
        select count(*)::int as n from upgrade_campaign_instance where campaign_id = ${workflowId} and wave = ${input.wave} and status = 'reverted'`;
      const notStarted = await sql`
        update upgrade_campaign_instance set status = 'not_started', updated_at = now()
        where campaign_id = ${workflowId} and wave = ${input.wave} and status = 'pending' returning instance_id`;
      return { reverted: done?.n ?? 0, notStarted: notStarted.length };
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
