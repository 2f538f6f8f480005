import type { Sql } from './db.ts';
import { DEMO_TENANTS } from '../domain/demo-users.ts';

/**
 * Egress allow-lists of the demo tenants (tenant_setting.egress_allow). acme may also call
 * this machine (the example partner endpoint and test fixtures listen on 127.0.0.1);
 * globex only reaches its internal domain.
 */
export const DEMO_EGRESS_ALLOW: Record<string, string[]> = {
  acme: ['*.example.internal', 'localhost', '127.0.0.1'],
  globex: ['*.example.internal'],
};

/**
 * Reference data every installation needs: the tenants of the demo users and their egress
 * allow-lists. Idempotent; an allow-list changed since is left alone.
 */
export async function seedTenants(sql: Sql): Promise<void> {
  for (const t of DEMO_TENANTS) {
    await sql`insert into tenant (id, name) values (${t.id}, ${t.name}) on conflict (id) do nothing`;
    const allow = DEMO_EGRESS_ALLOW[t.id] ?? [];
    await sql`insert into tenant_setting (tenant_id, egress_allow) values (${t.id}, ${allow}::text[]) on conflict (tenant_id) do nothing`;
  }
}
