import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { toolPath } from '../../platform/embedded/tools.ts';
import { POLICY_OPERATIONS, type Enforcement, type PolicyOperation } from '../../domain/policy-profiles.ts';

/** One guardrail rule as its METADATA declares it (policies/local_workflow.rego, marketplace_workflow.rego). */
export interface RuleMeta {
  id: string;
  /** the package whose rules it is: local_workflow or marketplace_workflow */
  profile: string;
  title: string;
  description: string;
  enforcement: Enforcement;
  operations: PolicyOperation[];
  fix: string;
  override_roles: string[];
  /** policies/<file>.rego:<row> */
  location: string;
}

interface InspectAnnotation {
  annotations: { scope?: string; title?: string; description?: string; custom?: Record<string, unknown> };
  location: { file: string; row: number };
  path: Array<{ type: string; value: string }>;
}

const ENFORCEMENTS = new Set(['advisory', 'soft', 'hard']);

/**
 * The guardrail rules from `opa inspect -a --format json policies` (in <root>): every rule
 * annotation whose custom block names an id. Sorted by id. Throws on a rule whose METADATA
 * is incomplete, so a docs page or the coverage report is never built on a half-declared rule.
 */
export function loadRuleMetadata(root: string): RuleMeta[] {
  return inspectPolicies(root).rules;
}

/** A package's METADATA (title, description), by package name. */
export interface PackageMeta {
  name: string;
  title: string;
  description: string;
  location: string;
}

/** The rules and the package METADATA of policies/, from one `opa inspect`. */
export function inspectPolicies(root: string): { rules: RuleMeta[]; packages: Map<string, PackageMeta> } {
  const out = execFileSync(toolPath('opa'), ['inspect', '-a', '--format', 'json', 'policies'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const anns = (JSON.parse(out) as { annotations?: InspectAnnotation[] }).annotations ?? [];
  const rules: RuleMeta[] = [];
  const packages = new Map<string, PackageMeta>();
  for (const a of anns) {
    if (a.annotations.scope === 'package') {
      const name = a.path.slice(1).map((p) => p.value).join('.');
      packages.set(name, { name, title: a.annotations.title ?? name, description: (a.annotations.description ?? '').trim(), location: `${path.relative(root, path.resolve(root, a.location.file))}:${a.location.row}` });
      continue;
    }
    const c = a.annotations.custom;
    if (!c || typeof c.id !== 'string') continue;
    const where = `${path.relative(root, path.resolve(root, a.location.file))}:${a.location.row}`;
    const ops = c.operations;
    if (!a.annotations.title || typeof c.enforcement !== 'string' || !ENFORCEMENTS.has(c.enforcement) || typeof c.fix !== 'string' || !Array.isArray(ops) || !ops.every((o) => (POLICY_OPERATIONS as readonly unknown[]).includes(o)))
      throw new Error(`${where}: rule ${c.id} needs METADATA title and custom enforcement (advisory|soft|hard), operations (${POLICY_OPERATIONS.join('|')}) and fix`);
    rules.push({
      id: c.id,
      profile: a.path[1]?.value ?? '',
      title: a.annotations.title,
      description: (a.annotations.description ?? '').trim(),
      enforcement: c.enforcement as Enforcement,
      operations: ops as PolicyOperation[],
      fix: c.fix,
      override_roles: Array.isArray(c.override_roles) ? (c.override_roles as string[]) : [],
      location: where,
    });
  }
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new Error(`rule id ${r.id} is declared twice (${r.location})`);
    seen.add(r.id);
  }
  return { rules: rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), packages };
}
