// Prepares the stores: Postgres migrations and reference data, the Typesense collection,
// Temporal search attributes (for servers that do not register them at start).
import { loadConfig } from '../platform/config.ts';
import { createSql } from '../platform/db.ts';
import { migrate } from '../platform/migrate.ts';
import { seedTenants } from '../platform/seed.ts';
import { loadBuiltinManifests, registerManifest } from '../platform/registry.ts';
import { requireRuntimeSecrets } from '../platform/runtime-secrets.ts';
import { createTypesense, ensureCatalogCollection } from '../platform/typesense.ts';
import { ensureSearchParentKey } from '../platform/search-keys.ts';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '../platform/temporal.ts';

const config = loadConfig();
const secrets = requireRuntimeSecrets(config);
const sql = createSql(secrets.databaseUrl, { max: 1 });
try {
  await migrate(secrets.databaseUrl, (m) => console.log(`[migrate] ${m}`));
  await seedTenants(sql);
  for (const m of loadBuiltinManifests()) {
    const r = await registerManifest(sql, m, config.TEMPORAL_TASK_QUEUE, null);
    if (r.created) console.log(`[migrate] registered built-in task ${m.metadata.name}@${m.metadata.version}`);
  }
  const typesense = createTypesense(config.typesenseUrl, secrets.typesenseApiKey);
  const collection = await ensureCatalogCollection(typesense, config.TYPESENSE_COLLECTION);
  console.log(`[migrate] typesense alias ${config.TYPESENSE_COLLECTION} → ${collection}`);
  // the search-only parent of the per-tenant scoped keys (value derived from the admin key)
  await ensureSearchParentKey(typesense, secrets.typesenseApiKey);
  console.log('[migrate] typesense search parent key present');
  const connection = await Connection.connect({ address: config.temporalAddress });
  const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  if (added.length) console.log(`[migrate] temporal search attributes added: ${added.join(', ')}`);
  await connection.close();
  console.log('[migrate] done');
} finally {
  await sql.end({ timeout: 5 });
}
