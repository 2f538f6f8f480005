import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type KeyOwner, type SigningKeyView, type SigstoreBundleJson } from '../../domain/trust.ts';
import { keyIdFor, signStatement, statementFor, verifyBundle, type ActiveSigningKey, type KeyRing } from '../../platform/signing.ts';
import { verifyBundleInBrowser } from '../../web/src/lib/dsse.ts';

// The Switchboard verifies bundles in the browser (WebCrypto over the DSSE PAE). Here it
// meets bundles of the server's own signer (@sigstore/sign with node:crypto ECDSA P-256),
// and must agree with the server's verifyBundle on every case, good and tampered.

function memoryKeyRing(): KeyRing & { keys: SigningKeyView[] } {
  const active = new Map<string, ActiveSigningKey>();
  const keys: SigningKeyView[] = [];
  const make = (owner: KeyOwner) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyId = keyIdFor(owner, publicKey.export({ type: 'spki', format: 'der' }));
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const k: ActiveSigningKey = { keyId, owner, publicKeyPem, privateKey };
    active.set(`${owner.kind}:${owner.id}`, k);
    keys.push({ keyId, owner, algorithm: 'ecdsa-p256-sha256', publicKeyPem, status: 'active', createdAt: new Date().toISOString() });
    return k;
  };
  return {
    keys,
    activeKey: async (owner) => active.get(`${owner.kind}:${owner.id}`) ?? make(owner),
    rotate: async (owner) => {
      const old = keys.find((k) => k.owner.kind === owner.kind && k.owner.id === owner.id && k.status === 'active');
      if (old) old.status = 'retired';
      const k = make(owner);
      return keys.find((v) => v.keyId === k.keyId)!;
    },
    publicKeys: async () => keys,
  };
}

const acme: KeyOwner = { kind: 'publisher', id: 'acme' };
const digest = createHash('sha256').update('the canonical spec').digest('hex');

async function versionBundle(ring: KeyRing, owner: KeyOwner = acme): Promise<SigstoreBundleJson> {
  return signStatement(ring, owner, statementFor({ name: 'acme.tickets@1.0.0', digest: `sha256:${digest}` }, PREDICATE_TYPES.version, { visibility: 'public-ecosystem' }));
}

/** Both verifiers on one bundle: the same verdict, and the same failing check. */
async function both(bundle: unknown, keys: SigningKeyView[], expect: { subjectDigest?: string; keyOwner?: KeyOwner } = {}) {
  const server = verifyBundle(bundle, keys, expect);
  const browser = await verifyBundleInBrowser(bundle, keys, expect);
  const failing = (r: { checks: { check: string; ok: boolean }[] }) => r.checks.find((c) => !c.ok)?.check;
  return { ok: browser.ok, serverOk: server.ok, failed: failing(browser), serverFailed: failing(server), browser };
}

describe("the browser's verification of the server's bundles", () => {
  it("accepts a version signed with its publisher's key, naming the key's owner", async () => {
    const ring = memoryKeyRing();
    const r = await both(await versionBundle(ring), ring.keys, { subjectDigest: `sha256:${digest}`, keyOwner: acme });
    expect([r.ok, r.serverOk]).toEqual([true, true]);
    expect(r.browser.keyOwner).toEqual(acme);
    expect(r.browser.subject).toEqual({ name: 'acme.tickets@1.0.0', digest });
  });

  it('keeps accepting it after the key is rotated', async () => {
    const ring = memoryKeyRing();
    const bundle = await versionBundle(ring);
    await ring.rotate(acme);
    const r = await both(bundle, ring.keys, { keyOwner: acme });
    expect([r.ok, r.serverOk]).toEqual([true, true]);
  });

  it('refuses a changed payload byte (signature), as the server does', async () => {
    const ring = memoryKeyRing();
    const b = structuredClone(await versionBundle(ring));
    const payload = Buffer.from(b.dsseEnvelope.payload, 'base64');
    payload[payload.length - 5]! ^= 1;
    b.dsseEnvelope.payload = payload.toString('base64');
    const r = await both(b, ring.keys);
    expect([r.failed, r.serverFailed]).toEqual(['signature', 'signature']);
  });

  it('refuses a changed signature (signature)', async () => {
    const ring = memoryKeyRing();
    const b = structuredClone(await versionBundle(ring));
    const sig = Buffer.from(b.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 2]! ^= 1;
    b.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
    const r = await both(b, ring.keys);
    expect([r.failed, r.serverFailed]).toEqual(['signature', 'signature']);
  });

  it("refuses the platform's key where the publisher's is expected, and an unknown key (key)", async () => {
    const ring = memoryKeyRing();
    const byPlatform = await both(await versionBundle(ring, PLATFORM_KEY_OWNER), ring.keys, { keyOwner: acme });
    expect([byPlatform.failed, byPlatform.serverFailed]).toEqual(['key', 'key']);
    const other = memoryKeyRing();
    const unknown = await both(await versionBundle(other), ring.keys);
    expect([unknown.failed, unknown.serverFailed]).toEqual(['key', 'key']);
  });

  it('refuses a replaced subject digest (subject)', async () => {
    const ring = memoryKeyRing();
    const r = await both(await versionBundle(ring), ring.keys, { subjectDigest: `sha256:${'0'.repeat(64)}` });
    expect([r.failed, r.serverFailed]).toEqual(['subject', 'subject']);
  });
});
