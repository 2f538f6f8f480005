import { describe, expect, it } from 'vitest';
import { SEMVER, compareSemver, isSemver } from '../../domain/semver.ts';
import { specSchema, validateSpecSchema } from '../../domain/schema-validator.ts';

// What SemVer 2.0.0 (semver.org, §2, §9, §10) accepts and rejects.
const VALID = [
  '0.0.4',
  '1.2.3',
  '10.20.30',
  '1.1.2-prerelease+meta',
  '1.1.2+meta',
  '1.1.2+meta-valid',
  '1.0.0-alpha',
  '1.0.0-beta',
  '1.0.0-alpha.beta',
  '1.0.0-alpha.beta.1',
  '1.0.0-alpha.1',
  '1.0.0-alpha0.valid',
  '1.0.0-alpha.0valid',
  '1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay',
  '1.0.0-rc.1+build.1',
  '2.0.0-rc.1+build.123',
  '1.2.3-beta',
  '10.2.3-DEV-SNAPSHOT',
  '1.2.3-SNAPSHOT-123',
  '1.0.0',
  '2.0.0+build.1848',
  '2.0.1-alpha.1227',
  '1.0.0-alpha+beta',
  '1.2.3----RC-SNAPSHOT.12.9.1--.12+788',
  '1.2.3----R-S.12.9.1--.12+meta',
  '1.2.3----RC-SNAPSHOT.12.9.1--.12',
  '1.0.0+0.build.1-rc.10000aaa-kk-0.1',
  '99999999999999999999999.999999999999999999.99999999999999999',
  '1.0.0-0A.is.legal',
  '1.0.0-0',
  '1.0.0+01', // build identifiers may have leading zeros
];

const INVALID = [
  ['1', 'too few parts'],
  ['1.2', 'too few parts'],
  ['1.2.3.4', 'too many parts'],
  ['01.1.1', 'leading zero in major'],
  ['1.01.1', 'leading zero in minor'],
  ['1.1.01', 'leading zero in patch'],
  ['1.2.3-0123', 'leading zero in a numeric pre-release identifier'],
  ['1.2.3-0123.0123', 'leading zeros in numeric pre-release identifiers'],
  ['1.0.0-alpha.01', 'leading zero in a later numeric pre-release identifier'],
  ['1.0.0-00', 'leading zero in a numeric pre-release identifier'],
  ['1.2.3-', 'empty pre-release'],
  ['1.2.3+', 'empty build metadata'],
  ['1.2.3-alpha..1', 'empty pre-release identifier'],
  ['1.2.3-.alpha', 'empty first pre-release identifier'],
  ['1.2.3-alpha.', 'empty last pre-release identifier'],
  ['1.2.3+meta..1', 'empty build identifier'],
  ['1.2.3+.meta', 'empty first build identifier'],
  ['1.1.2+.123', 'empty first build identifier'],
  ['+invalid', 'no version'],
  ['-invalid', 'no version'],
  ['-invalid+invalid', 'no version'],
  ['alpha', 'no version'],
  ['1.2.3-alpha_beta', 'underscore'],
  ['1.2.3-alpha+beta+gamma', 'two build parts'],
  ['1.2-SNAPSHOT', 'too few parts'],
  ['1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788', 'empty identifier, leading zero'],
  ['v1.2.3', 'leading v'],
  [' 1.2.3', 'leading space'],
  ['1.2.3\n', 'trailing newline'],
  ['1.2.3-ä', 'non-ASCII identifier'],
  ['1.2.3-\u0661', 'non-ASCII digit'],
  ['', 'empty'],
] as const;

describe('semver parsing follows SemVer 2.0.0', () => {
  it.each(VALID)('accepts %s', (v) => {
    expect(isSemver(v)).toBe(true);
  });

  it.each(INVALID)('rejects %j (%s)', (v) => {
    expect(isSemver(v)).toBe(false);
    expect(() => compareSemver(v, '1.0.0')).toThrow(TypeError);
  });

  it('the spec schema accepts exactly the same versions as the domain', () => {
    expect((specSchema as { $defs: { metadata: { properties: { version: { pattern: string } } } } }).$defs.metadata.properties.version.pattern).toBe(SEMVER.source);
    const spec = (version: string) => ({
      apiVersion: 'maestro.dev/v1',
      kind: 'Workflow',
      metadata: { name: 'semver-check', version, description: 'x', category: 'IT', risk: 'low', scope: 'tenant-local' },
      steps: [{ id: 'a', task: 'transform@1.0.0' }],
    });
    for (const v of VALID) expect(validateSpecSchema(spec(v)), v).toBe(true);
    for (const [v] of INVALID) expect(validateSpecSchema(spec(v)), JSON.stringify(v)).toBe(false);
  });
});

describe('semver precedence (§11)', () => {
  it('orders the example of the specification', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    expect([...ordered].reverse().sort(compareSemver)).toEqual(ordered);
    expect(['2.1.1', '2.0.0', '2.1.0', '1.0.0', '1.10.0', '1.9.0'].sort(compareSemver)).toEqual(['1.0.0', '1.9.0', '1.10.0', '2.0.0', '2.1.0', '2.1.1']);
  });

  it.each([
    ['1.0.0+build.1', '1.0.0+build.2', 0],
    ['1.0.0-alpha+x', '1.0.0-alpha', 0],
    ['1.0.0-1', '1.0.0-a', -1],
    ['1.0.0-a', '1.0.0-B', 1], // ASCII order: uppercase sorts first
    ['1.0.0-2', '1.0.0-10', -1],
    ['9007199254740993.0.0', '9007199254740992.0.0', 1], // beyond Number's integers
    ['1.0.0-9007199254740993', '1.0.0-9007199254740992', 1],
    ['1.0.0-alpha', '1.0.0-alpha.0', -1],
  ] as const)('%s vs %s → %i', (a, b, expected) => {
    expect(compareSemver(a, b)).toBe(expected);
    expect(compareSemver(b, a)).toBe(expected === 0 ? 0 : -expected);
  });
});
