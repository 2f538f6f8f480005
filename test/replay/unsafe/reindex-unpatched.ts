// The catch-up before the switch added to the catalog reindex *without* patched(): a run
// recorded before that change must fail to replay against it.
import type { CatalogReindexInput } from '../../../domain/catalog-reindex.ts';
import { reindexCatalog } from '../../../workflows/catalog-reindex.ts';

export async function catalogReindexWorkflow(input: CatalogReindexInput) {
  return reindexCatalog(input, { catchUpBeforeSwitch: () => true });
}
