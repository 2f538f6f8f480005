/**
 * The catalog index check: compares what Postgres says is in the catalog with what the
 * search collection holds (counts, and a checksum per page of entries), and starts the
 * catalog reindex when they differ. Shared by the workflow, the activities and the API.
 */

export interface CatalogIndexCheckReport {
  /** the catalog alias the check looked at */
  alias: string;
  /** entries in the catalog (Postgres) */
  postgres: number;
  /** documents in the collection the alias points to */
  typesense: number;
  /** pages of entries compared, and those whose checksum differed */
  pages: number;
  differingPages: number;
  /** entries without a document */
  missing: { count: number; sample: string[] };
  /** documents that differ from Postgres (provenance aside) */
  altered: { count: number; sample: string[] };
  /** documents without an entry (counted: typesense − (postgres − missing)) */
  extra: number;
  checkedAt: string;
}

export interface CatalogIndexCheckResult {
  check: CatalogIndexCheckReport;
  /** the reindex started (or joined) to repair a drift */
  repair?: { workflowId: string; runId?: string; joined: boolean };
  /** the check once the repair finished (absent when joined a reindex already running) */
  afterRepair?: CatalogIndexCheckReport;
}

/** Out-of-sync documents: what search gets wrong right now. */
export const indexLag = (r: Pick<CatalogIndexCheckReport, 'missing' | 'altered' | 'extra'>) => r.missing.count + r.altered.count + r.extra;

/** One check at a time per alias (the schedule's runs get `<id>-<time>`). */
export const catalogIndexCheckScheduleId = (alias: string) => `catalog-index-check/${alias}`;
