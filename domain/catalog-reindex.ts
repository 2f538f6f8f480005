/**
 * The catalog reindex: rebuilds the search collection from Postgres into a new collection,
 * switches the alias to it and reports what the old collection got wrong. Shared by the
 * workflow, the API and the Switchboard.
 */

export interface CatalogReindexInput {
  /** who asked (the platform admin's subject) */
  requestedBy: string;
  reason?: string;
}

/** Samples in a report hold at most this many ids (the counts are exact). */
export const REINDEX_SAMPLE_SIZE = 50;

export interface CatalogReindexReport {
  requestedBy: string;
  reason?: string;
  /** the collection the alias pointed to before (dropped at the end); null when there was none */
  previousCollection: string | null;
  /** the collection built by this run, which the alias points to now */
  collection: string;
  /** entries in the catalog (Postgres) */
  total: number;
  /** documents that matched Postgres (provenance fields aside): copied as they were */
  unchanged: number;
  /** entries that had no document */
  missing: { count: number; sample: string[] };
  /** documents that differed from Postgres, with the fields that differed */
  altered: { count: number; sample: { id: string; fields: string[] }[] };
  /** documents without an entry in Postgres (stale or planted): not carried over */
  extra: { count: number; sample: string[] };
  /**
   * entries changed by other lifecycles while the copy ran, re-read before the switch and
   * again after it. A difference in one of them counts here, not as missing or altered: its
   * lifecycle may have committed to Postgres and not yet written the old collection
   */
  caughtUp: number;
  startedAt: string;
  finishedAt: string;
}

export type CatalogReindexPhase = 'preparing' | 'copying' | 'checking-extra' | 'switching' | 'catching-up' | 'dropping' | 'done';

/** What a running reindex has done so far (its `reindexProgress` query). */
export interface CatalogReindexProgress {
  phase: CatalogReindexPhase;
  collection?: string;
  previousCollection?: string | null;
  copied: number;
  missing: number;
  altered: number;
}

/**
 * One reindex at a time per catalog alias: a second request while one runs joins it. The
 * alias is part of the id because several catalogs (e.g. test suites) may share one
 * Temporal namespace.
 */
export const catalogReindexWorkflowId = (alias: string) => `catalog-reindex/${alias}`;
