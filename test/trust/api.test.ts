import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { call, install, publishTemplate, templateSpec } from '../marketplace/support.ts';
import type { ReceiptView, SigningKeyView, SigstoreBundleJson, VerificationResult } from '../../domain/trust.ts';

// The trust API: public keys, rotation, version signatures, receipts (with tenant
// isolation) and verification, against the real stack.

let s: Stack;
const ids = { local: '', localDigest: '', public: '', publicDigest: '', instance: '' };

beforeAll(async () => {
  s = await openStack();
  const alice = s.as('alice');
  const draft = await alice.createDraft(testSpec());
  ids.local = draft.body.definitionId;
  ids.localDigest = draft.body.digest;
  await alice.requestPublish(ids.local, '1.0.0');
  expect(await alice.waitForPublish(ids.local, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
  const spec = templateSpec({ steps: [{ id: 'done', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }] });
  ids.public = await publishTemplate(s, spec, { visibility: 'public-ecosystem' });
  const [v] = await s.sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${ids.public}`;
  ids.publicDigest = v!.digest;
  ids.instance = await install(s, 'gus', { templateId: ids.public, environment: 'dev' });
});
afterAll(async () => s?.close());

const receipts = (user: Parameters<typeof call>[1], query = '') => call<{ items: ReceiptView[] }>(s, user, 'GET', `/receipts${query}`);

describe('GET /trust/keys', () => {
  it('answers without a token: active and retired keys, public halves only', async () => {
    const res = await s.request('GET', '/api/trust/keys');
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: SigningKeyView[] };
    expect(keys.map((k) => k.owner)).toEqual(expect.arrayContaining([{ kind: 'platform', id: 'platform' }, { kind: 'publisher', id: 'acme' }]));
    for (const k of keys) {
      expect(k.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(JSON.stringify(k)).not.toMatch(/PRIVATE|private_key|data_key/);
    }
  });
});

describe('POST /trust/keys/rotate', () => {
  it('is for platform admins; a rotated key keeps verifying what it signed', async () => {
    expect((await call(s, 'tina', 'POST', '/trust/keys/rotate', { owner: 'publisher:globex' })).status).toBe(403);
    expect((await call(s, 'root', 'POST', '/trust/keys/rotate', { owner: 'publisher:nobody-here' })).body.code).toBe('TENANT_UNKNOWN');
    expect((await call(s, 'root', 'POST', '/trust/keys/rotate', { owner: 'publisher:../x' })).status).toBe(422);
    expect((await call(s, 'root', 'POST', '/trust/keys/rotate', { owner: 'someone' })).body.code).toBe('KEY_OWNER_INVALID');

    const before = await call<{ keyId: string }>(s, 'alice', 'GET', `/definitions/${ids.local}/versions/1.0.0/signature`);
    const rotated = await call<SigningKeyView>(s, 'root', 'POST', '/trust/keys/rotate', { owner: 'publisher:acme' });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ owner: { kind: 'publisher', id: 'acme' }, status: 'active' });
    expect(rotated.body.keyId).not.toBe(before.body.keyId);
    const keys = ((await (await s.request('GET', '/api/trust/keys')).json()) as { keys: SigningKeyView[] }).keys;
    expect(keys.find((k) => k.keyId === before.body.keyId)).toMatchObject({ status: 'retired' });
    const after = await call<{ keyId: string; verification: VerificationResult }>(s, 'alice', 'GET', `/definitions/${ids.local}/versions/1.0.0/signature`);
    expect(after.body.keyId).toBe(before.body.keyId);
    expect(after.body.verification.ok).toBe(true);
  });
});

describe('GET /definitions/{id}/versions/{version}/signature', () => {
  it("returns the publisher's signature, verified against the caller's trust roots", async () => {
    const res = await call<{ bundle: SigstoreBundleJson; keyId: string; keyOwner: unknown; digest: string; verification: VerificationResult }>(
      s,
      'carol',
      'GET',
      `/definitions/${ids.public}/versions/1.0.0/signature`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ keyOwner: { kind: 'publisher', id: 'acme' }, digest: ids.publicDigest, verification: { ok: true } });
    // globex distrusting acme sees the same signature refused (key)
    await s.sql`update tenant_setting set trusted_publishers = '{initech}' where tenant_id = 'globex'`;
    try {
      const distrusted = await call<{ verification: VerificationResult }>(s, 'carol', 'GET', `/definitions/${ids.public}/versions/1.0.0/signature`);
      expect(distrusted.body.verification.ok).toBe(false);
      expect(distrusted.body.verification.checks.at(-1)).toMatchObject({ check: 'key', ok: false });
    } finally {
      await s.sql`update tenant_setting set trusted_publishers = null where tenant_id = 'globex'`;
    }
  });

  it("is 404 for a version the caller may not see (another tenant's internal version)", async () => {
    const res = await call(s, 'carol', 'GET', `/definitions/${ids.local}/versions/1.0.0/signature`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('VERSION_NOT_FOUND');
  });
});

describe('receipts', () => {
  it('lists the tenant\'s own receipts, each verified', async () => {
    const res = await receipts('alice', `?subject=${encodeURIComponent(`${ids.local}@1.0.0`)}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const [r] = res.body.items;
    expect(r).toMatchObject({ lifecycle: 'publish', tenantId: 'acme', subject: { name: `${ids.local}@1.0.0`, digest: ids.localDigest }, verification: { ok: true } });
    expect(r!.temporalUrl).toContain(r!.runId);
    const one = await call<ReceiptView>(s, 'alice', 'GET', `/receipts/${r!.receiptId}`);
    expect(one.status).toBe(200);
    // the single view recomputes the history digest from Temporal
    expect(one.body.verification.checks.map((c) => c.check)).toEqual(['bundle', 'key', 'signature', 'statement', 'subject', 'history']);
    expect(one.body.verification.ok).toBe(true);
  });

  it("shows another tenant's publish receipt of a version the caller may see, never its internal ones", async () => {
    const pub = await receipts('carol', `?subject=${encodeURIComponent(`${ids.public}@1.0.0`)}&lifecycle=publish`);
    expect(pub.body.items).toHaveLength(1);
    expect(pub.body.items[0]).toMatchObject({ tenantId: 'acme', verification: { ok: true } });
    expect((await call(s, 'carol', 'GET', `/receipts/${pub.body.items[0]!.receiptId}`)).status).toBe(200);

    const local = await receipts('alice', `?subject=${encodeURIComponent(`${ids.local}@1.0.0`)}`);
    const hidden = local.body.items[0]!.receiptId;
    const res = await call(s, 'carol', 'GET', `/receipts/${hidden}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('RECEIPT_NOT_FOUND');
    expect((await receipts('carol', `?subject=${encodeURIComponent(`${ids.local}@1.0.0`)}`)).body.items).toEqual([]);
    expect((await receipts('carol', `?workflowId=${encodeURIComponent(local.body.items[0]!.workflowId)}`)).body.items).toEqual([]);
  });

  it("keeps install receipts to the installing tenant", async () => {
    const own = await receipts('gus', `?subject=${encodeURIComponent(`instance:${ids.instance}`)}`);
    expect(own.body.items.map((r) => r.lifecycle)).toEqual(['install']);
    expect(own.body.items[0]!.verification.ok).toBe(true);
    const id = own.body.items[0]!.receiptId;
    // acme published the template, but the install is globex's business
    expect((await call(s, 'pat', 'GET', `/receipts/${id}`)).status).toBe(404);
    expect((await receipts('pat', `?subject=${encodeURIComponent(`instance:${ids.instance}`)}`)).body.items).toEqual([]);
    expect((await receipts('pat', '?lifecycle=install&limit=100')).body.items.map((r) => r.receiptId)).not.toContain(id);
  });

  it('shows a tampered stored receipt as failing, naming what differs', async () => {
    const local = await receipts('alice', `?subject=${encodeURIComponent(`${ids.local}@1.0.0`)}`);
    const id = local.body.items[0]!.receiptId;
    const [row] = await s.sql<{ body: unknown }[]>`select body from provenance_receipt where id = ${id}`;
    await s.sql`update provenance_receipt set body = jsonb_set(body, '{decisions}', '[{"actor":{"sub":"mallory","tenant":"acme"},"decision":"approve","at":"2026-01-01T00:00:00Z"}]') where id = ${id}`;
    try {
      const res = await call<ReceiptView>(s, 'alice', 'GET', `/receipts/${id}`);
      expect(res.body.verification.ok).toBe(false);
      expect(res.body.verification.checks.at(-1)).toMatchObject({ check: 'statement', message: expect.stringContaining('decisions') });
    } finally {
      await s.sql`update provenance_receipt set body = ${s.sql.json(row!.body as never)} where id = ${id}`;
    }
  });

  it('validates filters and ids', async () => {
    expect((await receipts('alice', '?limit=1000')).status).toBe(422);
    expect((await receipts('alice', '?lifecycle=nope')).status).toBe(422);
    expect((await call(s, 'alice', 'GET', '/receipts/rcpt_..%2F..%2Fetc')).status).toBe(422);
    expect((await call(s, 'alice', 'GET', '/receipts/rcpt_000000000000000000000000')).status).toBe(404);
  });
});

describe('POST /trust/verify', () => {
  it('verifies a bundle and names what does not match', async () => {
    const sig = await call<{ bundle: SigstoreBundleJson }>(s, 'carol', 'GET', `/definitions/${ids.public}/versions/1.0.0/signature`);
    const ok = await call<VerificationResult>(s, 'carol', 'POST', '/trust/verify', { bundle: sig.body.bundle, expect: { subjectDigest: ids.publicDigest, keyOwner: 'publisher:acme' } });
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);

    const wrongDigest = await call<VerificationResult>(s, 'carol', 'POST', '/trust/verify', { bundle: sig.body.bundle, expect: { subjectDigest: ids.localDigest } });
    expect(wrongDigest.body.checks.at(-1)).toMatchObject({ check: 'subject', ok: false });
    const wrongOwner = await call<VerificationResult>(s, 'carol', 'POST', '/trust/verify', { bundle: sig.body.bundle, expect: { keyOwner: { kind: 'publisher', id: 'globex' } } });
    expect(wrongOwner.body.checks.at(-1)).toMatchObject({ check: 'key', ok: false });
    const tampered = structuredClone(sig.body.bundle);
    tampered.dsseEnvelope.signatures[0]!.sig = Buffer.alloc(70, 1).toString('base64');
    expect((await call<VerificationResult>(s, 'carol', 'POST', '/trust/verify', { bundle: tampered })).body.checks.at(-1)).toMatchObject({ check: 'signature', ok: false });
    const garbage = await call<VerificationResult>(s, 'carol', 'POST', '/trust/verify', { bundle: { mediaType: 42, dsseEnvelope: [] } });
    expect(garbage.body).toMatchObject({ ok: false, checks: [{ check: 'bundle', ok: false }] });
    expect((await call(s, 'carol', 'POST', '/trust/verify', { bundle: 'nope' })).status).toBe(422);
    expect((await call(s, 'carol', 'POST', '/trust/verify', { bundle: {}, expect: { keyOwner: 'publisher:../../x' } })).body.code).toBe('KEY_OWNER_INVALID');
  });
});
