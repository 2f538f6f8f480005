/** The message contract of the catalog index check, shared by the workflow, the worker and tests. */
export const CATALOG_INDEX_CHECK_WORKFLOW_TYPE = 'catalogIndexCheckWorkflow';

export { catalogIndexCheckScheduleId } from '../../domain/catalog-index-check.ts';
