import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadPolicyEngine } from '../../platform/opa.ts';
import { toolPath } from '../../platform/embedded/tools.ts';

const engine = () => loadPolicyEngine('.build/policies');
const actor = (roles: string[], tenant = 'acme') => ({ sub: 'u1', tenant, roles: roles as never });
const def = (risk: string, scope: string, tenant = 'acme', visibility = scope === 'global' ? 'public-ecosystem' : 'internal-only') =>
  ({ id: `${tenant}.x`, tenant, risk: risk as never, scope: scope as never, category: 'HR', visibility: visibility as never });

describe('publish policy compiled to wasm', () => {
  it('lets an author publish low-risk tenant-local workflows without review', async () => {
    expect((await engine()).publishDecision({ actor: actor(['author']), definition: def('low', 'tenant-local') })).toEqual({
      allow: true,
      reviewRequired: false,
      requiredApprovals: 0,
      deny: [],
      reviewReasons: [],
      visibility: 'internal-only',
    });
  });

  it('asks for review with reasons, and two approvals for critical risk', async () => {
    const e = await engine();
    expect(e.publishDecision({ actor: actor(['publisher']), definition: def('high', 'global') })).toMatchObject({
      allow: true,
      reviewRequired: true,
      requiredApprovals: 1,
      reviewReasons: ['risk is high: a reviewer must approve', 'visibility public-ecosystem: the workflow becomes visible beyond its owning tenant'],
      visibility: 'public-ecosystem',
    });
    expect(e.publishDecision({ actor: actor(['publisher']), definition: def('critical', 'tenant-local') }).requiredApprovals).toBe(2);
  });

  it('denies with every reason that applies', async () => {
    const d = (await engine()).publishDecision({ actor: actor(['reviewer'], 'globex'), definition: def('critical', 'tenant-local') });
    expect(d.allow).toBe(false);
    expect(d.deny).toEqual([
      'actor has neither the author nor the publisher role',
      'an actor of tenant "globex" cannot publish a definition owned by tenant "acme"',
      'only a publisher may publish a critical-risk workflow',
    ]);
  });

  it('is loaded once per process', async () => {
    expect(await engine()).toBe(await engine());
  });
});

describe('publish policy through opa test', () => {
  it('passes its Rego unit tests', () => {
    const out = execFileSync(toolPath('opa'), ['test', '--ignore', 'scenarios', 'policies/', '-v'], { encoding: 'utf8' });
    expect(out).toMatch(/PASS: \d+\/\d+/);
    expect(out).not.toMatch(/FAIL/);
  });
});
