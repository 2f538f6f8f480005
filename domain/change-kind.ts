/**
 * Change classification (issue 11): what a new version changes for the instances installed
 * from an older one, computed from the two specs — never declared by the author.
 *
 * Types only in this first commit; `classifyChange(previous, next)` (pure, table-tested in
 * test/domain/change-kind.test.ts) and `bumpAgreement(previousVersion, nextVersion, kind)`
 * follow in the same module.
 */

/** breaking: installs must change (or migrate) their bindings; non-breaking: they keep working; patch: docs only. */
export type ChangeKind = 'breaking' | 'non-breaking' | 'patch';

export const CHANGE_KINDS: readonly ChangeKind[] = ['breaking', 'non-breaking', 'patch'];

/** One computed reason; the kind of a change is the most severe kind among its reasons. */
export interface ChangeReason {
  /** a stable rule id, e.g. parameter-removed, parameter-required, type-narrowed, enum-value-removed, secret-required, endpoint-required, task-major-raised, output-removed, parameter-added, type-widened, step-added, docs */
  rule: string;
  kind: ChangeKind;
  /** JSON Pointer into the new spec (or the old one for something removed) */
  pointer: string;
  message: string;
}

export interface ChangeClassification {
  kind: ChangeKind;
  /** the version compared against (the latest published version before this one) */
  from: string;
  reasons: ChangeReason[];
}
