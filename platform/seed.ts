import type { Sql } from './db.ts';
import { DEMO_TENANTS } from '../domain/demo-users.ts';

/** Reference data every installation needs: the tenants of the demo users. Idempotent. */
export async function seedTenants(sql: Sql): Promise<void> {
  for (const t of DEMO_TENANTS) {
    await sql`insert into tenant (id, name) values (${t.id}, ${t.name}) on conflict (id) do nothing`;
  }
}
