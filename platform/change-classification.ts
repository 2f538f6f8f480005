/**
 * The change classification of a version against the published ones (issue 11), read from
 * Postgres: which published version a new one is compared with, whether its number agrees
 * with the computed kind, and the refusal when it does not. Shared by the draft API, the
 * validation endpoint and the publish activities, so all say the same.
 */
import type postgres from 'postgres';
import type { Sql } from './db.ts';

/** A connection or a transaction (completePublish computes under its lock). */
type Db = Sql | postgres.TransactionSql;
import { bumpAgreement, classifyChange, type ChangeClassification, type ChangeReason, type RecordedChangeKind } from '../domain/change-kind.ts';
import { inputError, type ErrorDetail } from '../domain/errors.ts';
import { compareSemver, isSemver } from '../domain/semver.ts';
import type { SpecV1 } from '../domain/spec-types.ts';

export const CHANGE_CODES = { bumpMismatch: 'VERSION_BUMP_MISMATCH', changelogRequired: 'CHANGELOG_REQUIRED' } as const;

/** The newest published version strictly below `version` (SemVer precedence), with its spec. */
export async function latestPublishedBelow(sql: Db, definitionId: string, version: string): Promise<{ version: string; spec: SpecV1 } | undefined> {
  if (!isSemver(version)) return undefined;
  const rows = await sql<{ version: string }[]>`
    select version from workflow_version where definition_id = ${definitionId} and status = 'published'`;
  let best: string | undefined;
  for (const { version: v } of rows) {
    if (isSemver(v) && compareSemver(v, version) < 0 && (!best || compareSemver(v, best) > 0)) best = v;
  }
  if (!best) return undefined;
  const [row] = await sql<{ spec: SpecV1 }[]>`select spec from workflow_version where definition_id = ${definitionId} and version = ${best}`;
  return row ? { version: best, spec: row.spec } : undefined;
}

/** What a version changes, and whether its number agrees; `initial` when nothing is published below it. */
export interface VersionChange {
  kind: RecordedChangeKind;
  from?: string;
  reasons: ChangeReason[];
  /** why the number disagrees with the kind (undefined: it agrees) */
  mismatch?: string;
}

export async function versionChange(sql: Db, definitionId: string, spec: SpecV1): Promise<VersionChange> {
  const previous = await latestPublishedBelow(sql, definitionId, spec.metadata.version);
  if (!previous) return { kind: 'initial', reasons: [] };
  const { kind, reasons } = classifyChange(previous.spec, spec);
  const mismatch = bumpAgreement(previous.version, spec.metadata.version, kind);
  return { kind, from: previous.version, reasons, ...(mismatch ? { mismatch } : {}) };
}

/** The reasons as error details: `{ path, code: <rule>, message: "<kind>: <message>" }`. */
export const reasonDetails = (reasons: ChangeReason[], prefix = ''): ErrorDetail[] =>
  reasons.map((r) => ({ path: prefix + r.pointer, code: r.rule, message: `${r.kind}: ${r.message}` }));

/**
 * 422 VERSION_BUMP_MISMATCH when the number disagrees: the first detail says why (at
 * /metadata/version), the others are the reasons the kind was computed from.
 */
export function assertBumpAgrees(change: VersionChange, version: string, prefix = ''): void {
  if (!change.mismatch) return;
  throw inputError(CHANGE_CODES.bumpMismatch, `${version}: ${change.mismatch}`, [
    { path: `${prefix}/metadata/version`, code: CHANGE_CODES.bumpMismatch, message: change.mismatch },
    ...reasonDetails(change.reasons, prefix),
  ]);
}

/** Every published version says what changed: 422 CHANGELOG_REQUIRED when metadata.changelog is empty. */
export function assertChangelog(spec: Pick<SpecV1, 'metadata'>, prefix = ''): void {
  if (typeof spec.metadata.changelog === 'string' && spec.metadata.changelog.trim().length > 0) return;
  throw inputError(CHANGE_CODES.changelogRequired, `${spec.metadata.version} has no changelog: a published version says what changed in metadata.changelog`, [
    { path: `${prefix}/metadata/changelog`, code: CHANGE_CODES.changelogRequired, message: 'say what changed in this version' },
  ]);
}

/** As recorded on a published version and shown by the API. */
export const classificationOf = (c: VersionChange): ChangeClassification | undefined =>
  c.kind === 'initial' || !c.from ? undefined : { kind: c.kind, from: c.from, reasons: c.reasons };
