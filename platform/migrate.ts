import shift from 'postgres-shift';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSql } from './db.ts';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 727274;

/**
 * Applies pending migrations; postgres-shift records each in the `migrations` table and
 * runs them in one transaction. It uses its own one-connection client, so the session
 * advisory lock taken first holds for the whole run and serialises concurrent starters.
 */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}): Promise<void> {
  const sql = createSql(databaseUrl, { max: 1 });
  try {
    await sql`select pg_advisory_lock(${LOCK_KEY})`;
    await shift({ sql, path: MIGRATIONS, before: (m) => log(`applying migration ${m.migration_id} ${m.name}`) });
    await sql`select pg_advisory_unlock(${LOCK_KEY})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
