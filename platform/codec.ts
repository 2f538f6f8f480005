import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import proto from '@temporalio/proto';

const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `id:base64key[,…]`: the first key encrypts, every key decrypts (so keys can rotate). */
export function parseCodecKeys(spec: string): { activeKeyId: string; keys: Map<string, Buffer> } {
  const keys = new Map<string, Buffer>();
  let activeKeyId = '';
  for (const part of spec.split(',')) {
    const [id, b64] = part.split(':');
    if (!id || !b64) throw new Error('CODEC_KEYS: expected id:base64key');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error(`CODEC_KEYS: key "${id}" must be 32 bytes (AES-256), got ${key.length}`);
    keys.set(id, key);
    activeKeyId ||= id;
  }
  return { activeKeyId, keys };
}

/**
 * AES-256-GCM over the whole serialized Payload (metadata included), so neither the data
 * nor its original encoding is visible in history. The key id travels in clear metadata.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly activeKeyId: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
  ) {
    if (!keys.has(activeKeyId)) throw new Error(`codec: active key ${activeKeyId} is not among the keys`);
  }

  static fromSpec(spec: string) {
    const { activeKeyId, keys } = parseCodecKeys(spec);
    return new EncryptionCodec(activeKeyId, keys);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: encoder.encode(this.activeKeyId),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const enc = p.metadata?.[METADATA_ENCODING_KEY];
      if (!enc || decoder.decode(enc) !== ENCRYPTED_ENCODING) return p;
      const keyIdRaw = p.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdRaw ? decoder.decode(keyIdRaw) : '';
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`codec: no key "${keyId}" to decrypt this payload`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
