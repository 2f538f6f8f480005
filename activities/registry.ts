import type { Sql } from '../platform/db.ts';
import { registerManifest, setAdapterStatus } from '../platform/registry.ts';
import { hasRole, type Actor } from '../domain/actor.ts';
import type { AdapterStatus, TaskManifest } from '../domain/manifest.ts';
import { asFailure } from './errors.ts';

export function createRegistryActivities({ sql, defaultQueue }: { sql: Sql; defaultQueue: string }) {
  return {
    /** A platform admin's new adapters belong to the platform; anyone else's to their tenant. */
    registerAdapter: (input: { manifest: TaskManifest; actor: Actor }) =>
      asFailure(() => registerManifest(sql, input.manifest, defaultQueue, hasRole(input.actor, 'platform-admin') ? null : input.actor.tenant, input.actor)),
    setAdapterStatus: (input: { name: string; version: string; status: AdapterStatus; replacement?: string; actor: Actor }) =>
      asFailure(() => setAdapterStatus(sql, input.name, input.version, input.status, input.replacement, input.actor)),
  };
}
