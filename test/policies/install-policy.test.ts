import { describe, expect, it } from 'vitest';
import { loadPolicyEngine, type InstallPolicyInput } from '../../platform/opa.ts';

const engine = () => loadPolicyEngine('.build/policies');
const input = (over: Partial<InstallPolicyInput> & { risk?: string } = {}): InstallPolicyInput => ({
  actor: { sub: 'gus', tenant: 'globex', roles: ['tenant-admin'] },
  tenant: 'globex',
  environment: 'dev',
  template: { id: 'acme.payroll-sync', owner_tenant: 'acme', visibility: 'public-ecosystem', visible: true, risk: (over.risk ?? 'low') as never },
  version: { version: '1.0.0', status: 'published', visible: true },
  ...over,
});

describe('install policy compiled to wasm', () => {
  it('allows a tenant admin to install an offered, published version; approvals by risk and environment', async () => {
    const e = await engine();
    expect(e.installDecision(input())).toEqual({ allow: true, deny: [], approvalsRequired: 0, reasons: [] });
    expect(e.installDecision(input({ risk: 'high' }))).toEqual({
      allow: true,
      deny: [],
      approvalsRequired: 1,
      reasons: ['risk is high: a second tenant admin of "globex" must approve'],
    });
    expect(e.installDecision(input({ risk: 'critical' })).approvalsRequired).toBe(1);
    expect(e.installDecision(input({ risk: 'critical', environment: 'prod' })).approvalsRequired).toBe(2);
  });

  it('denies with every reason that applies', async () => {
    const d = (await engine()).installDecision(
      input({
        actor: { sub: 'alice', tenant: 'acme', roles: ['author'] },
        template: { id: 'acme.payroll-sync', owner_tenant: 'acme', visibility: 'partner-curated', visible: false, risk: 'low' },
        version: { version: '2.0.0', status: 'draft', visible: false },
      }),
    );
    expect(d.allow).toBe(false);
    expect(d.deny).toEqual([
      'an actor of tenant "acme" cannot install into tenant "globex"',
      'only a tenant admin may install a template',
      'template "acme.payroll-sync" is not offered to tenant "globex" (profile partner-curated)',
      'version 2.0.0 of "acme.payroll-sync" is draft, not published: only published versions install',
    ]);
  });
});
