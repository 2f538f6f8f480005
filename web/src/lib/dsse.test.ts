import { describe, expect, it } from 'vitest';
import { DSSE_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, PREDICATE_TYPES, type KeyOwner, type SigningKeyView, type SigstoreBundleJson } from '../../../domain/trust.ts';
import { base64ToBytes, derToP1363, pae, sha256Hex, verifyBundleInBrowser } from './dsse.ts';

// Bundles signed as the server signs them (ECDSA P-256 over the DSSE PAE, the signature in
// ASN.1 DER as node:crypto and Sigstore write it), verified with WebCrypto as the browser
// does. The keys are made with WebCrypto too (the Switchboard's code never imports Node);
// test/web/dsse-server-vector.test.ts checks bundles of the server's own signer.

interface TestKey {
  view: SigningKeyView;
  privateKey: CryptoKey;
}

const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))));

async function makeKey(keyId: string, owner: KeyOwner, status: SigningKeyView['status'] = 'active'): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const spki = b64(await crypto.subtle.exportKey('spki', pair.publicKey));
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
  return { privateKey: pair.privateKey, view: { keyId, owner, algorithm: 'ecdsa-p256-sha256', publicKeyPem: pem, status, createdAt: '2026-12-01T00:00:00Z' } };
}

/** r‖s → DER SEQUENCE { INTEGER r, INTEGER s } (minimal integers, a 0 byte before a high bit). */
function p1363ToDer(raw: Uint8Array): Uint8Array {
  const int = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    const v = x.subarray(i);
    return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
  };
  const body = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}

const digest = 'a'.repeat(64);
const statement = (over: Record<string, unknown> = {}) => ({
  _type: IN_TOTO_STATEMENT_TYPE,
  subject: [{ name: 'acme.tickets@1.0.0', digest: { sha256: digest } }],
  predicateType: PREDICATE_TYPES.version,
  predicate: { visibility: 'public-ecosystem' },
  ...over,
});

async function signBundle(key: TestKey, body: unknown = statement(), payloadType = DSSE_PAYLOAD_TYPE): Promise<SigstoreBundleJson> {
  const payload = new TextEncoder().encode(JSON.stringify(body));
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, pae(payloadType, payload) as BufferSource));
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: key.view.keyId } },
    dsseEnvelope: { payload: b64(payload), payloadType, signatures: [{ sig: b64(p1363ToDer(raw)), keyid: '' }] },
  };
}

const acme = await makeKey('key-acme-1', { kind: 'publisher', id: 'acme' });
const platform = await makeKey('key-platform-1', { kind: 'platform', id: 'platform' });
const keys = [acme.view, platform.view];
const failed = (r: { checks: { check: string; ok: boolean }[] }) => r.checks.find((c) => !c.ok)?.check;

describe('pae', () => {
  it('is the DSSE v1 pre-authentication encoding with byte lengths', () => {
    const out = new TextDecoder().decode(pae('application/vnd.in-toto+json', new TextEncoder().encode('héllo')));
    expect(out).toBe('DSSEv1 28 application/vnd.in-toto+json 6 héllo');
  });
});

describe('derToP1363', () => {
  it('pads short integers and drops the sign byte of long ones', () => {
    const r = new Uint8Array(31).fill(1); // a 31-byte r
    const s = new Uint8Array([0x00, 0x80, ...new Uint8Array(31).fill(2)]); // 33 bytes: sign byte first
    const der = new Uint8Array([0x30, 2 + r.length + 2 + s.length, 0x02, r.length, ...r, 0x02, s.length, ...s]);
    const raw = derToP1363(der);
    expect(raw.length).toBe(64);
    expect(raw[0]).toBe(0);
    expect(Array.from(raw.subarray(1, 32))).toEqual(Array.from(r));
    expect(raw[32]).toBe(0x80);
  });

  it('refuses what is not DER', () => {
    expect(() => derToP1363(new Uint8Array([0x30, 5, 0x02, 9, 1]))).toThrow(/malformed/);
  });
});

describe('verifyBundleInBrowser', () => {
  it("accepts a version signed by its publisher's key, naming key, owner and subject", async () => {
    const r = await verifyBundleInBrowser(await signBundle(acme), keys, { subjectDigest: digest, keyOwner: { kind: 'publisher', id: 'acme' } });
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.check)).toEqual(['bundle', 'key', 'signature', 'statement', 'subject']);
    expect(r.keyOwner).toEqual({ kind: 'publisher', id: 'acme' });
    expect(r.subject).toEqual({ name: 'acme.tickets@1.0.0', digest });
  });

  it('keeps verifying with a retired key', async () => {
    const old = await makeKey('key-acme-0', { kind: 'publisher', id: 'acme' }, 'retired');
    expect((await verifyBundleInBrowser(await signBundle(old), [...keys, old.view])).ok).toBe(true);
  });

  it('refuses a changed payload byte', async () => {
    const b = await signBundle(acme);
    const bytes = base64ToBytes(b.dsseEnvelope.payload);
    bytes[bytes.length - 3]! ^= 1;
    b.dsseEnvelope.payload = b64(bytes);
    expect(failed(await verifyBundleInBrowser(b, keys))).toBe('signature');
  });

  it('refuses a changed signature', async () => {
    const b = await signBundle(acme);
    const sig = base64ToBytes(b.dsseEnvelope.signatures[0]!.sig);
    sig[sig.length - 1]! ^= 1;
    b.dsseEnvelope.signatures[0]!.sig = b64(sig);
    expect(failed(await verifyBundleInBrowser(b, keys))).toBe('signature');
  });

  it('refuses an unknown key, and a key of another owner than expected', async () => {
    const stranger = await makeKey('key-x', { kind: 'publisher', id: 'initech' });
    expect(failed(await verifyBundleInBrowser(await signBundle(stranger), keys))).toBe('key');
    // signed by a trusted key, but the platform's: a version must carry its publisher's signature
    const r = await verifyBundleInBrowser(await signBundle(platform), keys, { keyOwner: { kind: 'publisher', id: 'acme' } });
    expect(failed(r)).toBe('key');
    expect(r.checks.at(-1)!.message).toMatch(/platform's key, expected publisher:acme's/);
  });

  it('refuses a hint that points at another key than the one that signed', async () => {
    const b = await signBundle(acme);
    b.verificationMaterial.publicKey = { hint: platform.view.keyId };
    expect(failed(await verifyBundleInBrowser(b, keys))).toBe('signature');
  });

  it('refuses a replaced subject digest', async () => {
    const r = await verifyBundleInBrowser(await signBundle(acme), keys, { subjectDigest: 'b'.repeat(64) });
    expect(failed(r)).toBe('subject');
  });

  it('refuses a payload that is not an in-toto statement, or of another predicate', async () => {
    expect(failed(await verifyBundleInBrowser(await signBundle(acme, { hello: 'world' }), keys))).toBe('statement');
    expect(failed(await verifyBundleInBrowser(await signBundle(acme, statement(), 'text/plain'), keys))).toBe('statement');
    expect(failed(await verifyBundleInBrowser(await signBundle(acme), keys, { predicateType: PREDICATE_TYPES.receipt }))).toBe('statement');
  });

  it('refuses what is not a bundle, without throwing', async () => {
    for (const junk of [null, 'x', {}, { dsseEnvelope: { payload: 1 } }, { dsseEnvelope: { payload: '!!', payloadType: 't', signatures: [{ sig: 'AA' }] }, verificationMaterial: {} }]) {
      const r = await verifyBundleInBrowser(junk, keys);
      expect(r.ok).toBe(false);
      expect(failed(r)).toBe('bundle');
    }
  });

  it('sha256Hex agrees with the known digest of "abc"', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
