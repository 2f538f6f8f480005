import shift from 'postgres-shift';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './db.ts';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 727274;

/**
 * Applies pending migrations; postgres-shift records each in the `migrations` table and
 * runs them in one transaction. A session advisory lock on a reserved connection
 * serialises concurrent starters (API, worker, tests) against one database.
 */
export async function migrate(sql: Sql, log: (msg: string) => void = () => {}): Promise<void> {
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(${LOCK_KEY})`;
    await shift({ sql: conn, path: MIGRATIONS, before: (m) => log(`applying migration ${m.migration_id} ${m.name}`) });
  } finally {
    await conn`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
    conn.release();
  }
}
