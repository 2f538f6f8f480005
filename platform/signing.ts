import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as ecdsaSign, type KeyObject } from 'node:crypto';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { BUNDLE_V03_MEDIA_TYPE, bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial, VerificationError } from '@sigstore/verify';
import type { Sql } from './db.ts';
import { aesGcmOpen, aesGcmSeal, parseSecretsKey } from './secrets.ts';
import { canonicalJson } from '../domain/canonical-json.ts';
import { inputError } from '../domain/errors.ts';
import {
  DSSE_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  type InTotoStatement,
  type KeyOwner,
  type SigningKeyView,
  type SigstoreBundleJson,
  type VerificationCheck,
  type VerificationResult,
} from '../domain/trust.ts';

/**
 * Signing keys and Sigstore bundles (issue 12, docs/adr/0007-signing-and-receipts.md).
 *
 * Keys are ECDSA P-256, one active key per owner (the platform, or a publishing tenant),
 * generated on first use. The private half (PKCS#8 DER) is envelope-encrypted at rest as a
 * tenant secret is (platform/secrets.ts): a random data key (AES-256-GCM) wrapped by the
 * SECRETS_KEY master key, both layers binding `signing-key/<id>`, so a ciphertext copied to
 * another row does not decrypt. A rotation retires the active key; a retired key's public
 * half stays published and keeps verifying what it signed.
 *
 * Bundles are standard Sigstore v0.3 bundles: a DSSE envelope around an in-toto statement,
 * with a public-key hint (the key id) instead of a Fulcio certificate, and no transparency
 * log or timestamp (the public-good Sigstore services are unreachable here).
 */

export interface ActiveSigningKey {
  keyId: string;
  owner: KeyOwner;
  publicKeyPem: string;
  privateKey: KeyObject;
}

export interface KeyRing {
  /** The owner's active key; the first call for an owner generates it (concurrent callers get the same key). */
  activeKey(owner: KeyOwner): Promise<ActiveSigningKey>;
  /** Retires the owner's active key (if any) and makes a new one: the new key's public view. */
  rotate(owner: KeyOwner): Promise<SigningKeyView>;
  /** Every published key, active and retired (the trust roots), oldest first. */
  publicKeys(): Promise<SigningKeyView[]>;
}

/** Owner ids are tenant ids (publisher) or `platform`. */
const OWNER_ID = /^[a-z][a-z0-9-]{1,39}$/;

export function checkKeyOwner(owner: KeyOwner): KeyOwner {
  if (owner.kind === 'platform' && owner.id === 'platform') return PLATFORM;
  if (owner.kind === 'publisher' && typeof owner.id === 'string' && OWNER_ID.test(owner.id)) return { kind: 'publisher', id: owner.id };
  throw inputError('KEY_OWNER_INVALID', 'a key owner is the platform or a publisher tenant id');
}
const PLATFORM: KeyOwner = { kind: 'platform', id: 'platform' };

/** `platform` or `publisher:<tenant>` (the API's spelling of an owner). */
export const formatKeyOwner = (o: KeyOwner) => (o.kind === 'platform' ? 'platform' : `publisher:${o.id}`);

export function parseKeyOwner(s: string): KeyOwner {
  if (s === 'platform') return PLATFORM;
  if (s.startsWith('publisher:')) return checkKeyOwner({ kind: 'publisher', id: s.slice('publisher:'.length) });
  throw inputError('KEY_OWNER_INVALID', 'a key owner is "platform" or "publisher:<tenant>"');
}

export const sameOwner = (a: KeyOwner | undefined, b: KeyOwner | undefined) => !!a && !!b && a.kind === b.kind && a.id === b.id;

/** The key id (the bundle's public-key hint): stable, readable, bound to the public key. */
export function keyIdFor(owner: KeyOwner, spkiDer: Buffer): string {
  const fp = createHash('sha256').update(spkiDer).digest('hex').slice(0, 16);
  return owner.kind === 'platform' ? `maestro-platform-${fp}` : `maestro-publisher-${owner.id}-${fp}`;
}

const aad = (keyId: string, layer: 'key' | 'value') => Buffer.from(`maestro-signing-key:1:${layer}:signing-key/${keyId}`);

interface KeyRow {
  id: string;
  owner_kind: 'platform' | 'publisher';
  owner_id: string;
  public_key: string;
  private_key: Buffer;
  data_key: Buffer;
  wrap_key_id: string;
  status: 'active' | 'retired';
  created_at: Date;
  retired_at: Date | null;
}

const ownerOf = (r: Pick<KeyRow, 'owner_kind' | 'owner_id'>): KeyOwner =>
  r.owner_kind === 'platform' ? PLATFORM : { kind: 'publisher', id: r.owner_id };

export const keyView = (r: Omit<KeyRow, 'private_key' | 'data_key' | 'wrap_key_id'>): SigningKeyView => ({
  keyId: r.id,
  owner: ownerOf(r),
  algorithm: 'ecdsa-p256-sha256',
  publicKeyPem: r.public_key,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  ...(r.retired_at ? { retiredAt: r.retired_at.toISOString() } : {}),
});

/** Every published key (no SECRETS_KEY needed: nothing is decrypted). */
export async function listPublicKeys(sql: Sql): Promise<SigningKeyView[]> {
  const rows = await sql<KeyRow[]>`
    select id, owner_kind, owner_id, public_key, status, created_at, retired_at from signing_key order by created_at, id`;
  return rows.map(keyView);
}

export function createKeyRing(sql: Sql, secretsKey: string): KeyRing {
  const { activeKeyId: wrapKeyId, keys: masterKeys } = parseSecretsKey(secretsKey);
  // decrypted private keys by key id: a key's material never changes, only its status
  const decrypted = new Map<string, KeyObject>();

  const masterKey = (id: string) => {
    const k = masterKeys.get(id);
    if (!k) throw new Error(`signing keys: no master key "${id}" in SECRETS_KEY to unwrap signing key material`);
    return k;
  };

  function generate(owner: KeyOwner) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const id = keyIdFor(owner, spki);
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const dataKey = randomBytes(32);
    try {
      return {
        id,
        publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
        privateKey: aesGcmSeal(dataKey, pkcs8, aad(id, 'value')),
        dataKey: aesGcmSeal(masterKey(wrapKeyId), dataKey, aad(id, 'key')),
      };
    } finally {
      dataKey.fill(0);
      pkcs8.fill(0);
    }
  }

  function unseal(row: KeyRow): KeyObject {
    const cached = decrypted.get(row.id);
    if (cached) return cached;
    const dataKey = aesGcmOpen(masterKey(row.wrap_key_id), row.data_key, aad(row.id, 'key'));
    let pkcs8: Buffer | undefined;
    try {
      pkcs8 = aesGcmOpen(dataKey, row.private_key, aad(row.id, 'value'));
      const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      decrypted.set(row.id, key);
      return key;
    } finally {
      dataKey.fill(0);
      pkcs8?.fill(0);
    }
  }

  const selectActive = async (owner: KeyOwner) => {
    const [row] = await sql<KeyRow[]>`
      select * from signing_key where owner_kind = ${owner.kind} and owner_id = ${owner.id} and status = 'active'`;
    return row;
  };

  const toActive = (row: KeyRow): ActiveSigningKey => ({ keyId: row.id, owner: ownerOf(row), publicKeyPem: row.public_key, privateKey: unseal(row) });

  return {
    async activeKey(rawOwner) {
      const owner = checkKeyOwner(rawOwner);
      const existing = await selectActive(owner);
      if (existing) return toActive(existing);
      const k = generate(owner);
      // the partial unique index keeps one active key per owner: a concurrent first use loses here and reads the winner's
      await sql`
        insert into signing_key (id, owner_kind, owner_id, public_key, private_key, data_key, wrap_key_id, status)
        values (${k.id}, ${owner.kind}, ${owner.id}, ${k.publicPem}, ${k.privateKey}, ${k.dataKey}, ${wrapKeyId}, 'active')
        on conflict (owner_kind, owner_id) where status = 'active' do nothing`;
      const row = await selectActive(owner);
      if (!row) throw new Error(`signing keys: no active key for ${formatKeyOwner(owner)} after creating one (rotated concurrently?)`);
      return toActive(row);
    },

    async rotate(rawOwner) {
      const owner = checkKeyOwner(rawOwner);
      const k = generate(owner);
      const row = await sql.begin(async (tx) => {
        // two rotations of one owner queue up here instead of tripping over the unique active index
        await tx`select pg_advisory_xact_lock(hashtext(${`signing-key/${formatKeyOwner(owner)}`}))`;
        await tx`
          update signing_key set status = 'retired', retired_at = now()
          where owner_kind = ${owner.kind} and owner_id = ${owner.id} and status = 'active'`;
        const [inserted] = await tx<KeyRow[]>`
          insert into signing_key (id, owner_kind, owner_id, public_key, private_key, data_key, wrap_key_id, status)
          values (${k.id}, ${owner.kind}, ${owner.id}, ${k.publicPem}, ${k.privateKey}, ${k.dataKey}, ${wrapKeyId}, 'active')
          returning *`;
        return inserted!;
      });
      return keyView(row);
    },

    publicKeys: () => listPublicKeys(sql),
  };
}

// ---------------------------------------------------------------------------------------
// Signing

/** `sha256:<hex>` or `<hex>` → `<hex>` (lower case), or undefined when it is neither. */
export function sha256Hex(digest: string): string | undefined {
  const m = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(digest);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** An in-toto statement about one subject (`digest` as `sha256:<hex>` or hex). */
export function statementFor<P>(subject: { name: string; digest: string }, predicateType: string, predicate: P): InTotoStatement<P> {
  const hex = sha256Hex(subject.digest);
  if (!hex) throw new Error(`statementFor: subject digest of ${subject.name} is not a sha256 digest`);
  return { _type: IN_TOTO_STATEMENT_TYPE, subject: [{ name: subject.name, digest: { sha256: hex } }], predicateType, predicate };
}

/** Signs the statement (canonical JSON) with the owner's active key: a Sigstore v0.3 DSSE bundle. */
export async function signStatement(keyRing: KeyRing, owner: KeyOwner, statement: InTotoStatement): Promise<SigstoreBundleJson> {
  const key = await keyRing.activeKey(owner);
  const builder = new DSSEBundleBuilder({
    witnesses: [],
    signer: {
      sign: async (data) => ({
        signature: ecdsaSign('sha256', data, key.privateKey),
        key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint: key.keyId },
      }),
    },
  });
  const bundle = await builder.create({ data: Buffer.from(canonicalJson(statement), 'utf8'), type: DSSE_PAYLOAD_TYPE });
  return bundleToJSON(bundle) as unknown as SigstoreBundleJson;
}

// ---------------------------------------------------------------------------------------
// Verification

/** Bounds on what a verification reads: a bundle is untrusted input. */
export const BUNDLE_LIMITS = { maxBytes: 1024 * 1024, maxDepth: 64 } as const;

export interface VerifyExpectations {
  /** `sha256:<hex>` (or hex): the subject's digest must be this */
  subjectDigest?: string;
  subjectName?: string;
  /** the key must belong to this owner (a version must be signed by its publisher's key) */
  keyOwner?: KeyOwner;
  predicateType?: string;
  /** the verifier's trust roots: whether it accepts this (known) key */
  trusted?: (key: SigningKeyView) => boolean;
}

/** Depth of a JSON value, stopping as soon as it passes `max` (no recursion: hostile input). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  let seen = 0;
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    // a cyclic object graph (only possible for in-process callers) must not spin forever
    if (++seen > 1_000_000) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** The statement a bundle carries, decoded but NOT verified (for display); undefined when it is not one. */
export function decodeStatement(bundle: unknown): InTotoStatement | undefined {
  const env = (bundle as SigstoreBundleJson | null)?.dsseEnvelope;
  if (typeof env?.payload !== 'string' || env.payload.length > BUNDLE_LIMITS.maxBytes * 2) return undefined;
  return statementFromBytes(Buffer.from(env.payload, 'base64'));
}

function statementFromBytes(payload: Buffer): InTotoStatement | undefined {
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    if (jsonDepthExceeds(parsed, BUNDLE_LIMITS.maxDepth)) return undefined;
    return isStatementShape(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isStatementShape(v: unknown): v is InTotoStatement {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s._type === 'string' &&
    typeof s.predicateType === 'string' &&
    Array.isArray(s.subject) &&
    s.subject.every(
      (x) => !!x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' && typeof (x as { digest?: { sha256?: unknown } }).digest?.sha256 === 'string',
    )
  );
}

/**
 * Verifies a bundle against published keys: shape (bounded), key (known, owner, trusted),
 * DSSE signature (@sigstore/verify, no transparency log or timestamp required), statement
 * type and predicate type, subject name and digest. Stops at the first failed check, which
 * the result names. Never throws: anything a caller passes is treated as hostile.
 */
export function verifyBundle(bundle: unknown, keys: readonly SigningKeyView[], expect: VerifyExpectations = {}): VerificationResult {
  const checks: VerificationResult['checks'] = [];
  const result: VerificationResult = { ok: false, checks };
  const pass = (check: VerificationCheck, message: string) => void checks.push({ check, ok: true, message });
  const fail = (check: VerificationCheck, message: string) => {
    checks.push({ check, ok: false, message });
    return result;
  };

  // 1. bundle: bounded, a v0.3 DSSE bundle with a public-key hint and one signature
  let size: number;
  try {
    size = typeof bundle === 'string' ? Buffer.byteLength(bundle) : Buffer.byteLength(JSON.stringify(bundle) ?? '');
  } catch {
    return fail('bundle', 'the bundle is not JSON');
  }
  if (size > BUNDLE_LIMITS.maxBytes) return fail('bundle', `the bundle is ${size} bytes; at most ${BUNDLE_LIMITS.maxBytes} are accepted`);
  let json: unknown = bundle;
  if (typeof bundle === 'string') {
    try {
      json = JSON.parse(bundle);
    } catch {
      return fail('bundle', 'the bundle is not JSON');
    }
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return fail('bundle', 'the bundle is not a JSON object');
  if (jsonDepthExceeds(json, BUNDLE_LIMITS.maxDepth)) return fail('bundle', `the bundle nests deeper than ${BUNDLE_LIMITS.maxDepth} levels`);
  const b = json as SigstoreBundleJson;
  if (b.mediaType !== BUNDLE_V03_MEDIA_TYPE) return fail('bundle', `the bundle's media type is not ${BUNDLE_V03_MEDIA_TYPE}`);
  const hint = b.verificationMaterial?.publicKey?.hint;
  if (typeof hint !== 'string' || !hint) return fail('bundle', 'the bundle names no public key (verificationMaterial.publicKey.hint)');
  const env = b.dsseEnvelope;
  if (!env || typeof env !== 'object') return fail('bundle', 'the bundle has no DSSE envelope');
  if (env.payloadType !== DSSE_PAYLOAD_TYPE) return fail('bundle', `the envelope's payload type is not ${DSSE_PAYLOAD_TYPE}`);
  if (!Array.isArray(env.signatures) || env.signatures.length !== 1) return fail('bundle', 'the envelope must carry exactly one signature');
  const sigKeyId = env.signatures[0]?.keyid;
  if (sigKeyId !== undefined && sigKeyId !== '' && sigKeyId !== hint) return fail('bundle', `the signature's key id "${sigKeyId}" is not the bundle's key "${hint}"`);
  let parsed: ReturnType<typeof bundleFromJSON>;
  try {
    parsed = bundleFromJSON(json);
  } catch (e) {
    return fail('bundle', `the bundle is not a valid Sigstore bundle: ${messageOf(e)}`);
  }
  const material = parsed.verificationMaterial.content;
  if (material.$case !== 'publicKey' || material.publicKey.hint !== hint || parsed.content.$case !== 'dsseEnvelope') {
    return fail('bundle', 'the bundle must carry a DSSE envelope and a public-key hint, nothing else');
  }
  pass('bundle', 'a Sigstore v0.3 bundle with a DSSE envelope');

  // 2. key: published, of the expected owner, among the verifier's trust roots
  result.keyId = hint;
  const key = keys.find((k) => k.keyId === hint);
  if (!key) return fail('key', `key "${hint}" is not a published key`);
  result.keyOwner = key.owner;
  if (expect.keyOwner && !sameOwner(key.owner, expect.keyOwner)) {
    return fail('key', `key "${hint}" belongs to ${formatKeyOwner(key.owner)}, not to ${formatKeyOwner(expect.keyOwner)}`);
  }
  if (expect.trusted && !expect.trusted(key)) return fail('key', `key "${hint}" of ${formatKeyOwner(key.owner)} is not among the trusted keys`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(key.publicKeyPem);
  } catch {
    return fail('key', `key "${hint}" is not a readable public key`);
  }
  pass('key', `key "${hint}" of ${formatKeyOwner(key.owner)}${key.status === 'retired' ? ' (retired, still valid for what it signed)' : ''}`);

  // 3. signature: the DSSE signature over the payload, by that key
  try {
    const trust = toTrustMaterial(EMPTY_ROOT, (h: string) => {
      if (h !== hint) throw new VerificationError({ code: 'PUBLIC_KEY_ERROR', message: `key not found: ${h}` });
      return { publicKey, validFor: () => true };
    });
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(parsed));
  } catch (e) {
    return fail('signature', `the signature does not verify with key "${hint}": ${messageOf(e)}`);
  }
  pass('signature', `the DSSE signature verifies with key "${hint}"`);

  // 4. statement: an in-toto statement of the expected predicate type
  // the bytes the signature covers, not a second decoding of the JSON
  const statement = parsed.content.$case === 'dsseEnvelope' ? statementFromBytes(parsed.content.dsseEnvelope.payload) : undefined;
  if (!statement) return fail('statement', 'the signed payload is not an in-toto statement');
  if (statement._type !== IN_TOTO_STATEMENT_TYPE) return fail('statement', `the statement type is "${statement._type}", not ${IN_TOTO_STATEMENT_TYPE}`);
  result.predicateType = statement.predicateType;
  if (expect.predicateType && statement.predicateType !== expect.predicateType) {
    return fail('statement', `the predicate type is "${statement.predicateType}", not ${expect.predicateType}`);
  }
  if (statement.subject.length !== 1) return fail('statement', `the statement names ${statement.subject.length} subjects; exactly one is expected`);
  pass('statement', `an in-toto statement (${statement.predicateType})`);

  // 5. subject: the name and digest the caller expects
  const subject = statement.subject[0]!;
  const digestHex = sha256Hex(subject.digest.sha256);
  result.subject = { name: subject.name, digest: `sha256:${subject.digest.sha256}` };
  if (!digestHex || digestHex !== subject.digest.sha256) return fail('subject', 'the subject digest is not a sha256 hex digest');
  if (expect.subjectName !== undefined && subject.name !== expect.subjectName) {
    return fail('subject', `the subject is "${subject.name}", not "${expect.subjectName}"`);
  }
  if (expect.subjectDigest !== undefined) {
    const want = sha256Hex(expect.subjectDigest);
    if (!want) return fail('subject', `the expected digest "${expect.subjectDigest}" is not a sha256 digest`);
    if (want !== digestHex) return fail('subject', `the subject digest sha256:${digestHex} does not match the expected sha256:${want}`);
  }
  pass('subject', `subject ${subject.name} sha256:${digestHex}`);
  result.ok = true;
  return result;
}

const EMPTY_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
} as unknown as Parameters<typeof toTrustMaterial>[0];

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 300);

// ---------------------------------------------------------------------------------------
// Trust roots

/**
 * A tenant's trust roots as a key filter: the platform's keys, its own publisher keys (a
 * tenant never has to list itself), and the keys of the publishers in
 * `tenant_setting.trusted_publishers` (null or no row = every publisher).
 */
export async function tenantTrust(sql: Sql, tenantId: string): Promise<(key: SigningKeyView) => boolean> {
  const [row] = await sql<{ trusted_publishers: string[] | null }[]>`select trusted_publishers from tenant_setting where tenant_id = ${tenantId}`;
  const list = row?.trusted_publishers ?? null;
  const trusted = list ? new Set(list) : null;
  return (k) => k.owner.kind === 'platform' || k.owner.id === tenantId || trusted === null || trusted.has(k.owner.id);
}
