import { defineQuery, defineSignal } from '@temporalio/workflow';
import { splitDefinitionId } from '../../domain/ids.ts';
import { certifyWorkflowId, type CertifyInput, type CertifyResult, type CertifyState } from '../../domain/certification.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the certify lifecycle, shared by the workflow, its activities and the API. */
export const CERTIFY_WORKFLOW_TYPE = 'certifyWorkflow';

export const certifyStateQuery = defineQuery<CertifyState>('state');

/** A newer certification of the same version superseded this one: stop waiting for the expiry. */
export const certificationSupersededSignal = defineSignal<[{ by: string }]>('superseded');

/**
 * A certification: `certify/<definition>@<version>/<n>`, n the version's attempt (the API
 * counts the version's certifications). A second start of a running one fails (the caller
 * answers CERTIFICATION_IN_PROGRESS); an id whose attempt wrote no certification (refused
 * at its start) may be used again. Findable by the publishing tenant and the template.
 */
export const certifyLifecycle = defineLifecycle<CertifyInput, CertifyResult>({
  lifecycle: 'certify',
  workflowType: CERTIFY_WORKFLOW_TYPE,
  workflowId: (i) => certifyWorkflowId(i.definitionId, i.version, i.attempt),
  searchAttributes: (i) => ({ ...(splitDefinitionId(i.definitionId) ? { tenantId: splitDefinitionId(i.definitionId)!.tenant } : {}), templateId: i.definitionId }),
  onRunning: 'fail',
  afterClosed: 'allow',
  memo: (i) => ({ definitionId: i.definitionId, version: i.version, attempt: i.attempt, certifier: i.requestedBy.sub }),
  queries: { state: certifyStateQuery } as never,
});
