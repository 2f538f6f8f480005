import { defineQuery } from '@temporalio/workflow';
import type { CatalogReindexProgress } from '../../domain/catalog-reindex.ts';

/** The message contract of the catalog reindex, shared by the workflow and the API. */
export const CATALOG_REINDEX_WORKFLOW_TYPE = 'catalogReindexWorkflow';

export const reindexProgressQuery = defineQuery<CatalogReindexProgress>('reindexProgress');

export { catalogReindexWorkflowId } from '../../domain/catalog-reindex.ts';
