import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore, parseSecretRef, secretRef } from '../../platform/secrets.ts';
import { openStack, type Stack } from '../support/stack.ts';
import { uniqueName } from './support/adapters.ts';

let s: Stack;
beforeAll(async () => {
  // the API's store and the one used here share the test stack's SECRETS_KEY
  s = await openStack({ worker: false, envOverrides: { SECRETS_KEY: process.env.MAESTRO_TEST_SECRETS_KEY! } });
});
afterAll(async () => s?.close());

const store = () => createSecretStore(s.sql, s.env.secretsKey);
const rawRow = async (tenant: string, name: string) => {
  const [row] = await s.sql<{ ciphertext: Buffer; key_id: string }[]>`select ciphertext, key_id from secret where tenant_id = ${tenant} and name = ${name}`;
  return row!;
};

describe('secret store', () => {
  it('encrypts values at rest: the table holds neither the value nor an encoding of it', async () => {
    const name = uniqueName('at-rest');
    const value = `plain-${randomBytes(8).toString('hex')}`;
    await store().put('acme', name, value);
    const row = await rawRow('acme', name);
    expect(row.key_id).toBe(s.env.secretsKey.split(':')[0]);
    const raw = row.ciphertext;
    for (const needle of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')]) {
      expect(raw.includes(Buffer.from(needle))).toBe(false);
      expect(raw.toString('latin1')).not.toContain(needle);
    }
    // the whole table, as text, does not contain it either
    const [dump] = await s.sql<{ t: string }[]>`select string_agg(secret::text, '\n') as t from secret`;
    expect(dump!.t).not.toContain(value);
    expect(await store().resolve(secretRef('acme', name), 'acme')).toBe(value);
  });

  it('uses a fresh data key per write: the same value encrypts differently', async () => {
    const [n1, n2] = [uniqueName('same'), uniqueName('same')];
    await store().put('acme', n1, 'identical');
    await store().put('acme', n2, 'identical');
    expect((await rawRow('acme', n1)).ciphertext.equals((await rawRow('acme', n2)).ciphertext)).toBe(false);
  });

  it('binds a ciphertext to its row: copied to another name it does not decrypt', async () => {
    const [from, to] = [uniqueName('from'), uniqueName('to')];
    await store().put('acme', from, 'bound-value');
    await store().put('acme', to, 'other');
    await s.sql`update secret set ciphertext = (select ciphertext from secret where tenant_id = 'acme' and name = ${from}) where tenant_id = 'acme' and name = ${to}`;
    await expect(store().resolve(secretRef('acme', to), 'acme')).rejects.toThrow(/unable to authenticate|auth/i);
    await store().delete('acme', to);
  });

  it('refuses references to another tenant and reports missing secrets', async () => {
    const name = uniqueName('mine');
    await store().put('globex', name, 'globex-value');
    await expect(store().resolve(secretRef('globex', name), 'acme')).rejects.toMatchObject({ code: 'SECRET_FORBIDDEN', kind: 'not_allowed' });
    await expect(store().resolve(secretRef('acme', name), 'acme')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND', kind: 'not_found' });
    await expect(store().resolve('not-a-reference', 'acme')).rejects.toMatchObject({ code: 'SECRET_REFERENCE_INVALID' });
    expect(parseSecretRef('secret://acme/db-password')).toEqual({ tenantId: 'acme', name: 'db-password' });
    expect(parseSecretRef('secret://acme/../globex/x')).toBeUndefined();
  });

  it('rotates: a new active key re-wraps data keys, old rows stay readable until then', async () => {
    const name = uniqueName('rotate');
    await store().put('acme', name, 'rotating-value');
    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    const rotated = createSecretStore(s.sql, `${newKey},${s.env.secretsKey}`);
    expect(await rotated.resolve(secretRef('acme', name), 'acme')).toBe('rotating-value');
    expect(await rotated.rewrap()).toMatchObject({ rewrapped: expect.any(Number), unreadable: [] });
    expect((await rawRow('acme', name)).key_id).toBe('k2');
    expect(await rotated.resolve(secretRef('acme', name), 'acme')).toBe('rotating-value');
    // the old key alone can no longer unwrap it
    await expect(store().resolve(secretRef('acme', name), 'acme')).rejects.toThrow(/no master key "k2"/);
    // put everything back under the test key for the other tests of this run
    expect((await createSecretStore(s.sql, `${s.env.secretsKey},${newKey}`).rewrap()).rewrapped).toBeGreaterThan(0);
  });
});

describe('secrets API', () => {
  it('stores with PUT (204, nothing echoed), lists names only, deletes', async () => {
    const name = uniqueName('api');
    const value = `api-${randomBytes(8).toString('hex')}`;
    const put = await s.request('PUT', `/api/secrets/${name}`, { user: 'pat', body: JSON.stringify({ value }) });
    expect(put.status).toBe(204);
    expect(await put.text()).toBe('');
    expect(await store().resolve(secretRef('acme', name), 'acme')).toBe(value);

    const list = await s.request('GET', '/api/secrets', { user: 'alice' });
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(value);
    const items = (JSON.parse(text) as { items: Record<string, string>[] }).items;
    const item = items.find((i) => i.name === name);
    // names and metadata only: no field that could carry the value
    expect(item).toEqual({ name, ref: `secret://acme/${name}`, createdBy: 'pat', createdAt: expect.any(String), updatedBy: 'pat', updatedAt: expect.any(String) });

    // another tenant sees none of acme's secrets
    const globex = JSON.parse(await (await s.request('GET', '/api/secrets', { user: 'carol' })).text()) as { items: { name: string }[] };
    expect(globex.items.map((i) => i.name)).not.toContain(name);

    expect((await s.request('DELETE', `/api/secrets/${name}`, { user: 'pat' })).status).toBe(204);
    const again = await s.request('DELETE', `/api/secrets/${name}`, { user: 'pat' });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ code: 'SECRET_NOT_FOUND' });
  });

  it('lets tenant admins write for their own tenant only, and refuses authors', async () => {
    const name = uniqueName('admin');
    expect((await s.request('PUT', `/api/secrets/${name}`, { user: 'dave', body: JSON.stringify({ value: 'globex-admin-value' }) })).status).toBe(204);
    expect(await store().resolve(secretRef('globex', name), 'globex')).toBe('globex-admin-value');
    await expect(store().resolve(secretRef('acme', name), 'acme')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    const denied = await s.request('PUT', `/api/secrets/${name}`, { user: 'alice', body: JSON.stringify({ value: 'author-value' }) });
    expect(denied.status).toBe(403);
    const body = await denied.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'ROLE_REQUIRED' });
    expect(body).not.toContain('author-value');
  });

  it('never echoes the value in validation errors', async () => {
    const tooLong = 'x'.repeat(20_000);
    const res = await s.request('PUT', `/api/secrets/${uniqueName('big')}`, { user: 'pat', body: JSON.stringify({ value: tooLong, extra: 'leak-me-not' }) });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).not.toContain('xxxxxxxxxx');
    const bad = await s.request('PUT', '/api/secrets/Bad%20Name', { user: 'pat', body: JSON.stringify({ value: 'bad-name-value' }) });
    expect(bad.status).toBe(422);
    expect(await bad.text()).not.toContain('bad-name-value');
  });
});

describe('secret metadata and rotation', () => {
  type Item = { name: string; description?: string; createdBy?: string; createdAt: string; updatedBy?: string; updatedAt: string; rotatedAt?: string };
  const listed = async (user: 'tina' | 'gus' | 'alice', name: string) => {
    const res = await s.request('GET', '/api/secrets', { user });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Item[] }).items.find((i) => i.name === name);
  };
  const put = (user: 'tina' | 'gus' | 'alice', name: string, body: Record<string, unknown>) =>
    s.request('PUT', `/api/secrets/${name}`, { user, body: JSON.stringify(body) });

  it('records who created it and what for; a second PUT rotates the value and keeps the description', async () => {
    const name = uniqueName('rot');
    const [first, second] = [`first-${randomBytes(8).toString('hex')}`, `second-${randomBytes(8).toString('hex')}`];
    expect((await put('tina', name, { value: first, description: 'HRIS API token' })).status).toBe(204);
    const created = await listed('tina', name);
    expect(created).toEqual({
      name,
      ref: `secret://acme/${name}`,
      description: 'HRIS API token',
      createdBy: 'tina',
      createdAt: expect.any(String),
      updatedBy: 'tina',
      updatedAt: expect.any(String),
    });
    expect(created!.rotatedAt).toBeUndefined();

    // pat (a publisher) rotates it without a description: the description stays
    expect((await s.request('PUT', `/api/secrets/${name}`, { user: 'pat', body: JSON.stringify({ value: second }) })).status).toBe(204);
    const rotated = await listed('alice', name);
    expect(rotated).toMatchObject({ description: 'HRIS API token', createdBy: 'tina', updatedBy: 'pat', createdAt: created!.createdAt, rotatedAt: expect.any(String) });
    expect(Date.parse(rotated!.rotatedAt!)).toBeGreaterThanOrEqual(Date.parse(created!.createdAt));
    expect(await store().resolve(secretRef('acme', name), 'acme')).toBe(second);

    // a new description replaces the old one; "" clears it
    expect((await put('tina', name, { value: first, description: 'HRIS token (rotated quarterly)' })).status).toBe(204);
    expect((await listed('tina', name))?.description).toBe('HRIS token (rotated quarterly)');
    expect((await put('tina', name, { value: first, description: '' })).status).toBe(204);
    expect((await listed('tina', name))?.description).toBeUndefined();

    // neither value is in any listing, and globex's admin does not see the name at all
    const text = await (await s.request('GET', '/api/secrets', { user: 'tina' })).text();
    expect(text).not.toContain(first);
    expect(text).not.toContain(second);
    expect(await listed('gus', name)).toBeUndefined();
    expect((await s.request('DELETE', `/api/secrets/${name}`, { user: 'gus' })).status).toBe(404);
    expect((await s.request('DELETE', `/api/secrets/${name}`, { user: 'tina' })).status).toBe(204);
  });

  it('refuses a description over 500 characters and unknown fields, echoing no value', async () => {
    const name = uniqueName('desc');
    const long = await put('tina', name, { value: 'desc-value-1', description: 'd'.repeat(501) });
    expect(long.status).toBe(422);
    expect(await long.text()).not.toContain('desc-value-1');
    const extra = await put('tina', name, { value: 'desc-value-2', createdBy: 'someone-else' });
    expect(extra.status).toBe(422);
    expect(await extra.text()).not.toContain('desc-value-2');
    expect(await listed('tina', name)).toBeUndefined();
  });
});
