import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { ensureDevSecrets } from './dev-secrets.ts';

/**
 * The secrets a server process needs. Explicit configuration wins; with embedded defaults
 * (no external services configured) the generated dev secrets are used.
 */
export function requireRuntimeSecrets(config: Config) {
  const dev = config.NODE_ENV === 'production' ? undefined : ensureDevSecrets(config.dataDir);
  const pick = (name: 'CODEC_KEYS' | 'TYPESENSE_API_KEY') => {
    const v = config[name] ?? dev?.[name];
    if (!v) throw new Error(`${name} must be set in production`);
    return v;
  };
  const databaseUrl = config.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${config.PG_PORT}/maestro`;
  return {
    codecKeys: pick('CODEC_KEYS'),
    typesenseApiKey: pick('TYPESENSE_API_KEY'),
    /** signs dev-login tokens, which only explicit dev mode (never production) issues or accepts */
    jwtSecret: config.AUTH_JWT_SECRET ?? dev?.AUTH_JWT_SECRET ?? randomBytes(32).toString('base64url'),
    /**
     * Master key(s) of the tenant secret store (platform/secrets.ts). Optional even in
     * production, so an installation upgrades without it: the secret API then answers 503
     * and secret references fail the step, until SECRETS_KEY is set.
     */
    secretsKey: config.SECRETS_KEY ?? dev?.SECRETS_KEY,
    databaseUrl,
  };
}
