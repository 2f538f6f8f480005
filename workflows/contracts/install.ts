import { defineQuery, defineUpdate } from '@temporalio/workflow';
import {
  installWorkflowId,
  instanceStatusWorkflowId,
  uninstallWorkflowId,
  type InstallApproval,
  type InstallApproveArgs,
  type InstallInput,
  type InstallResult,
  type InstallState,
  type InstanceStatusInput,
  type UninstallInput,
  type UninstallResult,
  type UninstallState,
} from '../../domain/install.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the install and uninstall lifecycles, shared by the workflows and the API. */
export const INSTALL_WORKFLOW_TYPE = 'installWorkflow';
export const UNINSTALL_WORKFLOW_TYPE = 'uninstallWorkflow';
export const INSTANCE_STATUS_WORKFLOW_TYPE = 'instanceStatusWorkflow';

export const approveInstallUpdate = defineUpdate<InstallApproval, [InstallApproveArgs]>('approve');
export const rejectInstallUpdate = defineUpdate<InstallApproval, [InstallApproveArgs]>('reject');
export const installStateQuery = defineQuery<InstallState>('state');
export const uninstallStateQuery = defineQuery<UninstallState>('state');

export { INSTALL_CODES } from '../../domain/install.ts';

/**
 * An install: one per instance id (the API chooses it). A retried request joins the
 * running install; a closed one never starts again (a new install gets a new instance id).
 */
export const installLifecycle = defineLifecycle<InstallInput, InstallResult>({
  lifecycle: 'install',
  workflowType: INSTALL_WORKFLOW_TYPE,
  workflowId: (i) => installWorkflowId(i.instanceId),
  searchAttributes: (i) => ({ tenantId: i.requestedBy.tenant, templateId: i.templateId }),
  onRunning: 'join',
  afterClosed: 'reject',
  memo: (i) => ({ instanceId: i.instanceId, templateId: i.templateId, version: i.version, environment: i.environment }),
  updates: { approve: approveInstallUpdate, reject: rejectInstallUpdate } as never,
  queries: { state: installStateQuery } as never,
});

/**
 * Uninstalling an instance: one per instance. A repeated request joins the running one; one
 * that failed may be started again.
 */
export const uninstallLifecycle = defineLifecycle<UninstallInput & { templateId: string }, UninstallResult>({
  lifecycle: 'uninstall',
  workflowType: UNINSTALL_WORKFLOW_TYPE,
  workflowId: (i) => uninstallWorkflowId(i.instanceId),
  searchAttributes: (i) => ({ tenantId: i.requestedBy.tenant, templateId: i.templateId }),
  onRunning: 'join',
  afterClosed: 'allow',
  memo: (i) => ({ instanceId: i.instanceId, inFlight: i.inFlight }),
  queries: { state: uninstallStateQuery } as never,
});

/** Disabling or enabling an instance: a short lifecycle, so who changed it and when is in history. */
export const instanceStatusLifecycle = defineLifecycle<InstanceStatusInput & { templateId: string }, { status: string }>({
  lifecycle: 'instance-status',
  workflowType: INSTANCE_STATUS_WORKFLOW_TYPE,
  workflowId: (i) => instanceStatusWorkflowId(i.instanceId, i.change),
  searchAttributes: (i) => ({ tenantId: i.requestedBy.tenant, templateId: i.templateId }),
  onRunning: 'join',
  afterClosed: 'allow',
});
