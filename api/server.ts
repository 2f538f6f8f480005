import { serve } from '@hono/node-server';
import { loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { createSql } from '../platform/db.ts';
import { connectClient } from '../platform/temporal.ts';
import { createTypesense } from '../platform/typesense.ts';
import { EncryptionCodec } from '../platform/codec.ts';
import { requireRuntimeSecrets } from '../platform/runtime-secrets.ts';
import { createApp } from './app.ts';

async function run() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'api');
  if (config.NODE_ENV === 'production' && !config.OIDC_ISSUER) {
    throw new Error('OIDC_ISSUER must be set in production: the OpenID provider whose access tokens the API accepts');
  }
  const secrets = requireRuntimeSecrets(config);
  const sql = createSql(secrets.databaseUrl);
  const { connection, client } = await connectClient({ address: config.temporalAddress, namespace: config.TEMPORAL_NAMESPACE, codecKeys: secrets.codecKeys });
  const app = createApp({
    config,
    log,
    sql,
    temporal: client,
    typesense: createTypesense(config.typesenseUrl, secrets.typesenseApiKey),
    codec: EncryptionCodec.fromSpec(secrets.codecKeys),
    jwtSecret: secrets.jwtSecret,
  });
  const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) =>
    log.info({ url: `http://${info.address}:${info.port}`, oidcIssuer: config.oidcIssuer, devLogin: config.devLogin }, 'api listening'),
  );
  const stop = () => {
    log.info('api stopping');
    server.close(() => void Promise.all([sql.end({ timeout: 5 }), connection.close()]).finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
