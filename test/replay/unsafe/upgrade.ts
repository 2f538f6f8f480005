// An *unsafe* edit of the upgrade lifecycle, without patched(): the plan moved ahead of the
// upgrade's lock (beginUpgrade). An upgrade recorded before must not replay against it.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.ts';
import type { UpgradeInput } from '../../../domain/upgrade.ts';
import { upgradeWorkflow as currentUpgrade } from '../../../workflows/upgrade.ts';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes' });

export async function upgradeWorkflow(input: UpgradeInput) {
  await acts.planUpgrade(input);
  return currentUpgrade(input);
}
