/**
 * Verifying a Sigstore bundle (DSSE envelope, in-toto statement, ECDSA P-256 public key)
 * in the browser with WebCrypto, against the published trust roots (`GET /trust/keys`).
 * The Switchboard shows this next to the API's own verification, so a reader does not have
 * to take the server's word for a signature. Pure apart from `crypto.subtle`; runs in Node
 * too (the unit tests).
 */
import {
  DSSE_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  type KeyOwner,
  type SigningKeyView,
  type SigstoreBundleJson,
  type VerificationCheck,
  type VerificationResult,
} from '../../../domain/trust.ts';

const utf8 = new TextEncoder();

/** A bundle larger than this is refused unread (a statement of ours is a few KB). */
export const MAX_PAYLOAD_BYTES = 1 << 20;

/** DSSE pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>` (lengths in bytes). */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8.encode(payloadType);
  const head = utf8.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** Standard or URL-safe base64, padded or not; throws on anything else. */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new Error('not base64');
  const bin = atob(clean.padEnd(Math.ceil(clean.length / 4) * 4, '='));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The DER bytes of a PEM block (SPKI for a public key). */
export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN [A-Z ]+-----([\s\S]+?)-----END [A-Z ]+-----/.exec(pem);
  if (!m) throw new Error('not a PEM block');
  return base64ToBytes(m[1]!);
}

/**
 * An ECDSA signature as WebCrypto wants it (IEEE P1363: r‖s, 32 bytes each for P-256) from
 * the ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` that node:crypto and Sigstore produce.
 * A 64-byte input is taken as already r‖s.
 */
export function derToP1363(sig: Uint8Array, size = 32): Uint8Array {
  if (sig.length === size * 2 && sig[0] !== 0x30) return sig;
  let i = 0;
  const fail = () => new Error('malformed DER signature');
  if (sig[i++] !== 0x30) throw fail();
  let len = sig[i++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2) throw fail();
    len = 0;
    for (let k = 0; k < n; k++) len = (len << 8) | sig[i++]!;
  }
  if (len !== sig.length - i) throw fail();
  const out = new Uint8Array(size * 2);
  for (const offset of [0, size]) {
    if (sig[i++] !== 0x02) throw fail();
    const n = sig[i++]!;
    if (n < 1 || n > size + 1 || i + n > sig.length) throw fail();
    let int = sig.subarray(i, i + n);
    i += n;
    while (int.length > size && int[0] === 0) int = int.subarray(1);
    if (int.length > size) throw fail();
    out.set(int, offset + size - int.length);
  }
  if (i !== sig.length) throw fail();
  return out;
}

export const toHex = (bytes: ArrayBuffer | Uint8Array) =>
  Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  return toHex(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
}

/** `sha256:<hex>` or `<hex>` → lower-case hex (the API writes digests both ways). */
export const digestHex = (d: string) => d.replace(/^sha256:/i, '').toLowerCase();
/** The first characters of a digest, for people: `sha256:0123abcd…`. */
export const shortDigest = (d: string, n = 12) => `sha256:${digestHex(d).slice(0, n)}…`;

export const ownerLabel = (o: KeyOwner) => (o.kind === 'platform' ? 'platform' : `publisher:${o.id}`);
const sameOwner = (a: KeyOwner, b: KeyOwner) => a.kind === b.kind && a.id === b.id;

/** What a verification expects besides a good signature by a trusted key. */
export interface BrowserExpectation {
  /** sha256 hex the statement's (first) subject must name */
  subjectDigest?: string;
  subjectName?: string;
  /** whose key must have signed (a version: its publisher's; evidence, receipts: the platform's) */
  keyOwner?: KeyOwner;
  predicateType?: string;
}

/**
 * Verifies a bundle against the published keys: shape, key known (active or retired: a
 * rotated key keeps verifying what it signed), owner as expected, DSSE signature over the
 * PAE, in-toto statement, subject digest. Never throws; each check says what it found, in
 * the order they run, and stops at the first that fails (later ones cannot be trusted).
 */
export async function verifyBundleInBrowser(
  bundle: SigstoreBundleJson | unknown,
  keys: readonly SigningKeyView[],
  expect: BrowserExpectation = {},
): Promise<VerificationResult & { statement?: unknown }> {
  const checks: VerificationResult['checks'] = [];
  const result = (extra: Partial<VerificationResult> & { statement?: unknown } = {}) => ({ ok: checks.every((c) => c.ok), checks, ...extra });
  const pass = (check: VerificationCheck, message: string) => void checks.push({ check, ok: true, message });
  const fail = (check: VerificationCheck, message: string, extra: Partial<VerificationResult> = {}) => {
    checks.push({ check, ok: false, message });
    return result(extra);
  };

  // bundle
  const b = bundle as Partial<SigstoreBundleJson> | null;
  const env = b && typeof b === 'object' ? b.dsseEnvelope : undefined;
  const sig0 = env && Array.isArray(env.signatures) ? env.signatures[0] : undefined;
  if (!env || typeof env.payload !== 'string' || typeof env.payloadType !== 'string' || !sig0 || typeof sig0.sig !== 'string') {
    return fail('bundle', 'not a Sigstore bundle with a DSSE envelope and a signature');
  }
  if (typeof b?.mediaType !== 'string' || !b.mediaType.startsWith('application/vnd.dev.sigstore.bundle')) return fail('bundle', 'not a Sigstore bundle (media type)');
  if (env.signatures.length !== 1) return fail('bundle', 'the envelope must carry exactly one signature');
  if (env.payload.length > (MAX_PAYLOAD_BYTES * 4) / 3 + 4) return fail('bundle', 'the payload is too large');
  let payload: Uint8Array;
  let sig: Uint8Array;
  try {
    payload = base64ToBytes(env.payload);
    sig = derToP1363(base64ToBytes(sig0.sig));
  } catch (e) {
    return fail('bundle', `the envelope does not decode: ${(e as Error).message}`);
  }
  const hint = b?.verificationMaterial?.publicKey?.hint || sig0.keyid;
  if (!hint) return fail('bundle', 'the bundle names no key (no public-key hint)');
  if (sig0.keyid && sig0.keyid !== hint) return fail('bundle', `the signature's key id ${sig0.keyid} is not the bundle's key ${hint}`);
  pass('bundle', 'a DSSE envelope with one signature');

  // key
  const key = keys.find((k) => k.keyId === hint);
  if (!key) return fail('key', `key ${hint} is not among the published trust roots`);
  if (expect.keyOwner && !sameOwner(key.owner, expect.keyOwner)) {
    return fail('key', `signed by ${ownerLabel(key.owner)}'s key, expected ${ownerLabel(expect.keyOwner)}'s`, { keyId: key.keyId, keyOwner: key.owner });
  }
  pass('key', `${ownerLabel(key.owner)} key ${key.keyId}${key.status === 'retired' ? ' (retired; it still verifies what it signed)' : ''}`);
  const found = { keyId: key.keyId, keyOwner: key.owner };

  // signature
  let ok = false;
  try {
    const publicKey = await crypto.subtle.importKey('spki', pemToDer(key.publicKeyPem) as BufferSource, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, sig as BufferSource, pae(env.payloadType, payload) as BufferSource);
  } catch (e) {
    return fail('signature', `the key cannot verify: ${(e as Error).message}`, found);
  }
  if (!ok) return fail('signature', 'the DSSE signature does not match the payload and key', found);
  pass('signature', 'ECDSA P-256 signature over the DSSE PAE verifies');

  // statement
  if (env.payloadType !== DSSE_PAYLOAD_TYPE) return fail('statement', `payload type ${env.payloadType}, expected ${DSSE_PAYLOAD_TYPE}`, found);
  let statement: { _type?: unknown; subject?: { name?: unknown; digest?: { sha256?: unknown } }[]; predicateType?: unknown };
  try {
    statement = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as typeof statement;
  } catch {
    return fail('statement', 'the payload is not JSON', found);
  }
  const subject = Array.isArray(statement?.subject) ? statement.subject[0] : undefined;
  const digest = typeof subject?.digest?.sha256 === 'string' ? subject.digest.sha256 : undefined;
  const name = typeof subject?.name === 'string' ? subject.name : undefined;
  const predicateType = typeof statement?.predicateType === 'string' ? statement.predicateType : undefined;
  const withStatement = { ...found, ...(predicateType ? { predicateType } : {}), ...(name && digest ? { subject: { name, digest } } : {}), statement };
  if (statement?._type !== IN_TOTO_STATEMENT_TYPE || !digest || !name || !predicateType) {
    return fail('statement', 'not an in-toto statement with a sha256 subject', withStatement);
  }
  if (expect.predicateType && predicateType !== expect.predicateType) {
    return fail('statement', `predicate ${predicateType}, expected ${expect.predicateType}`, withStatement);
  }
  pass('statement', `in-toto statement, predicate ${predicateType}`);

  // subject
  if (expect.subjectName !== undefined && name !== expect.subjectName) {
    return fail('subject', `the statement names ${name}, expected ${expect.subjectName}`, withStatement);
  }
  if (expect.subjectDigest !== undefined && digestHex(digest) !== digestHex(expect.subjectDigest)) {
    return fail('subject', `subject digest ${shortDigest(digest)} does not match the expected ${shortDigest(expect.subjectDigest)}`, withStatement);
  }
  pass('subject', `subject ${name} ${shortDigest(digest)}${expect.subjectDigest ? ', as expected' : ''}`);
  return result(withStatement);
}

/** The in-toto statement of a bundle, unverified (for display); undefined when it does not decode. */
export function readStatement(bundle: SigstoreBundleJson): { subject?: { name: string; digest: { sha256: string } }[]; predicateType?: string; predicate?: unknown } | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(base64ToBytes(bundle.dsseEnvelope.payload))) as ReturnType<typeof readStatement>;
  } catch {
    return undefined;
  }
}
