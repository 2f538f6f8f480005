export { publishWorkflow } from './publish.ts';
export { createDraftWorkflow } from './draft.ts';
export { registerAdapterWorkflow, setAdapterStatusWorkflow } from './registry.ts';
export { runWorkflow } from './run.ts';
export { healthRollupWorkflow } from './health-rollup.ts';
export { catalogReindexWorkflow } from './catalog-reindex.ts';
export { catalogIndexCheckWorkflow } from './catalog-index-check.ts';
export { installWorkflow, uninstallWorkflow, instanceStatusWorkflow } from './install.ts';
export { curateTemplateWorkflow } from './curate-template.ts';
