import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { taskRef } from '../../domain/manifest.ts';
import { loadManifestFiles, REPO_ROOT } from '../local-registry.ts';
import { adapterDocPath, adapterPage } from './adapter-page.ts';
import { indexPage } from './index-page.ts';
import { policyDocs } from './policy-docs.ts';
import { loadSpecFiles, sortManifests } from './inputs.ts';
import { adapterTypeStems, sdkFiles } from './sdk-types.ts';
import { workflowPage } from './workflow-page.ts';

// Reference docs (docs/reference/**) and SDK types (sdk/**) from the adapter manifests, the
// example specs and the two document schemas. Output is a pure function of those inputs —
// sorted, no timestamps — so a check can regenerate in memory and compare. Both directories
// are owned by the generator: a file it does not produce there is "extra". The policy docs
// (docs/reference/policies/**, the generated block of docs/marketplace-readiness.md) come from
// the METADATA of policies/*.rego and policies/scenarios (cli/generate/policy-docs.ts).

/** Directories the generator owns entirely. */
export const OUTPUT_DIRS = ['docs/reference', 'sdk'] as const;

/** Every generated file, path relative to `root` → content. */
export async function generate(root = REPO_ROOT): Promise<Map<string, string>> {
  const manifests = sortManifests(loadManifestFiles(root));
  const specs = loadSpecFiles(root);
  const files = new Map<string, string>();
  const stems = adapterTypeStems(manifests.map((f) => f.manifest));
  for (const { file, manifest } of manifests) files.set(`docs/reference/${adapterDocPath(manifest)}`, adapterPage(file, manifest, stems.get(taskRef(manifest))!));
  const known = new Set(manifests.map((f) => taskRef(f.manifest)));
  for (const { file, spec } of specs) files.set(`docs/reference/workflows/${spec.metadata.name}.md`, workflowPage(file, spec, known));
  files.set('docs/reference/README.md', indexPage(manifests, specs));
  for (const [p, content] of await sdkFiles(root, manifests, specs)) files.set(p, content);
  for (const [p, content] of policyDocs(root)) files.set(p, content);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function existingFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  for (const dir of OUTPUT_DIRS) walk(dir);
  return out.sort();
}

export interface Drift {
  stale: string[];
  missing: string[];
  extra: string[];
}

export function compareWithDisk(root: string, files: Map<string, string>): Drift {
  const drift: Drift = { stale: [], missing: [], extra: [] };
  for (const [p, content] of files) {
    const abs = path.join(root, p);
    if (!existsSync(abs)) drift.missing.push(p);
    else if (readFileSync(abs, 'utf8') !== content) drift.stale.push(p);
  }
  drift.extra = existingFiles(root).filter((p) => !files.has(p));
  return drift;
}
