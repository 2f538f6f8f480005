import { createCatalogActivities, type CatalogDeps } from './catalog.ts';
import { createHealthActivities } from './health.ts';
import { createCatalogReindexActivities } from './catalog-reindex.ts';
import { createCatalogIndexCheckActivities } from './catalog-index-check.ts';
import { createPublishActivities, type PublishDeps } from './publish.ts';
import { createRegistryActivities } from './registry.ts';
import { createRunActivities } from './run.ts';
import { createTemplateActivities } from './templates.ts';
import { createExpressionActivities, type ExpressionDeps } from './expressions.ts';
import { createAdapterActivities, type AdapterDeps } from './adapters/index.ts';
import { createInstallActivities } from './install.ts';
import { createCampaignActivities } from './campaign.ts';
import { createUpgradeActivities } from './upgrade.ts';
import { createCertifyActivities, type CertifyDeps } from './certify.ts';
import { createReviewActivities, type ReviewDeps } from './review.ts';
import { createGuardrailActivities } from './guardrails.ts';

export type ActivityDeps = CatalogDeps & PublishDeps & ExpressionDeps & Pick<CertifyDeps, 'keyRing'> & { defaultQueue: string } & Pick<ReviewDeps, 'review'>;

/** Every core activity of the core worker, built from its dependencies (the worker composes). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPublishActivities(deps),
    ...createCatalogActivities(deps),
    ...createHealthActivities(deps),
    ...createCatalogReindexActivities(deps),
    ...createCatalogIndexCheckActivities(deps),
    ...createRegistryActivities(deps),
    ...createRunActivities(deps),
    ...createTemplateActivities(deps),
    ...createExpressionActivities(deps),
    ...createInstallActivities(deps),
    ...createCampaignActivities(deps),
    ...createUpgradeActivities(deps),
    ...createCertifyActivities(deps),
    ...createReviewActivities(deps),
    ...createGuardrailActivities(deps),
  };
}

/** The core activities' types, for proxyActivities in workflow code. */
export type Activities = ReturnType<typeof createActivities>;

/**
 * Everything the core worker serves: the core activities plus the built-in adapters,
 * registered under their task refs (e.g. `transform@1.0.0`), which the run engine calls.
 */
export function createWorkerActivities(deps: ActivityDeps & AdapterDeps) {
  return { ...createAdapterActivities(deps), ...createActivities(deps) };
}
