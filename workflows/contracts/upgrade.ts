import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { upgradeWorkflowId, type UpgradeApproval, type UpgradeApproveArgs, type UpgradeInput, type UpgradeResult, type UpgradeState } from '../../domain/upgrade.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the upgrade lifecycle, shared by the workflow, the API and campaigns. */
export const UPGRADE_WORKFLOW_TYPE = 'upgradeWorkflow';

export const approveUpgradeUpdate = defineUpdate<UpgradeApproval, [UpgradeApproveArgs]>('approve');
export const rejectUpgradeUpdate = defineUpdate<UpgradeApproval, [UpgradeApproveArgs]>('reject');
export const upgradeStateQuery = defineQuery<UpgradeState>('state');

export { UPGRADE_CODES } from '../../domain/upgrade.ts';

/**
 * An upgrade of one instance to one version: `upgrade/<instance>/<version>`. A request for
 * an upgrade that is running fails (the API answers 409 UPGRADE_IN_PROGRESS); one after a
 * closed attempt (rolled back, blocked, rejected) starts a new attempt under the same id.
 */
export const upgradeLifecycle = defineLifecycle<UpgradeInput, UpgradeResult>({
  lifecycle: 'upgrade',
  workflowType: UPGRADE_WORKFLOW_TYPE,
  workflowId: (i) => upgradeWorkflowId(i.instanceId, i.toVersion),
  searchAttributes: (i) => ({ tenantId: i.tenantId ?? i.requestedBy.tenant, ...(i.templateId ? { templateId: i.templateId } : {}) }),
  onRunning: 'fail',
  afterClosed: 'allow',
  memo: (i) => ({ instanceId: i.instanceId, toVersion: i.toVersion, ...(i.campaignId ? { campaignId: i.campaignId } : {}) }),
  updates: { approve: approveUpgradeUpdate, reject: rejectUpgradeUpdate } as never,
  queries: { state: upgradeStateQuery } as never,
});
