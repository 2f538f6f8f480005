import { defineQuery } from '@temporalio/workflow';
import { catalogReindexWorkflowId, type CatalogReindexInput, type CatalogReindexProgress, type CatalogReindexReport } from '../../domain/catalog-reindex.ts';
import { defineLifecycle } from './lifecycle.ts';

/** The message contract of the catalog reindex, shared by the workflow and the API. */
export const CATALOG_REINDEX_WORKFLOW_TYPE = 'catalogReindexWorkflow';

export const reindexProgressQuery = defineQuery<CatalogReindexProgress>('reindexProgress');

export { catalogReindexWorkflowId } from '../../domain/catalog-reindex.ts';

/** One reindex per search alias at a time (`key` is the alias); a finished one may run again. */
export const catalogReindexLifecycle = defineLifecycle<CatalogReindexInput, CatalogReindexReport>({
  lifecycle: 'catalog-reindex',
  workflowType: CATALOG_REINDEX_WORKFLOW_TYPE,
  workflowId: (_i, key) => catalogReindexWorkflowId(key ?? 'catalog'),
  searchAttributes: () => ({}),
  onRunning: 'fail',
  afterClosed: 'allow',
  queries: { reindexProgress: reindexProgressQuery } as never,
});
