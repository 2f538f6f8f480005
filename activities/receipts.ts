import { activityInfo, getClient } from '@temporalio/activity';
import type { Sql } from '../platform/db.ts';
import type { KeyRing } from '../platform/signing.ts';
import { receiptIdFor, sealReceipt, type SealedReceipt, type WorkflowService } from '../platform/receipts.ts';
import type { ReceiptDecision, ReceiptLifecycle } from '../domain/trust.ts';

/** What the signing activities need: the database and the key ring. */
export interface TrustDeps {
  sql: Sql;
  keyRing: KeyRing;
}

/**
 * Seals the receipt of the lifecycle run this activity belongs to: its history up to this
 * activity's own scheduled event is digested, the body signed with the platform key and
 * stored (once; a retry returns the sealed receipt). Call it after the transaction that
 * records the outcome: fetching a history and signing never happen under a row lock.
 */
export function sealOwnReceipt(
  deps: TrustDeps,
  r: {
    lifecycle: ReceiptLifecycle;
    tenantId: string;
    subject: { name: string; digest: string };
    decisions: ReceiptDecision[];
    requestedBy?: { sub: string; tenant: string };
    details?: unknown;
  },
): Promise<SealedReceipt> {
  const info = activityInfo();
  const e = info.workflowExecution;
  if (!e) throw new Error('a receipt is sealed by an activity of the lifecycle it records');
  return sealReceipt({
    sql: deps.sql,
    keyRing: deps.keyRing,
    service: getClient().workflowService,
    namespace: info.workflowNamespace ?? info.activityNamespace,
    lifecycle: r.lifecycle,
    tenantId: r.tenantId,
    workflowId: e.workflowId,
    runId: e.runId,
    activityId: info.activityId,
    subject: r.subject,
    decisions: r.decisions,
    ...(r.details !== undefined ? { details: r.details } : {}),
    ...(r.requestedBy ? { requestedBy: r.requestedBy } : {}),
    receiptId: receiptIdFor(e.workflowId, e.runId, r.lifecycle),
  });
}

/** Where this activity reads other lifecycles' histories (a publish receipt's, to recompute its digest). */
export function historySource(): { service: WorkflowService; namespace: string } {
  const info = activityInfo();
  return { service: getClient().workflowService, namespace: info.workflowNamespace ?? info.activityNamespace };
}
