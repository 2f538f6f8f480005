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
}

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
};

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  const missing = Object.values(KEYS).filter((k) => !env[k]);
  if (missing.length) throw new Error(`the test stack is not running (missing ${missing.join(', ')}): run the tests with "npm test"`);
  return Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, env[v]!])) as unknown as StackEnv;
}

export function stackEnvVars(s: StackEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [v, s[k as keyof StackEnv]]));
}
