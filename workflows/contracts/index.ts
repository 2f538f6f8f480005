export * from './lifecycle.ts';
export * from './publish.ts';
export * from './run.ts';
export * from './health-rollup.ts';
export * from './catalog-reindex.ts';
export * from './catalog-index-check.ts';
export * from './install.ts';
export * from './curate-template.ts';
export * from './upgrade.ts';

/** Default task queue of the core worker (configurable: TEMPORAL_TASK_QUEUE). */
export const DEFAULT_TASK_QUEUE = 'maestro-core';
export * from './campaign.ts';
export * from './certify.ts';
export * from './review.ts';
