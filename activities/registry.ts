import type { Sql } from '../platform/db.ts';
import { registerManifest, setAdapterStatus } from '../platform/registry.ts';
import type { AdapterStatus, TaskManifest } from '../domain/manifest.ts';
import { asFailure } from './errors.ts';

export function createRegistryActivities({ sql, defaultQueue }: { sql: Sql; defaultQueue: string }) {
  return {
    registerAdapter: (input: { manifest: TaskManifest }) => asFailure(() => registerManifest(sql, input.manifest, defaultQueue)),
    setAdapterStatus: (input: { name: string; version: string; status: AdapterStatus; replacement?: string }) =>
      asFailure(() => setAdapterStatus(sql, input.name, input.version, input.status, input.replacement)),
  };
}
