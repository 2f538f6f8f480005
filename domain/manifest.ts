/** TypeScript view of domain/schemas/task-manifest.v1.schema.json. */
export type DataClass = 'public' | 'internal' | 'confidential' | 'pii' | 'secret';
export type AdapterStatus = 'active' | 'deprecated' | 'retired';

export interface TaskManifest {
  apiVersion: 'maestro.dev/v1';
  kind: 'TaskAdapter';
  metadata: { name: string; version: string; title?: string; description: string; publisher?: string };
  spec: {
    runtime: 'activity' | 'approval' | 'timer';
    taskQueue?: string;
    capabilities: string[];
    input: Record<string, unknown>;
    output: Record<string, unknown>;
    config?: Record<string, unknown>;
    secrets?: { name: string; description?: string; required?: boolean; input?: string }[];
    security: {
      egress: { allow: string[] };
      dataClasses: DataClass[];
      sideEffects: 'none' | 'read' | 'write' | 'external';
      idempotent: boolean;
    };
    retry?: {
      maximumAttempts?: number;
      initialInterval?: string;
      backoffCoefficient?: number;
      maximumInterval?: string;
      nonRetryableErrorTypes?: string[];
    };
    timeout?: string;
  };
}

/** A registry entry: an immutable manifest plus its mutable lifecycle status. */
export interface RegistryEntry {
  manifest: TaskManifest;
  status: AdapterStatus;
  replacement?: string;
}

export const taskRef = (m: Pick<TaskManifest, 'metadata'>) => `${m.metadata.name}@${m.metadata.version}`;

export function parseTaskRef(ref: string): { name: string; version: string } | undefined {
  const at = ref.lastIndexOf('@');
  return at > 0 ? { name: ref.slice(0, at), version: ref.slice(at + 1) } : undefined;
}

/** What validation needs of the registry: synchronous, preloaded for the task names a spec uses. */
export interface RegistryView {
  get(name: string, version: string): RegistryEntry | undefined;
  versions(name: string): string[];
}

export function registryView(entries: Iterable<RegistryEntry>): RegistryView {
  const byName = new Map<string, Map<string, RegistryEntry>>();
  for (const e of entries) {
    const m = byName.get(e.manifest.metadata.name) ?? new Map<string, RegistryEntry>();
    m.set(e.manifest.metadata.version, e);
    byName.set(e.manifest.metadata.name, m);
  }
  return {
    get: (name, version) => byName.get(name)?.get(version),
    versions: (name) => [...(byName.get(name)?.keys() ?? [])],
  };
}
