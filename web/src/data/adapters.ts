import { query } from '@solidjs/router';
import type { AdapterStatus, TaskManifest } from '../../../domain/manifest.ts';
import { compareSemver, isSemver } from '../../../domain/semver.ts';
import { apiFetch } from './api.ts';

/** One registered adapter version, as GET /api/adapters answers. */
export interface AdapterVersion {
  name: string;
  version: string;
  status: AdapterStatus;
  /** what to use instead, e.g. `http.request@2.0.0` */
  replacement?: string;
  taskQueue: string;
  digest: string;
  registeredAt: string;
  manifest: TaskManifest;
}

/** All versions of one adapter name, newest first, with the one to show in a list. */
export interface AdapterGroup {
  name: string;
  latest: AdapterVersion;
  versions: AdapterVersion[];
}

/** Newest version first (semantic versions; registration time for anything else). */
export function newestFirst(versions: AdapterVersion[]): AdapterVersion[] {
  return [...versions].sort((a, b) =>
    isSemver(a.version) && isSemver(b.version) ? compareSemver(b.version, a.version) : b.registeredAt.localeCompare(a.registeredAt),
  );
}

/** Groups versions by name; the latest is the newest version that is not retired, if any. */
export function groupAdapters(items: AdapterVersion[]): AdapterGroup[] {
  const byName = new Map<string, AdapterVersion[]>();
  for (const v of items) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  return [...byName.entries()]
    .map(([name, list]) => {
      const versions = newestFirst(list);
      return { name, versions, latest: versions.find((v) => v.status !== 'retired') ?? versions[0]! };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const searchAdapters = query(async (q: string) => {
  const params = new URLSearchParams(q ? { q } : {});
  const { items } = await apiFetch<{ items: AdapterVersion[] }>(`/api/adapters${q ? `?${params}` : ''}`);
  return groupAdapters(items);
}, 'adapters');

export const adapterDetail = query(async (name: string) => {
  const a = await apiFetch<{ name: string; versions: AdapterVersion[] }>(`/api/adapters/${encodeURIComponent(name)}`);
  return { name: a.name, versions: newestFirst(a.versions) };
}, 'adapter');
