import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import path from 'node:path';

/**
 * Secrets the embedded defaults need when none are configured: generated once on first
 * start into `<DATA_DIR>/keys/dev-secrets.json` (mode 0600, git-ignored), reused after.
 * Configured values (env) always win.
 */
export interface DevSecrets {
  CODEC_KEYS: string;
  AUTH_JWT_SECRET: string;
  TYPESENSE_API_KEY: string;
  SECRETS_KEY: string;
  /** the password of every demo user at the embedded OpenID provider */
  DEMO_PASSWORD: string;
}

export function ensureDevSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): DevSecrets {
  const file = path.join(dataDir, 'keys', 'dev-secrets.json');
  let stored: Partial<DevSecrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
  const generated: DevSecrets = {
    CODEC_KEYS: stored.CODEC_KEYS ?? `dev1:${randomBytes(32).toString('base64')}`,
    AUTH_JWT_SECRET: stored.AUTH_JWT_SECRET ?? randomBytes(32).toString('base64url'),
    TYPESENSE_API_KEY: stored.TYPESENSE_API_KEY ?? randomBytes(24).toString('base64url'),
    // added after the first release: an older dev-secrets.json gains it on the next start
    SECRETS_KEY: stored.SECRETS_KEY ?? `dev1:${randomBytes(32).toString('base64')}`,
    DEMO_PASSWORD: stored.DEMO_PASSWORD ?? randomBytes(12).toString('base64url'),
  };
  if (JSON.stringify(stored) !== JSON.stringify(generated)) {
    // only keys/ is private: Postgres (run as its own user when we are root) lives beside it
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    CODEC_KEYS: env.CODEC_KEYS || generated.CODEC_KEYS,
    AUTH_JWT_SECRET: env.AUTH_JWT_SECRET || generated.AUTH_JWT_SECRET,
    TYPESENSE_API_KEY: env.TYPESENSE_API_KEY || generated.TYPESENSE_API_KEY,
    SECRETS_KEY: env.SECRETS_KEY || generated.SECRETS_KEY,
    DEMO_PASSWORD: env.DEMO_PASSWORD || generated.DEMO_PASSWORD,
  };
}
