import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyEngine, type PolicyEngine } from '../../platform/opa.ts';
import { createSql, type Sql } from '../../platform/db.ts';
import { createEgressGuard, policyHost, setTenantEgressAllow, tenantAllowFromDb } from '../../platform/egress.ts';
import { DEMO_EGRESS_ALLOW } from '../../platform/seed.ts';
import { toolPath } from '../../platform/embedded/tools.ts';
import { stackEnv } from '../support/stack-env.ts';

let policy: PolicyEngine;
let sql: Sql;
beforeAll(async () => {
  policy = await loadPolicyEngine('.build/policies');
  sql = createSql(stackEnv().databaseUrl, { max: 2 });
});
afterAll(async () => sql?.end({ timeout: 5 }));

const decide = (host: string, manifest: string[], tenant: string[]) => policy.egressDecision({ tenant: 'acme', host, manifest_allow: manifest, tenant_allow: tenant });

describe('egress policy compiled to wasm', () => {
  it('allows a host allowed by both lists and says which patterns matched', () => {
    expect(decide('hris.example.internal', ['*'], DEMO_EGRESS_ALLOW.acme!)).toEqual({
      allow: true,
      host: 'hris.example.internal',
      reasons: [],
      manifestMatch: ['*'],
      tenantMatch: ['*.example.internal'],
    });
  });

  it('denies with a reason per refusing list, quoting host and tenant (no %q in wasm sprintf)', () => {
    const d = decide('blocked.invalid', ['*.example.internal'], DEMO_EGRESS_ALLOW.acme!);
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      'host "blocked.invalid" is not allowed by the adapter manifest\'s egress allow-list [*.example.internal]',
      'host "blocked.invalid" is not allowed by the egress allow-list of tenant "acme" [*.example.internal, localhost, 127.0.0.1]',
    ]);
  });

  it('matches "*.suffix" on subdomains only, case-insensitively', () => {
    expect(decide('a.b.example.internal', ['*'], ['*.example.internal']).allow).toBe(true);
    expect(decide('example.internal', ['*'], ['*.example.internal']).allow).toBe(false);
    expect(decide('badexample.internal', ['*'], ['*.example.internal']).allow).toBe(false);
    expect(decide('API.Example.Internal', ['*'], ['*.EXAMPLE.internal']).allow).toBe(true);
  });

  it('an empty list allows nothing; "*" allows anything', () => {
    expect(decide('localhost', [], ['*']).allow).toBe(false);
    expect(decide('localhost', ['*'], []).allow).toBe(false);
    expect(decide('anywhere.example.com', ['*'], ['*']).allow).toBe(true);
  });

  it('normalises URL hosts before asking: IPv6 brackets and trailing dots', () => {
    expect(policyHost(new URL('http://[::1]:8080/x'))).toBe('::1');
    expect(policyHost(new URL('http://Example.Internal./'))).toBe('example.internal');
  });

  it('opa test runs the egress Rego unit tests', () => {
    const out = execFileSync(toolPath('opa'), ['test', '--ignore', 'scenarios', 'policies/', '--run', 'egress'], { encoding: 'utf8' });
    expect(out).toMatch(/PASS: \d+\/\d+/);
  });
});

describe('egress guard with tenant allow-lists from Postgres', () => {
  it('reads the seeded lists: acme may reach 127.0.0.1, globex may not', async () => {
    const guard = createEgressGuard({ policy, tenantAllow: tenantAllowFromDb(sql) });
    expect((await guard.check(new URL('http://127.0.0.1:9/'), 'acme', ['*'])).allow).toBe(true);
    expect((await guard.check(new URL('http://127.0.0.1:9/'), 'globex', ['*'])).allow).toBe(false);
    await expect(guard.assertAllowed(new URL('http://127.0.0.1:9/'), 'globex', ['*'])).rejects.toMatchObject({ code: 'EGRESS_DENIED', kind: 'not_allowed' });
  });

  it('a tenant without settings may call nothing; an edit applies at once; invalid patterns are refused', async () => {
    const guard = createEgressGuard({ policy, tenantAllow: tenantAllowFromDb(sql) });
    const tenant = `eg-${Date.now().toString(36)}`;
    await sql`insert into tenant (id, name) values (${tenant}, 'Egress test')`;
    expect((await guard.check(new URL('http://api.partner.test/'), tenant, ['*'])).allow).toBe(false);
    await setTenantEgressAllow(sql, tenant, ['*.partner.test']);
    expect((await guard.check(new URL('http://api.partner.test/'), tenant, ['*'])).allow).toBe(true);
    await setTenantEgressAllow(sql, tenant, []);
    expect((await guard.check(new URL('http://api.partner.test/'), tenant, ['*'])).allow).toBe(false);
    await expect(setTenantEgressAllow(sql, tenant, ['http://x.test/'])).rejects.toThrow(/check/);
  });
});
