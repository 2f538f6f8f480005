import { defineQuery } from '@temporalio/workflow';
import { splitDefinitionId } from '../../domain/ids.ts';
import { campaignWorkflowId, type CampaignInput, type CampaignProgress } from '../../domain/upgrade.ts';
import type { CampaignCarry } from '../../domain/campaign.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the upgrade campaign, shared by the workflow, the publish activity and the API. */
export const CAMPAIGN_WORKFLOW_TYPE = 'upgradeCampaignWorkflow';

export const campaignProgressQuery = defineQuery<CampaignProgress>('progress');

/** The campaign's input; `carry` only on a continued run (the progress so far). */
export type CampaignWorkflowInput = CampaignInput & { carry?: CampaignCarry };

/**
 * One campaign per published version (`campaign/<definition>@<version>`): a second trigger
 * (a re-run publish, a retried start) joins the running one, and a closed campaign never
 * starts again — an auto-upgrade happens once per new version. Findable by the publishing
 * tenant and the template.
 */
export const campaignLifecycle = defineLifecycle<CampaignWorkflowInput, CampaignProgress>({
  lifecycle: 'upgrade-campaign',
  workflowType: CAMPAIGN_WORKFLOW_TYPE,
  workflowId: (i) => campaignWorkflowId(i.definitionId, i.toVersion),
  searchAttributes: (i) => ({ ...(splitDefinitionId(i.definitionId) ? { tenantId: splitDefinitionId(i.definitionId)!.tenant } : {}), templateId: i.definitionId }),
  onRunning: 'join',
  afterClosed: 'reject',
  memo: (i) => ({ definitionId: i.definitionId, toVersion: i.toVersion, changeKind: i.changeKind }),
  queries: { progress: campaignProgressQuery } as never,
});

