import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSource } from '../domain/spec-source.ts';
import { registryView, type RegistryView, type TaskManifest } from '../domain/manifest.ts';
import { DomainError } from '../domain/errors.ts';
import { checkManifest } from '../platform/registry.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where adapter manifests live in the repository, relative to its root. */
export const MANIFEST_DIRS = ['adapters/builtin', 'examples/partner-adapter'] as const;

export interface ManifestFile {
  /** path relative to the repository root, with forward slashes */
  file: string;
  manifest: TaskManifest;
}

const isDocumentFile = (f: string) => /\.(ya?ml|json)$/.test(f);

/**
 * Every adapter manifest of the repository, sorted by directory and file name. Only
 * documents of kind TaskAdapter count, so a partner directory may also hold example specs.
 */
export function loadManifestFiles(root = REPO_ROOT): ManifestFile[] {
  const out: ManifestFile[] = [];
  for (const dir of MANIFEST_DIRS) {
    const abs = path.join(root, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).filter(isDocumentFile).sort()) {
      const file = `${dir}/${name}`;
      const parsed = parseSource(readFileSync(path.join(abs, name), 'utf8'));
      if ('error' in parsed) throw new Error(`${file}: ${parsed.error.message}`);
      if ((parsed.doc as { kind?: unknown } | null)?.kind !== 'TaskAdapter') continue;
      try {
        out.push({ file, manifest: checkManifest(parsed.doc) });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const details = (e.details ?? []).map((d) => `\n  ${d.path.replace(/^\/manifest/, '') || '/'}: ${d.message}`).join('');
        throw new Error(`${file}: ${e.message}${details}`);
      }
    }
  }
  return out;
}

/** The registry the CLI validates against without a server: every local manifest, active. */
export function localRegistry(root = REPO_ROOT): RegistryView {
  return registryView(loadManifestFiles(root).map(({ manifest }) => ({ manifest, status: 'active' as const })));
}
