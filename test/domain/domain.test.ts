import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { compareSemver, isSemver } from '../../domain/semver.ts';
import { parsePublishWorkflowId, splitDefinitionId, workflowIds } from '../../domain/ids.ts';
import { contentDigest } from '../../platform/digest.ts';

describe('canonical JSON and digests', () => {
  it('ignores key order and whitespace, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: true, c: null }], e: 'x' })).toBe('{"a":[3,{"c":null,"d":true}],"b":1,"e":"x"}');
    expect(contentDigest({ a: 1, b: 2 })).toBe(contentDigest({ b: 2, a: 1 }));
    expect(contentDigest([1, 2])).not.toBe(contentDigest([2, 1]));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('semver', () => {
  it('orders versions including pre-releases', () => {
    const sorted = ['1.0.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '0.9.9', '1.10.0', '1.2.0'].sort(compareSemver);
    expect(sorted).toEqual(['0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0', '1.2.0', '1.10.0']);
    expect(isSemver('1.0')).toBe(false);
    expect(isSemver('01.0.0')).toBe(false);
  });
});

describe('ids', () => {
  it('builds deterministic workflow ids per business key', () => {
    expect(workflowIds.publish('acme.hr-onboarding', '1.2.0')).toBe('publish/acme.hr-onboarding/1.2.0');
    expect(parsePublishWorkflowId('publish/acme.hr-onboarding/1.2.0')).toEqual({ definitionId: 'acme.hr-onboarding', version: '1.2.0' });
    expect(splitDefinitionId('acme.hr-onboarding')).toEqual({ tenant: 'acme', name: 'hr-onboarding' });
    expect(splitDefinitionId('../etc')).toBeUndefined();
  });
});
