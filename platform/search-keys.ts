import { createHmac } from 'node:crypto';
import type { Client } from 'typesense';
import { visibleDocumentFilter } from './access.ts';

/**
 * The search-only parent key. Its value is derived from the admin key (HMAC-SHA256), so
 * every process that knows the admin key knows it too and nothing needs to be stored;
 * rotating the admin key rotates it.
 */
export function deriveSearchParentKey(adminApiKey: string): string {
  return createHmac('sha256', adminApiKey).update('maestro/typesense/search-parent-key/v1').digest('base64url');
}

/** Creates the parent key in Typesense if it is not there yet (a 409 means it is). */
export async function ensureSearchParentKey(admin: Client, adminApiKey: string): Promise<string> {
  const value = deriveSearchParentKey(adminApiKey);
  try {
    await admin.keys().create({
      description: 'maestro: search-only parent of the per-tenant scoped keys',
      actions: ['documents:search'],
      collections: ['*'],
      value,
    });
  } catch (e) {
    if ((e as { httpStatus?: number }).httpStatus !== 409) throw e;
  }
  return value;
}

/**
 * A tenant's scoped search key: the tenant filter is embedded (signed) in the key, and
 * Typesense ANDs it with any `filter_by` the holder sends, so the holder cannot widen it.
 */
export function tenantSearchKey(admin: Client, parentKey: string, tenant: string): string {
  return admin.keys().generateScopedSearchKey(parentKey, { filter_by: visibleDocumentFilter(tenant), exclude_fields: 'audience' });
}
