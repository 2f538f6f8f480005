import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinManifests, registerManifest, setAdapterStatus } from '../../platform/registry.ts';
import { DomainError } from '../../domain/errors.ts';
import { openStack, type DemoUser, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => {
  await s?.close();
});

interface ErrorBody {
  code: string;
  message: string;
}

const transform = () => loadBuiltinManifests().find((m) => m.metadata.name === 'transform')!;
const freshName = () => `own-${randomUUID().replace(/-/g, '').slice(0, 12)}.step`;
const manifestNamed = (name: string, version = '1.0.0') => {
  const t = transform();
  return { ...t, metadata: { ...t.metadata, name, version } };
};

async function post<T>(p: string, user: DemoUser, body: unknown): Promise<{ status: number; body: T }> {
  const res = await s.request('POST', p, { user, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}
const register = (user: DemoUser, manifest: unknown) => post<{ ref: string; created: boolean } & ErrorBody>('/api/adapters', user, { manifest });
const setStatus = (user: DemoUser, name: string, version: string, status: string) =>
  post<{ status: string } & ErrorBody>(`/api/adapters/${name}/versions/${version}/status`, user, { status, replacement: 'transform@1.0.0' });

async function row(name: string, version = '1.0.0') {
  const [r] = await s.sql<{ status: string; owner_tenant: string | null }[]>`select status, owner_tenant from task_adapter where name = ${name} and version = ${version}`;
  return r;
}

describe('adapter ownership: only the owning tenant (or a platform admin) changes an adapter', () => {
  it('a publisher cannot retire a built-in', async () => {
    const res = await setStatus('pat', 'transform', '1.0.0', 'retired');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ADAPTER_NOT_OWNED');
    expect(res.body.message).toContain('the platform');
    expect(await row('transform')).toEqual({ status: 'active', owner_tenant: null });
  });

  it('a publisher cannot register a version under a built-in name', async () => {
    const res = await register('pat', manifestNamed('http.request', '9.0.0'));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ADAPTER_NOT_OWNED');
    expect(await row('http.request', '9.0.0')).toBeUndefined();
  });

  it("a publisher registers and retires its own adapter; other tenants' users cannot touch it", async () => {
    const name = freshName();
    expect(await register('pat', manifestNamed(name))).toMatchObject({ status: 201, body: { ref: `${name}@1.0.0`, created: true } });
    expect(await row(name)).toEqual({ status: 'active', owner_tenant: 'acme' });
    // a second version by the owner is fine
    expect((await register('pat', manifestNamed(name, '1.1.0'))).status).toBe(201);

    for (const user of ['carol', 'dave'] as const) {
      const res = await setStatus(user, name, '1.0.0', 'retired');
      expect(res.status).toBe(403);
      expect((await register(user, manifestNamed(name, '2.0.0'))).status).toBe(403);
    }
    expect(await row(name)).toMatchObject({ status: 'active' });

    // a publisher of another tenant is refused by the activity layer too
    const globexPublisher = { sub: 'gp', tenant: 'globex', roles: ['publisher' as const] };
    await expect(setAdapterStatus(s.sql, name, '1.0.0', 'retired', undefined, globexPublisher)).rejects.toMatchObject({ code: 'ADAPTER_NOT_OWNED' });
    const err = await registerManifest(s.sql, manifestNamed(name, '3.0.0'), 'maestro-core', 'globex', globexPublisher).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'ADAPTER_NOT_OWNED', message: expect.stringContaining('tenant "acme"') });
    expect(await row(name, '3.0.0')).toBeUndefined();

    expect(await setStatus('pat', name, '1.0.0', 'retired')).toMatchObject({ status: 200, body: { status: 'retired' } });
    expect(await row(name)).toMatchObject({ status: 'retired' });
  });

  it('a platform admin registers platform-owned adapters and manages them; publishers cannot', async () => {
    const name = freshName();
    expect(await register('root', manifestNamed(name))).toMatchObject({ status: 201 });
    expect(await row(name)).toEqual({ status: 'active', owner_tenant: null });

    const refused = await setStatus('pat', name, '1.0.0', 'deprecated');
    expect(refused).toMatchObject({ status: 403, body: { code: 'ADAPTER_NOT_OWNED' } });
    expect((await register('pat', manifestNamed(name, '1.1.0'))).status).toBe(403);

    expect(await setStatus('root', name, '1.0.0', 'deprecated')).toMatchObject({ status: 200, body: { status: 'deprecated' } });
    expect(await row(name)).toEqual({ status: 'deprecated', owner_tenant: null });

    // a platform admin may also act on a tenant's adapter; new versions keep the tenant as owner
    const tenantName = freshName();
    expect((await register('pat', manifestNamed(tenantName))).status).toBe(201);
    expect((await register('root', manifestNamed(tenantName, '1.1.0'))).status).toBe(201);
    expect(await row(tenantName, '1.1.0')).toEqual({ status: 'active', owner_tenant: 'acme' });
    expect((await setStatus('root', tenantName, '1.0.0', 'deprecated')).status).toBe(200);
  });
});
