import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Sql } from './db.ts';
import { inputError, notAllowed, notFound } from '../domain/errors.ts';
import { SECRET_DESCRIPTION_MAX, SECRET_NAME, SECRET_VALUE_MAX_BYTES } from '../domain/secrets.ts';

/**
 * The tenant secret store. Values are envelope-encrypted at rest in the `secret` table:
 * each value has its own random data key (AES-256-GCM), and the data key is wrapped by a
 * master key from SECRETS_KEY (AES-256-GCM too); the master key's id is stored in
 * `key_id`, so keys rotate by listing a new key first and calling `rewrap()`. Both layers
 * bind the row (`<tenant>/<name>`) as additional authenticated data, so a ciphertext
 * copied into another tenant's row does not decrypt.
 *
 * Secrets are written by the API straight to this store, never through a workflow: a
 * value passed to a workflow or activity would be recorded in its Temporal history
 * (see docs/adr/0002-secrets.md). Workflows only ever carry references
 * (`secret://<tenant>/<name>`); adapter activities resolve them at the moment of use.
 */
export interface SecretStore {
  /**
   * Creates a secret of `tenantId`, or rotates it: replacing the value of an existing secret
   * records who did it and when (`rotatedAt`). A description given replaces the old one;
   * none keeps it.
   */
  put(tenantId: string, name: string, value: string, meta?: SecretWrite): Promise<{ created: boolean }>;
  /**
   * The value behind a reference, for a caller acting for `tenantId`. Throws
   * SECRET_REFERENCE_INVALID, SECRET_FORBIDDEN (another tenant's secret) or SECRET_NOT_FOUND.
   */
  resolve(ref: string, tenantId: string): Promise<string>;
  /** false when there was no such secret */
  delete(tenantId: string, name: string): Promise<boolean>;
  /** names and metadata only, never values */
  list(tenantId: string): Promise<SecretSummary[]>;
  /**
   * Re-wraps every data key not wrapped by the active master key (after a rotation). Rows
   * that no key can unwrap are left as they are and listed (`<tenant>/<name>`).
   */
  rewrap(): Promise<{ rewrapped: number; unreadable: string[] }>;
}

/** Who writes, and what they say the secret is for. */
export interface SecretWrite {
  actor?: string;
  description?: string;
}

export interface SecretSummary {
  name: string;
  ref: string;
  description?: string;
  createdBy?: string;
  createdAt: Date;
  updatedBy?: string;
  updatedAt: Date;
  /** when the value was last replaced; absent while it is the first value */
  rotatedAt?: Date;
}

export { SECRET_DESCRIPTION_MAX, SECRET_NAME, SECRET_VALUE_MAX_BYTES } from '../domain/secrets.ts';
const REF = /^secret:\/\/([a-z][a-z0-9-]{1,39})\/([a-z][a-z0-9_-]{0,62})$/;

export const secretRef = (tenantId: string, name: string) => `secret://${tenantId}/${name}`;

export function parseSecretRef(ref: string): { tenantId: string; name: string } | undefined {
  const m = REF.exec(ref);
  return m ? { tenantId: m[1]!, name: m[2]! } : undefined;
}

export const isSecretRef = (v: unknown): v is string => typeof v === 'string' && REF.test(v);

/** `id:base64key[,…]` — the first key wraps new data keys; every key unwraps. */
export function parseSecretsKey(spec: string): { activeKeyId: string; keys: Map<string, Buffer> } {
  const keys = new Map<string, Buffer>();
  let activeKeyId = '';
  for (const part of spec.split(',')) {
    const [id, b64] = part.trim().split(':');
    if (!id || !b64) throw new Error('SECRETS_KEY: expected id:base64key[,id:base64key…]');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error(`SECRETS_KEY: key "${id}" must be 32 bytes (AES-256), got ${key.length}`);
    if (keys.has(id)) throw new Error(`SECRETS_KEY: key id "${id}" appears twice`);
    keys.set(id, key);
    activeKeyId ||= id;
  }
  return { activeKeyId, keys };
}

// ciphertext layout, format 1:
// [1: format][12: wrap iv][32: wrapped data key][16: wrap tag][12: iv][n: value][16: tag]
const FORMAT = 1;
const IV = 12;
const TAG = 16;
const KEY = 32;
const HEADER = 1 + IV + KEY + TAG;

const aad = (tenantId: string, name: string, layer: 'key' | 'value') => Buffer.from(`maestro-secret:${FORMAT}:${layer}:${tenantId}/${name}`);

function seal(key: Buffer, plain: Buffer, additional: Buffer): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additional);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, additional: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAAD(additional);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV, sealed.length - TAG)), decipher.final()]);
}

/** AES-256-GCM with additional data, `[iv][ciphertext][tag]`: the two layers of every envelope (also signing keys). */
export { seal as aesGcmSeal, open as aesGcmOpen };

interface SecretRow {
  name: string;
  description: string | null;
  created_by: string | null;
  created_at: Date;
  updated_by: string | null;
  updated_at: Date;
  rotated_at: Date | null;
}

/** A tenant's secrets, names and metadata only (no key needed: nothing is decrypted). */
export async function listSecrets(sql: Sql, tenantId: string): Promise<SecretSummary[]> {
  const rows = await sql<SecretRow[]>`
    select name, description, created_by, created_at, updated_by, updated_at, rotated_at
    from secret where tenant_id = ${tenantId} order by name`;
  return rows.map((r) => ({
    name: r.name,
    ref: secretRef(tenantId, r.name),
    ...(r.description ? { description: r.description } : {}),
    ...(r.created_by ? { createdBy: r.created_by } : {}),
    createdAt: r.created_at,
    ...(r.updated_by ? { updatedBy: r.updated_by } : {}),
    updatedAt: r.updated_at,
    ...(r.rotated_at ? { rotatedAt: r.rotated_at } : {}),
  }));
}

/** Which of `names` the tenant has a secret by (no key needed: only names are read). */
export async function presentSecretNames(sql: Sql, tenantId: string, names: readonly string[]): Promise<Set<string>> {
  if (!names.length) return new Set();
  const rows = await sql<{ name: string }[]>`select name from secret where tenant_id = ${tenantId} and name = any(${names as string[]}::text[])`;
  return new Set(rows.map((r) => r.name));
}

export function createSecretStore(sql: Sql, secretsKey: string): SecretStore {
  const { activeKeyId, keys } = parseSecretsKey(secretsKey);
  const masterKey = (id: string) => {
    const k = keys.get(id);
    // an operator problem, not the caller's: stays a plain (retryable) error
    if (!k) throw new Error(`secret store: no master key "${id}" in SECRETS_KEY to unwrap this secret`);
    return k;
  };

  const encrypt = (tenantId: string, name: string, value: string): Buffer => {
    const dataKey = randomBytes(KEY);
    try {
      const wrapped = seal(masterKey(activeKeyId), dataKey, aad(tenantId, name, 'key'));
      return Buffer.concat([Buffer.of(FORMAT), wrapped, seal(dataKey, Buffer.from(value, 'utf8'), aad(tenantId, name, 'value'))]);
    } finally {
      dataKey.fill(0);
    }
  };

  const unwrapDataKey = (tenantId: string, name: string, keyId: string, blob: Buffer) => {
    if (blob[0] !== FORMAT) throw new Error(`secret store: unknown ciphertext format ${blob[0]}`);
    return open(masterKey(keyId), blob.subarray(1, HEADER), aad(tenantId, name, 'key'));
  };

  const decrypt = (tenantId: string, name: string, keyId: string, blob: Buffer): string => {
    const dataKey = unwrapDataKey(tenantId, name, keyId, blob);
    try {
      return open(dataKey, blob.subarray(HEADER), aad(tenantId, name, 'value')).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  };

  const checkName = (name: string) => {
    if (!SECRET_NAME.test(name)) throw inputError('SECRET_NAME_INVALID', 'a secret name is 1–63 characters: a lower-case letter, then letters, digits, "_" or "-"');
  };

  return {
    async put(tenantId, name, value, meta = {}) {
      checkName(name);
      if (!value.length || Buffer.byteLength(value, 'utf8') > SECRET_VALUE_MAX_BYTES) {
        throw inputError('SECRET_VALUE_INVALID', `a secret value must be 1 to ${SECRET_VALUE_MAX_BYTES} bytes`);
      }
      if (meta.description !== undefined && meta.description.length > SECRET_DESCRIPTION_MAX) {
        throw inputError('SECRET_DESCRIPTION_INVALID', `a secret description is at most ${SECRET_DESCRIPTION_MAX} characters`);
      }
      const actor = meta.actor ?? null;
      const description = meta.description ?? null;
      // the same statement creates and rotates, so two writers racing on one name cannot both "create"
      const [row] = await sql<{ created: boolean }[]>`
        insert into secret (tenant_id, name, ciphertext, key_id, description, created_by, updated_by)
        values (${tenantId}, ${name}, ${encrypt(tenantId, name, value)}, ${activeKeyId}, ${description}, ${actor}, ${actor})
        on conflict (tenant_id, name) do update
          set ciphertext = excluded.ciphertext, key_id = excluded.key_id, updated_at = now(), rotated_at = now(),
              updated_by = excluded.updated_by, description = coalesce(excluded.description, secret.description)
        returning (xmax = 0) as created`;
      return { created: row?.created ?? false };
    },

    async resolve(ref, tenantId) {
      const parsed = parseSecretRef(ref);
      // never echo the value: a literal secret in a secret input would leak through the message
      if (!parsed) throw inputError('SECRET_REFERENCE_INVALID', 'a secret input must hold a reference of the form secret://<tenant>/<name>');
      if (parsed.tenantId !== tenantId) {
        throw notAllowed('SECRET_FORBIDDEN', `a run of tenant "${tenantId}" may not use secret "${parsed.name}" of tenant "${parsed.tenantId}"`);
      }
      const [row] = await sql<{ ciphertext: Buffer; key_id: string }[]>`
        select ciphertext, key_id from secret where tenant_id = ${tenantId} and name = ${parsed.name}`;
      if (!row) throw notFound('SECRET_NOT_FOUND', `tenant "${tenantId}" has no secret "${parsed.name}" (store it with PUT /api/secrets/${parsed.name})`);
      return decrypt(tenantId, parsed.name, row.key_id, row.ciphertext);
    },

    async delete(tenantId, name) {
      checkName(name);
      const rows = await sql`delete from secret where tenant_id = ${tenantId} and name = ${name} returning name`;
      return rows.length > 0;
    },

    async list(tenantId) {
      return listSecrets(sql, tenantId);
    },

    async rewrap() {
      return sql.begin(async (tx) => {
        const rows = await tx<{ tenant_id: string; name: string; ciphertext: Buffer; key_id: string }[]>`
          select tenant_id, name, ciphertext, key_id from secret where key_id <> ${activeKeyId} for update`;
        const unreadable: string[] = [];
        let rewrapped = 0;
        for (const r of rows) {
          let dataKey: Buffer;
          try {
            dataKey = unwrapDataKey(r.tenant_id, r.name, r.key_id, r.ciphertext);
          } catch {
            unreadable.push(`${r.tenant_id}/${r.name}`);
            continue;
          }
          try {
            // only the key layer changes; the value's ciphertext stays as it is
            const wrapped = seal(masterKey(activeKeyId), dataKey, aad(r.tenant_id, r.name, 'key'));
            const blob = Buffer.concat([Buffer.of(FORMAT), wrapped, r.ciphertext.subarray(HEADER)]);
            await tx`update secret set ciphertext = ${blob}, key_id = ${activeKeyId} where tenant_id = ${r.tenant_id} and name = ${r.name}`;
            rewrapped++;
          } finally {
            dataKey.fill(0);
          }
        }
        return { rewrapped, unreadable };
      });
    },
  };
}
