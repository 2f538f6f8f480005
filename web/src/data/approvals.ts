import { action, query } from '@solidjs/router';
import type { ApprovalRecord, PublishStatus } from '../../../domain/publish.ts';
import type { Risk, Scope } from '../../../domain/spec.ts';
import { apiFetch } from './api.ts';

export interface PendingApproval {
  workflowId: string;
  definitionId: string;
  version: string;
  title?: string;
  risk: Risk;
  scope: Scope;
  tenantId: string;
  requestedBy: { sub: string; name?: string };
  requestedAt: string;
  reviewReasons: string[];
  temporalUrl: string;
}

export type Decision = ApprovalRecord['decision'];

export interface DecisionInput {
  definitionId: string;
  version: string;
  decision: Decision;
  rationale: string;
}

export interface DecisionResult {
  approval: ApprovalRecord;
  status: PublishStatus;
}

export const pendingApprovals = query(
  () => apiFetch<{ items: PendingApproval[] }>('/api/approvals/pending'),
  'pendingApprovals',
);

/** Approve or reject one publish request. On success the router revalidates every query. */
export const decidePublish = action(async (input: DecisionInput): Promise<DecisionResult> => {
  const path = `/api/definitions/${encodeURIComponent(input.definitionId)}/publish-requests/${encodeURIComponent(input.version)}/approvals`;
  return apiFetch<DecisionResult>(path, {
    method: 'POST',
    body: { decision: input.decision, rationale: input.rationale },
  });
}, 'decidePublish');

export const sameRequest = (a: Pick<DecisionInput, 'definitionId' | 'version'>, b: Pick<DecisionInput, 'definitionId' | 'version'>) =>
  a.definitionId === b.definitionId && a.version === b.version;
