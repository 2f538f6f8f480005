/**
 * Addresses and secrets of the stack the global setup started, passed to test files
 * through the environment (MAESTRO_TEST_*).
 */
export interface StackEnv {
  databaseUrl: string;
  temporalAddress: string;
  temporalDbFile: string;
  typesenseUrl: string;
  typesenseApiKey: string;
  codecKeys: string;
  secretsKey: string;
  jwtSecret: string;
  dataDir: string;
  /** the embedded OpenID provider the global setup started */
  oidcIssuer: string;
  /** its key file (tests sign tokens with its key to probe the API's checks) */
  oidcStateFile: string;
  /** every demo user's password there */
  demoPassword: string;
}

/** What the global setup also passes on, for the tests that need it. */
export interface StackExtras {
  temporalNamespace: string;
  /** Java test server for time-skipping tests (`createTimeSkipping` with an existing path) */
  temporalTestServerPath: string;
  /** server logs, kept until teardown */
  logDir: string;
}

const EXTRA_KEYS: Record<keyof StackExtras, string> = {
  temporalNamespace: 'MAESTRO_TEST_TEMPORAL_NAMESPACE',
  temporalTestServerPath: 'MAESTRO_TEST_TEMPORAL_TEST_SERVER',
  logDir: 'MAESTRO_TEST_LOG_DIR',
};

const KEYS: Record<keyof StackEnv, string> = {
  databaseUrl: 'MAESTRO_TEST_DATABASE_URL',
  temporalAddress: 'MAESTRO_TEST_TEMPORAL_ADDRESS',
  temporalDbFile: 'MAESTRO_TEST_TEMPORAL_DB_FILE',
  typesenseUrl: 'MAESTRO_TEST_TYPESENSE_URL',
  typesenseApiKey: 'MAESTRO_TEST_TYPESENSE_API_KEY',
  codecKeys: 'MAESTRO_TEST_CODEC_KEYS',
  secretsKey: 'MAESTRO_TEST_SECRETS_KEY',
  jwtSecret: 'MAESTRO_TEST_JWT_SECRET',
  dataDir: 'MAESTRO_TEST_DATA_DIR',
  oidcIssuer: 'MAESTRO_TEST_OIDC_ISSUER',
  oidcStateFile: 'MAESTRO_TEST_OIDC_STATE_FILE',
  demoPassword: 'MAESTRO_TEST_DEMO_PASSWORD',
};

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  const missing = Object.values(KEYS).filter((k) => !env[k]);
  if (missing.length) throw new Error(`the test stack is not running (missing ${missing.join(', ')}): run the tests with "npm test"`);
  return Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, env[v]!])) as unknown as StackEnv;
}

/** The MAESTRO_TEST_* variables of a stack (extras included when given). */
export function stackEnvVars(s: StackEnv & Partial<StackExtras>): Record<string, string> {
  const all: Record<string, string> = { ...KEYS, ...EXTRA_KEYS };
  return Object.fromEntries(
    Object.entries(all).flatMap(([k, v]) => {
      const value = (s as unknown as Record<string, string | undefined>)[k];
      return value === undefined ? [] : [[v, value]];
    }),
  );
}
