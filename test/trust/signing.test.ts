import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql, type Sql } from '../../platform/db.ts';
import { createKeyRing, decodeStatement, signStatement, statementFor, tenantTrust, verifyBundle, type KeyRing } from '../../platform/signing.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type KeyOwner, type SigstoreBundleJson } from '../../domain/trust.ts';
import { stackEnv } from '../support/stack-env.ts';

let sql: Sql;
let ring: KeyRing;
beforeAll(() => {
  const env = stackEnv();
  sql = createSql(env.databaseUrl, { max: 4 });
  ring = createKeyRing(sql, env.secretsKey);
});
afterAll(async () => sql?.end({ timeout: 5 }));

// publisher ids of their own: rotations here must not disturb other files' keys
const publisher = (): KeyOwner => ({ kind: 'publisher', id: `t${randomUUID().slice(0, 12)}` });
const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const flip = (buf: Buffer, i: number) => void (buf[i] = buf[i]! ^ 0x01);

async function signed(owner: KeyOwner, subject = { name: 'hr-onboarding@1.0.0', digest: digest() }) {
  const bundle = await signStatement(ring, owner, statementFor(subject, PREDICATE_TYPES.version, { note: 'test' }));
  return { bundle, subject };
}

describe('signing keys', () => {
  it('generates one active key per owner on first use, also under concurrent first use', async () => {
    const owner = publisher();
    const keys = await Promise.all(Array.from({ length: 6 }, () => ring.activeKey(owner)));
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
    expect(keys[0]!.keyId).toMatch(new RegExp(`^maestro-publisher-${owner.id}-[0-9a-f]{16}$`));
    const rows = await sql`select id from signing_key where owner_kind = 'publisher' and owner_id = ${owner.id}`;
    expect(rows).toHaveLength(1);
    // another key ring (another process) reads the same key back from the database
    const other = createKeyRing(sql, stackEnv().secretsKey);
    expect((await other.activeKey(owner)).keyId).toBe(keys[0]!.keyId);
  });

  it('stores the private key encrypted: the row holds no PKCS#8 (DER, PEM or base64)', async () => {
    const owner = publisher();
    const key = await ring.activeKey(owner);
    const pkcs8 = key.privateKey.export({ type: 'pkcs8', format: 'der' });
    const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const [row] = await sql<{ private_key: Buffer; data_key: Buffer; t: string }[]>`
      select private_key, data_key, signing_key::text as t from signing_key where id = ${key.keyId}`;
    // the EC private scalar sits at a fixed place in the DER: look for any 16-byte window of the whole encoding
    for (const blob of [row!.private_key, row!.data_key, Buffer.from(row!.t)]) {
      for (let i = 0; i + 16 <= pkcs8.length; i += 8) expect(blob.includes(pkcs8.subarray(i, i + 16))).toBe(false);
      expect(blob.toString('latin1')).not.toContain(pkcs8.toString('base64').slice(40, 80));
    }
    expect(row!.t).not.toContain(pem.split('\n')[2]!);
  });

  it('binds the ciphertext to its key id: material copied to another key does not decrypt', async () => {
    const [a, b] = [publisher(), publisher()];
    const ka = await ring.activeKey(a);
    const kb = await ring.activeKey(b);
    await sql`update signing_key set private_key = (select private_key from signing_key where id = ${ka.keyId}),
                data_key = (select data_key from signing_key where id = ${ka.keyId}) where id = ${kb.keyId}`;
    // a fresh ring: nothing decrypted in memory yet
    await expect(createKeyRing(sql, stackEnv().secretsKey).activeKey(b)).rejects.toThrow(/authenticate/i);
  });

  it('rotation retires the old key, publishes both, and old signatures keep verifying', async () => {
    const owner = publisher();
    const old = await signed(owner);
    const before = await ring.activeKey(owner);
    const fresh = await ring.rotate(owner);
    expect(fresh.keyId).not.toBe(before.keyId);
    expect(fresh.status).toBe('active');
    const keys = await ring.publicKeys();
    const mine = keys.filter((k) => k.owner.kind === 'publisher' && k.owner.id === owner.id);
    expect(mine.map((k) => [k.keyId, k.status])).toEqual([
      [before.keyId, 'retired'],
      [fresh.keyId, 'active'],
    ]);
    expect(mine[0]!.retiredAt).toBeDefined();
    // no private material is published
    expect(JSON.stringify(mine)).not.toMatch(/PRIVATE/);
    const oldResult = verifyBundle(old.bundle, keys, { keyOwner: owner, subjectDigest: old.subject.digest });
    expect(oldResult).toMatchObject({ ok: true, keyId: before.keyId });
    const now = await signed(owner);
    expect(verifyBundle(now.bundle, keys, { keyOwner: owner })).toMatchObject({ ok: true, keyId: fresh.keyId });
  });

  it('rotations racing on one owner leave exactly one active key', async () => {
    const owner = publisher();
    await ring.activeKey(owner);
    await Promise.all([ring.rotate(owner), ring.rotate(owner), ring.rotate(owner)]);
    const rows = await sql<{ status: string }[]>`select status from signing_key where owner_kind = 'publisher' and owner_id = ${owner.id}`;
    expect(rows.filter((r) => r.status === 'active')).toHaveLength(1);
    expect(rows).toHaveLength(4);
  });

  it('refuses owners that are not the platform or a tenant id', async () => {
    await expect(ring.activeKey({ kind: 'publisher', id: '../platform' })).rejects.toMatchObject({ code: 'KEY_OWNER_INVALID' });
    await expect(ring.activeKey({ kind: 'platform', id: 'acme' } as unknown as KeyOwner)).rejects.toMatchObject({ code: 'KEY_OWNER_INVALID' });
  });
});

describe('bundles', () => {
  it('signs a standard Sigstore v0.3 DSSE bundle that verifies with the published key', async () => {
    const { bundle, subject } = await signed(PLATFORM_KEY_OWNER);
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(decodeStatement(bundle)?.subject[0]).toEqual({ name: subject.name, digest: { sha256: subject.digest.slice(7) } });
    const result = verifyBundle(bundle, await ring.publicKeys(), {
      subjectDigest: subject.digest,
      subjectName: subject.name,
      keyOwner: PLATFORM_KEY_OWNER,
      predicateType: PREDICATE_TYPES.version,
    });
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.check)).toEqual(['bundle', 'key', 'signature', 'statement', 'subject']);
    expect(result).toMatchObject({ keyOwner: PLATFORM_KEY_OWNER, predicateType: PREDICATE_TYPES.version, subject });
  });

  const failedCheck = (r: ReturnType<typeof verifyBundle>) => {
    expect(r.ok).toBe(false);
    const last = r.checks.at(-1)!;
    expect(last.ok).toBe(false);
    return last;
  };

  it('refuses a payload with one byte changed (signature)', async () => {
    const { bundle } = await signed(PLATFORM_KEY_OWNER);
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    flip(payload, payload.length - 3);
    const tampered: SigstoreBundleJson = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: payload.toString('base64') } };
    expect(failedCheck(verifyBundle(tampered, await ring.publicKeys()))).toMatchObject({ check: 'signature' });
  });

  it('refuses a tampered signature (signature)', async () => {
    const { bundle } = await signed(PLATFORM_KEY_OWNER);
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    flip(sig, sig.length - 1);
    const tampered = structuredClone(bundle);
    tampered.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
    expect(failedCheck(verifyBundle(tampered, await ring.publicKeys()))).toMatchObject({ check: 'signature' });
  });

  it('refuses a bundle that names another published key than the one that signed (signature)', async () => {
    const { bundle } = await signed(PLATFORM_KEY_OWNER);
    const other = await ring.activeKey(publisher());
    const tampered = structuredClone(bundle);
    tampered.verificationMaterial.publicKey = { hint: other.keyId };
    tampered.dsseEnvelope.signatures[0]!.keyid = other.keyId;
    const last = failedCheck(verifyBundle(tampered, await ring.publicKeys()));
    expect(last).toMatchObject({ check: 'signature' });
    expect(last.message).toContain(other.keyId);
  });

  it('refuses a bundle signed by a key that is not published (key)', async () => {
    const { bundle } = await signed(PLATFORM_KEY_OWNER);
    const keys = (await ring.publicKeys()).filter((k) => k.keyId !== bundle.verificationMaterial.publicKey!.hint);
    expect(failedCheck(verifyBundle(bundle, keys))).toMatchObject({ check: 'key', message: expect.stringContaining('not a published key') });
  });

  it("refuses a version signed by another owner's key, even a trusted one (key)", async () => {
    const [mine, theirs] = [publisher(), publisher()];
    const { bundle } = await signed(theirs);
    const last = failedCheck(verifyBundle(bundle, await ring.publicKeys(), { keyOwner: mine }));
    expect(last.check).toBe('key');
    expect(last.message).toContain(`not to publisher:${mine.id}`);
    // the platform key is not a publisher's key either
    const platformSigned = await signed(PLATFORM_KEY_OWNER);
    expect(failedCheck(verifyBundle(platformSigned.bundle, await ring.publicKeys(), { keyOwner: mine })).check).toBe('key');
  });

  it("refuses a key outside the verifier's trust roots (key)", async () => {
    const owner = publisher();
    const { bundle } = await signed(owner);
    await sql`insert into tenant_setting (tenant_id, egress_allow, trusted_publishers) values ('globex', '{}', '{acme}')
              on conflict (tenant_id) do update set trusted_publishers = '{acme}'`;
    try {
      const trusted = await tenantTrust(sql, 'globex');
      expect(failedCheck(verifyBundle(bundle, await ring.publicKeys(), { trusted })).message).toContain('not among the trusted keys');
      expect(verifyBundle((await signed(PLATFORM_KEY_OWNER)).bundle, await ring.publicKeys(), { trusted }).ok).toBe(true);
      // a tenant always trusts its own key, listed or not
      const globexOwn = await signed({ kind: 'publisher', id: 'globex' });
      expect(verifyBundle(globexOwn.bundle, await ring.publicKeys(), { trusted }).ok).toBe(true);
    } finally {
      await sql`update tenant_setting set trusted_publishers = null where tenant_id = 'globex'`;
    }
    expect(verifyBundle(bundle, await ring.publicKeys(), { trusted: await tenantTrust(sql, 'globex') }).ok).toBe(true);
  });

  it('refuses a replaced subject digest, whether re-signed by nobody or expected otherwise (subject)', async () => {
    const { bundle, subject } = await signed(PLATFORM_KEY_OWNER);
    const keys = await ring.publicKeys();
    // the expected digest differs from the signed one
    const last = failedCheck(verifyBundle(bundle, keys, { subjectDigest: digest() }));
    expect(last.check).toBe('subject');
    expect(last.message).toContain(subject.digest);
    // the statement's digest replaced in the payload: the signature no longer covers it
    const statement = JSON.parse(unb64(bundle.dsseEnvelope.payload));
    statement.subject[0].digest.sha256 = digest().slice(7);
    const swapped = structuredClone(bundle);
    swapped.dsseEnvelope.payload = b64(JSON.stringify(statement));
    expect(failedCheck(verifyBundle(swapped, keys, { subjectDigest: `sha256:${statement.subject[0].digest.sha256}` })).check).toBe('signature');
  });

  it('checks the subject name and predicate type (subject, statement)', async () => {
    const { bundle } = await signed(PLATFORM_KEY_OWNER);
    const keys = await ring.publicKeys();
    expect(failedCheck(verifyBundle(bundle, keys, { subjectName: 'hr-onboarding@2.0.0' })).check).toBe('subject');
    expect(failedCheck(verifyBundle(bundle, keys, { predicateType: PREDICATE_TYPES.receipt })).check).toBe('statement');
  });

  it('refuses a signed payload that is not an in-toto statement (statement)', async () => {
    const key = await ring.activeKey(PLATFORM_KEY_OWNER);
    const bogus = await signStatement(ring, PLATFORM_KEY_OWNER, { _type: 'https://example.com/other', subject: [], predicateType: 'x', predicate: {} } as never);
    const last = failedCheck(verifyBundle(bogus, await ring.publicKeys()));
    expect(last.check).toBe('statement');
    expect(bogus.verificationMaterial.publicKey?.hint).toBe(key.keyId);
  });

  it('never throws on hostile input: wrong types, huge, deep, cyclic, other bundle kinds', async () => {
    const keys = await ring.publicKeys();
    const { bundle } = await signed(PLATFORM_KEY_OWNER);
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const cyclic: Record<string, unknown> = { mediaType: bundle.mediaType };
    cyclic.self = cyclic;
    const inputs: unknown[] = [
      null,
      undefined,
      42,
      'not json',
      '{"mediaType":',
      [],
      {},
      { ...bundle, mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' },
      { ...bundle, verificationMaterial: {} },
      { ...bundle, verificationMaterial: { publicKey: { hint: 42 } } },
      { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payloadType: 'text/plain' } },
      { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [] } },
      { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [...bundle.dsseEnvelope.signatures, ...bundle.dsseEnvelope.signatures] } },
      { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: '%%%' } },
      { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ sig: 'AAAA', keyid: 'someone-else' }] } },
      { ...bundle, dsseEnvelope: undefined, messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: 'AAAA' }, signature: 'AAAA' } },
      { ...bundle, padding: 'x'.repeat(2 * 1024 * 1024) },
      'x'.repeat(2 * 1024 * 1024),
      { ...bundle, deep },
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `{"mediaType":${JSON.stringify(bundle.mediaType)},"x":${'['.repeat(200)}${']'.repeat(200)}}`,
      cyclic,
    ];
    for (const input of inputs) {
      const r = verifyBundle(input, keys);
      expect(r.ok).toBe(false);
      expect(r.checks.at(-1)).toMatchObject({ ok: false, check: expect.stringMatching(/^(bundle|signature)$/) });
    }
    // a key list with a garbage key does not throw either
    const broken = keys.map((k) => (k.keyId === bundle.verificationMaterial.publicKey!.hint ? { ...k, publicKeyPem: 'garbage' } : k));
    expect(verifyBundle(bundle, broken).checks.at(-1)).toMatchObject({ check: 'key', ok: false });
  });
});
