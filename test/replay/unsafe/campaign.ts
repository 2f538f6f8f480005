// *Unsafe* edit of the upgrade campaign, without patched(): its work list selected before
// the campaign's read model is opened. A campaign recorded before must not replay against it.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.ts';
import { upgradeCampaignWorkflow as current } from '../../../workflows/campaign.ts';
import type { CampaignWorkflowInput } from '../../../workflows/contracts/campaign.ts';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function upgradeCampaignWorkflow(input: CampaignWorkflowInput) {
  await acts.selectCampaignInstances({ definitionId: input.definitionId, toVersion: input.toVersion, changeKind: input.changeKind });
  return current(input);
}

// the publish without its patched() guard around the campaign start
export { publishWorkflow } from './publish-unpatched-campaign.ts';
