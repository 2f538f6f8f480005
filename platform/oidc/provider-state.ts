import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * What the embedded provider must keep across restarts: its token signing key (so tokens
 * it issued stay valid after a restart of the stack) and the keys that sign its cookies.
 * Generated on first start into a 0600 file under DATA_DIR/keys (git-ignored).
 */
export interface ProviderState {
  signingKey: JWK & { kid: string; alg: 'ES256' };
  cookieKeys: string[];
}

export const SIGNING_ALG = 'ES256';

export async function loadOrCreateProviderState(file: string): Promise<ProviderState> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ProviderState;
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const state: ProviderState = {
    signingKey: { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: SIGNING_ALG, use: 'sig' },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return state;
}
