import {
  ParentClosePolicy,
  continueAsNew,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import type { CampaignMember } from '../activities/campaign.ts';
import {
  CAMPAIGN_CODES,
  DEFAULT_CAMPAIGN_CONCURRENCY,
  campaignOptionsProblem,
  countOutcome,
  emptyWave,
  outcomeOf,
  waveFailed,
  type CampaignCarry,
  type CampaignOutcome,
} from '../domain/campaign.ts';
import { upgradeWorkflowId, type CampaignProgress, type CampaignStatus, type CampaignWave, type UpgradeInput, type UpgradeResult } from '../domain/upgrade.ts';
import { campaignProgressQuery, type CampaignWorkflowInput } from './contracts/campaign.ts';
import { UPGRADE_WORKFLOW_TYPE } from './contracts/upgrade.ts';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Instances read per page of a wave; the history is checked for its size between pages. */
const PAGE = 200;
/** Continue as new past this many events (well below Temporal's limits), or when the server suggests it. */
const HISTORY_EVENTS = 8_000;

// the platform's search attributes (platform/temporal.ts SA), declared here: workflow code imports no client
const SA_TENANT = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
const SA_TEMPLATE = defineSearchAttributeKey('TemplateId', SearchAttributeType.KEYWORD);
const SA_LIFECYCLE = defineSearchAttributeKey('Lifecycle', SearchAttributeType.KEYWORD);

interface Outcome {
  instanceId: string;
  outcome: CampaignOutcome;
  code?: string;
}

/**
 * Upgrade campaign: select the instances whose policy allows the new version (and whose
 * tenant may still install it) → per wave, start each instance's upgrade lifecycle (a child,
 * at most `concurrency` at once; an upgrade that already ran for the version is never
 * started twice) and record progress in batches → a wave with a failed or rolled-back
 * upgrade stops starting new ones, its upgraded instances are rolled back and the campaign
 * halts; otherwise the next wave. Large fleets continue as new between pages, carrying the
 * progress, so the history stays bounded.
 */
export async function upgradeCampaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignProgress> {
  const { workflowId: campaignId } = workflowInfo();
  const concurrency = input.concurrency ?? DEFAULT_CAMPAIGN_CONCURRENCY;
  const progress: CampaignProgress = {
    campaignId,
    definitionId: input.definitionId,
    toVersion: input.toVersion,
    changeKind: input.changeKind,
    status: 'selecting',
    eligible: input.carry?.eligible ?? 0,
    waves: input.carry?.waves ?? [],
    startedAt: input.carry?.startedAt ?? '',
  };
  setHandler(campaignProgressQuery, () => progress);

  const record = (outcomes: Outcome[] = [], ended = false) =>
    acts.recordCampaignProgress({
      outcomes,
      status: progress.status,
      eligible: progress.eligible,
      waves: progress.waves.map((w) => ({ ...w })),
      ...(progress.error ? { error: progress.error } : {}),
      ended,
    });
  const finish = async (status: Extract<CampaignStatus, 'completed' | 'halted' | 'nothing_to_do'>, error?: { code: string; message: string }) => {
    progress.status = status;
    if (error) progress.error = error;
    await record([], true);
    progress.endedAt = new Date(Date.now()).toISOString();
    return progress;
  };

  let carry: CampaignCarry;
  if (input.carry) {
    carry = input.carry;
  } else {
    const { carry: _none, ...campaign } = input;
    progress.startedAt = (await acts.beginCampaign(campaign)).startedAt;
    const problem = campaignOptionsProblem(input.waves, input.concurrency);
    if (problem) return finish('halted', { code: CAMPAIGN_CODES.invalidInput, message: problem });
    if (input.changeKind === 'breaking') {
      return finish('halted', { code: CAMPAIGN_CODES.breaking, message: 'a breaking version is never upgraded to automatically: each instance upgrades on its own, with approval' });
    }
    const { eligible, sizes } = await acts.selectCampaignInstances({
      definitionId: input.definitionId,
      toVersion: input.toVersion,
      changeKind: input.changeKind,
      ...(input.waves ? { waves: input.waves } : {}),
    });
    progress.eligible = eligible;
    progress.waves = sizes.map((n, i) => emptyWave(i, n));
    if (!eligible) return finish('nothing_to_do');
    carry = { eligible, waves: progress.waves, wave: 0, after: -1, startedAt: progress.startedAt };
  }
  progress.status = 'running';

  /** One instance's upgrade lifecycle, started as a child; its end as the campaign's outcome. */
  async function upgradeOne(m: CampaignMember): Promise<Outcome> {
    const args: UpgradeInput = {
      instanceId: m.instanceId,
      // the instance's tenant: the campaign's requester is the publisher, the upgrade is the tenant's
      tenantId: m.tenantId,
      templateId: input.definitionId,
      toVersion: input.toVersion,
      requestedBy: input.requestedBy,
      campaignId,
      ...(input.watchOverride ? { watchOverride: input.watchOverride } : {}),
    };
    let child;
    try {
      child = await startChild<(i: UpgradeInput) => Promise<UpgradeResult>>(UPGRADE_WORKFLOW_TYPE, {
        workflowId: upgradeWorkflowId(m.instanceId, input.toVersion),
        args: [args],
        // an upgrade to this version that ran or runs (a manual one, an earlier attempt) is not started again
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        // an upgrade half-way through finishes (or rolls back) on its own if the campaign is terminated
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: SA_TENANT, value: m.tenantId },
          { key: SA_TEMPLATE, value: input.definitionId },
          { key: SA_LIFECYCLE, value: 'upgrade' },
        ],
      });
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return { instanceId: m.instanceId, outcome: 'skipped', code: 'UPGRADE_ALREADY_STARTED' };
      throw e;
    }
    try {
      const r = await child.result();
      const code = r.error?.code ?? r.rollback?.code;
      return { instanceId: m.instanceId, outcome: outcomeOf(r.status, code), ...(code ? { code } : {}) };
    } catch {
      // terminated, or failed as a workflow (a bug): the version did not prove itself here
      return { instanceId: m.instanceId, outcome: 'failed', code: 'UPGRADE_WORKFLOW_FAILED' };
    }
  }

  /**
   * Upgrades one page of a wave, `concurrency` at a time. Outcomes are written whenever no
   * write is in flight: one row per upgrade when they are slow, batches when they are fast.
   * Returns true when the wave must stop (an upgrade failed or rolled back).
   */
  async function runPage(page: CampaignMember[], wave: CampaignWave): Promise<boolean> {
    let next = 0;
    let stop = false;
    const pending: Outcome[] = [];
    let writing: Promise<void> | undefined;
    const flush = (): void => {
      if (writing || !pending.length) return;
      writing = record(pending.splice(0)).then(() => {
        writing = undefined;
        flush();
      });
    };
    const lane = async () => {
      while (!stop && next < page.length) {
        const o = await upgradeOne(page[next++]!);
        countOutcome(wave, o.outcome);
        if (o.outcome === 'rolled_back' || o.outcome === 'failed') stop = true;
        pending.push(o);
        flush();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, page.length) }, lane));
    flush();
    while (writing) await writing;
    return stop;
  }

  for (let w = carry.wave; w < progress.waves.length; w++) {
    const wave = progress.waves[w]!;
    wave.status = 'running';
    await record();
    let after = w === carry.wave ? carry.after : -1;
    let stopped = false;
    for (;;) {
      const page = await acts.campaignPage({ wave: w, after, limit: PAGE });
      if (!page.length) break;
      stopped = await runPage(page, wave);
      if (stopped) break;
      after = page[page.length - 1]!.position;
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS) {
        await continueAsNew<typeof upgradeCampaignWorkflow>({ ...input, carry: { eligible: progress.eligible, waves: progress.waves, wave: w, after, startedAt: progress.startedAt } });
      }
    }
    if (!stopped && !waveFailed(wave)) {
      wave.status = 'passed';
      continue;
    }
    // the wave failed: nothing more starts, what it upgraded goes back
    wave.status = 'failed';
    progress.status = 'rolling_back';
    await record();
    const reason = `${wave.rolledBack + wave.failed} of ${wave.instances} upgrades in wave ${w + 1} failed or rolled back`;
    const { reverted, notStarted } = await acts.rollbackCampaignWave({ wave: w, reason });
    wave.reverted += reverted;
    wave.upgraded -= reverted;
    wave.skipped += notStarted;
    wave.status = 'rolled_back';
    return finish('halted', {
      code: CAMPAIGN_CODES.waveFailed,
      message: `${reason}; the campaign stopped, ${reverted} upgraded instance${reverted === 1 ? ' was' : 's were'} rolled back and ${notStarted} not started`,
    });
  }
  return finish('completed');
}
