/**
 * Strict SemVer 2.0.0 (no leading `v`): the grammar of semver.org, so numeric identifiers
 * (major, minor, patch and numeric pre-release identifiers) have no leading zeros and no
 * identifier is empty. domain/schemas/workflow-spec.v1.schema.json holds the same pattern
 * (test/domain/semver.test.ts keeps the two equal).
 */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const isSemver = (v: string) => SEMVER.test(v);

/** Numeric identifiers compare as integers of any size (Number would round past 2^53). */
const compareInt = (a: string, b: string) => (a.length !== b.length ? Math.sign(a.length - b.length) : a < b ? -1 : a > b ? 1 : 0);

/** SemVer 2.0.0 precedence (§11); build metadata is ignored. Throws on a non-version. */
export function compareSemver(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) throw new TypeError(`not semver: ${!pa ? a : b}`);
  for (let i = 1; i <= 3; i++) {
    const d = compareInt(pa[i]!, pb[i]!);
    if (d !== 0) return d;
  }
  const ra = pa[4];
  const rb = pb[4];
  if (ra === rb) return 0;
  if (ra === undefined) return 1;
  if (rb === undefined) return -1;
  const xa = ra.split('.');
  const xb = rb.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const ia = xa[i];
    const ib = xb[i];
    if (ia === undefined) return -1;
    if (ib === undefined) return 1;
    const na = /^\d+$/.test(ia);
    const nb = /^\d+$/.test(ib);
    if (na && nb) {
      const d = compareInt(ia, ib);
      if (d !== 0) return d;
    } else if (na !== nb) return na ? -1 : 1;
    else if (ia !== ib) return ia < ib ? -1 : 1;
  }
  return 0;
}
