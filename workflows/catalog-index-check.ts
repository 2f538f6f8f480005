import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { indexLag, type CatalogIndexCheckReport, type CatalogIndexCheckResult } from '../domain/catalog-index-check.ts';
import { catalogReindexWorkflowId, type CatalogReindexInput } from '../domain/catalog-reindex.ts';
import { CATALOG_REINDEX_WORKFLOW_TYPE } from './contracts/catalog-reindex.ts';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const { recordCatalogIndexCheck } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry });
// pages through the whole catalog and heartbeats its cursor (a retry resumes)
const { checkCatalogIndex } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry });

const describe = (r: CatalogIndexCheckReport) =>
  `index check: ${r.missing.count} missing, ${r.altered.count} altered, ${r.extra} extra of ${r.postgres} entries` +
  (r.missing.sample.length ? ` (missing e.g. ${r.missing.sample.slice(0, 3).join(', ')})` : '');

/**
 * Catalog index check: compares Postgres (the truth) with the search collection and, when
 * they differ, repairs through the catalog reindex lifecycle (the same workflow an admin
 * starts, with the same workflow id: one already running is joined, not doubled), then
 * checks again. Started by a Temporal Schedule every CATALOG_INDEX_CHECK_INTERVAL and once
 * when a worker starts. Each check is recorded for GET /api/health (the index lag).
 */
export async function catalogIndexCheckWorkflow(): Promise<CatalogIndexCheckResult> {
  const run = { workflowId: workflowInfo().workflowId, runId: workflowInfo().runId };
  const check = await checkCatalogIndex();
  if (indexLag(check) === 0) {
    await recordCatalogIndexCheck({ ...run, kind: 'check', report: check });
    return { check };
  }
  const input: CatalogReindexInput = { requestedBy: 'catalog-index-check', reason: describe(check) };
  const workflowId = catalogReindexWorkflowId(check.alias);
  let reindex;
  try {
    reindex = await startChild(CATALOG_REINDEX_WORKFLOW_TYPE, {
      workflowId,
      args: [input],
      // the repair goes on if this check is terminated or times out
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // a reindex is running already (an admin's, or an earlier check's): it repairs this too
    const repair = { workflowId, joined: true };
    await recordCatalogIndexCheck({ ...run, kind: 'check', report: check, repair });
    return { check, repair };
  }
  const repair = { workflowId, runId: reindex.firstExecutionRunId, joined: false };
  await recordCatalogIndexCheck({ ...run, kind: 'check', report: check, repair });
  await reindex.result();
  const afterRepair = await checkCatalogIndex();
  await recordCatalogIndexCheck({ ...run, kind: 'after-repair', report: afterRepair, repair });
  return { check, repair, afterRepair };
}
