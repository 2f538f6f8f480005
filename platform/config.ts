import { z } from 'zod';
import path from 'node:path';

/**
 * All configuration comes from the environment, parsed once here. A bad value stops the
 * process with one line per problem, naming the variable.
 */
const port = (def: number) => z.coerce.number().int().min(1).max(65535).default(def);
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();

const duration = (def: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 500ms, 30s, 5m or 1h')
    .default(def);

/** Milliseconds of a duration accepted by the schema above (`500ms`, `30s`, `5m`, `1h`). */
export function durationMs(value: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!m) throw new Error(`not a duration: ${value}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(3000),
  PUBLIC_URL: optionalUrl,
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: optionalUrl,
  PG_PORT: port(54329),

  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').optional(),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_UI_URL: optionalUrl,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('maestro-core'),

  TYPESENSE_URL: optionalUrl,
  TYPESENSE_PORT: port(8108),
  TYPESENSE_API_KEY: z.string().min(8).optional(),
  TYPESENSE_COLLECTION: z.string().regex(/^[a-z][a-z0-9_]*$/).default('catalog'),

  /** `id:base64key[,id:base64key…]`; the first is used to encrypt, all decrypt. */
  CODEC_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/, 'must be id:base64key[,id:base64key…]')
    .optional(),
  CODEC_AUTH_TOKEN: z.string().min(16).optional(),

  /**
   * Master key(s) of the tenant secret store, `id:base64key[,id:base64key…]` (32-byte
   * AES-256 keys): the first wraps new data keys, every listed key unwraps (rotation).
   */
  SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/, 'must be id:base64key[,id:base64key…]')
    .optional(),
  CODEC_CORS_ORIGINS: z.string().optional(),

  /**
   * The OpenID provider whose access tokens the API accepts (`iss`), verified with its JWKS
   * (OIDC_JWKS_URL, or the `jwks_uri` of its discovery document). Unset: the embedded
   * provider `npm start` runs on 127.0.0.1:OIDC_PORT.
   */
  OIDC_ISSUER: optionalUrl,
  OIDC_JWKS_URL: optionalUrl,
  /** the `aud` the API requires */
  OIDC_AUDIENCE: z.string().min(1).default('maestro-api'),
  /** the Switchboard's public client (authorization code + PKCE) and the scopes it asks for */
  OIDC_CLIENT_ID: z.string().min(1).default('maestro-switchboard'),
  OIDC_SCOPES: z.string().min(1).default('openid profile api'),
  OIDC_PORT: port(3001),
  /** the example partner systems `npm start` serves on 127.0.0.1 (examples/partner-systems/) */
  PARTNER_SYSTEMS_PORT: port(3002),

  /** signs dev-login tokens; only used in dev mode (AUTH_DEV_LOGIN) */
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** explicit dev mode: POST /api/dev/login mints tokens for the demo users; loopback HOST only */
  AUTH_DEV_LOGIN: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),

  /**
   * How often the worker's Temporal Schedule starts a catalog health rollup: `30s`, `5m`,
   * `1h` (at least 10 seconds), or `off` to pause the schedule.
   */
  HEALTH_ROLLUP_INTERVAL: z
    .string()
    .trim()
    .regex(/^(off|[1-9]\d*(s|m|h))$/, 'must be a duration such as 30s, 5m or 1h, or off')
    .refine((v) => v === 'off' || !/^[1-9]s$/.test(v), 'must be at least 10s')
    .default('5m'),

  /**
   * How often the worker's Temporal Schedule compares the search index with Postgres and
   * repairs a drift by a reindex (also once when a worker starts): `10m`, or `off`.
   */
  CATALOG_INDEX_CHECK_INTERVAL: z
    .string()
    .trim()
    .regex(/^(off|[1-9]\d*(s|m|h))$/, 'must be a duration such as 30s, 5m or 1h, or off')
    .refine((v) => v === 'off' || !/^[1-9]s$/.test(v), 'must be at least 10s')
    .default('10m'),

  /**
   * How long a worker asked to stop (SIGTERM/SIGINT) lets the activities it is running
   * finish before it cancels them: `20s`, `1m`. npm start waits this long plus 10 s.
   */
  WORKER_SHUTDOWN_GRACE: duration('20s'),
  /** npm start gives up (stops everything, exit 1) when one child fails this often… */
  SUPERVISOR_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** …within this window */
  SUPERVISOR_FAILURE_WINDOW: duration('60s'),
  /** npm start's first wait before starting a crashed child again (doubles per failure, up to 30 s) */
  SUPERVISOR_BACKOFF: duration('500ms'),
  /** the supervisor's state, written by npm start and shown by GET /api/health */
  SUPERVISOR_STATUS_FILE: z.string().min(1).optional(),

  /**
   * How long a certification holds before its lifecycle marks it overdue ("review overdue"
   * until recertified): `180d`, `4320h`, `30m` (at least a minute).
   */
  CERTIFICATION_TTL: z
    .string()
    .trim()
    .regex(/^[1-9]\d*(m|h|d)$/, 'must be a duration such as 180d, 720h or 30m')
    .default('180d'),

  /**
   * Marketplace reviews (workflows/review.ts): a review nobody decided is escalated to the
   * escalation group after REVIEW_ESCALATE_AFTER and expires after REVIEW_EXPIRE_AFTER
   * (both from when its evidence is gathered); the performance review dry-runs the version
   * REVIEW_PERF_RUNS times.
   */
  REVIEW_ESCALATE_AFTER: duration('72h'),
  REVIEW_EXPIRE_AFTER: duration('168h'),
  REVIEW_PERF_RUNS: z.coerce.number().int().min(0).max(50).default(5),

  POLICY_DIR: z.string().min(1).default('.build/policies'),
  WEB_DIST: z.string().min(1).default('web/dist'),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  dataDir: string;
  temporalAddress: string;
  temporalUiUrl: string;
  typesenseUrl: string;
  publicUrl: string;
  /** explicit dev mode (AUTH_DEV_LOGIN=true), only ever on a loopback HOST outside production */
  devLogin: boolean;
  /** OIDC_ISSUER, or the embedded provider's issuer */
  oidcIssuer: string;
  /** true when Postgres, Temporal, Typesense or the OpenID provider are started by us (embedded defaults) */
  embedded: { postgres: boolean; temporal: boolean; typesense: boolean; oidc: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** HOST values that only this machine can reach */
export const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.AUTH_DEV_LOGIN && !isLoopbackHost(e.HOST)) {
    throw new ConfigError([`AUTH_DEV_LOGIN: dev login hands out any demo user's token, so it is only allowed when HOST is a loopback address (HOST is ${e.HOST})`]);
  }
  if (e.AUTH_DEV_LOGIN && e.NODE_ENV === 'production') {
    throw new ConfigError(['AUTH_DEV_LOGIN: dev login is not allowed when NODE_ENV is production']);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  const temporalAddress = e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`;
  return {
    ...e,
    dataDir,
    POLICY_DIR: path.resolve(e.POLICY_DIR),
    WEB_DIST: path.resolve(e.WEB_DIST),
    temporalAddress,
    temporalUiUrl: e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`,
    typesenseUrl: e.TYPESENSE_URL ?? `http://127.0.0.1:${e.TYPESENSE_PORT}`,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    devLogin: e.AUTH_DEV_LOGIN === true,
    oidcIssuer: e.OIDC_ISSUER ?? `http://127.0.0.1:${e.OIDC_PORT}`,
    embedded: { postgres: !e.DATABASE_URL, temporal: !e.TEMPORAL_ADDRESS, typesense: !e.TYPESENSE_URL, oidc: !e.OIDC_ISSUER },
  };
}

/** The marketplace review's timing and effort (REVIEW_*), as the review lifecycle's input takes them. */
export const reviewSettings = (c: Pick<Env, 'REVIEW_ESCALATE_AFTER' | 'REVIEW_EXPIRE_AFTER' | 'REVIEW_PERF_RUNS'>) => ({
  escalateAfterMs: durationMs(c.REVIEW_ESCALATE_AFTER),
  expireAfterMs: Math.max(durationMs(c.REVIEW_EXPIRE_AFTER), durationMs(c.REVIEW_ESCALATE_AFTER)),
  perfRuns: c.REVIEW_PERF_RUNS,
});
