import { createCatalogActivities, type CatalogDeps } from './catalog.ts';
import { createPublishActivities, type PublishDeps } from './publish.ts';
import { createRegistryActivities } from './registry.ts';

export type ActivityDeps = CatalogDeps & PublishDeps & { defaultQueue: string };

/** Every activity of the core worker, built from its dependencies (the worker composes). */
export function createActivities(deps: ActivityDeps) {
  return { ...createPublishActivities(deps), ...createCatalogActivities(deps), ...createRegistryActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
