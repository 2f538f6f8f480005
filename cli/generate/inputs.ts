import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compareSemver } from '../../domain/semver.ts';
import { parseSource } from '../../domain/spec-source.ts';
import { validateSpecSchema } from '../../domain/schema-validator.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';
import type { ManifestFile } from '../local-registry.ts';
import type { Schema } from './schema-walk.ts';

/** What the generator reads besides the adapter manifests (cli/local-registry.ts). */
const SPEC_DIR = 'examples/workflows';

export interface SpecFile {
  file: string;
  spec: SpecV1;
}

export function loadSpecFiles(root: string): SpecFile[] {
  const dir = path.join(root, SPEC_DIR);
  if (!existsSync(dir)) return [];
  const specs = readdirSync(dir)
    .filter((f) => /\.ya?ml$|\.json$/.test(f))
    .sort()
    .map((f) => {
      const file = `${SPEC_DIR}/${f}`;
      const parsed = parseSource(readFileSync(path.join(dir, f), 'utf8'));
      if ('error' in parsed) throw new Error(`${file}: ${parsed.error.message}`);
      if (!validateSpecSchema(parsed.doc)) throw new Error(`${file}: not a valid workflow spec (check it with npm run cli -- validate ${file})`);
      return { file, spec: parsed.doc as SpecV1 };
    });
  const seen = new Map<string, string>();
  for (const s of specs) {
    const other = seen.get(s.spec.metadata.name);
    if (other) throw new Error(`${s.file} and ${other} both define the workflow "${s.spec.metadata.name}"`);
    seen.set(s.spec.metadata.name, s.file);
  }
  return specs.sort((a, b) => a.spec.metadata.name.localeCompare(b.spec.metadata.name));
}

export const readJson = (root: string, file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Schema;

/** By name, then by version (semver order). */
export const sortManifests = (files: ManifestFile[]) =>
  [...files].sort((a, b) => a.manifest.metadata.name.localeCompare(b.manifest.metadata.name) || compareSemver(a.manifest.metadata.version, b.manifest.metadata.version));
