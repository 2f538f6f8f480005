import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { POLICY_OPERATIONS, type PolicyOperation } from '../../domain/policy-profiles.ts';
import { inspectPolicies, type PackageMeta, type RuleMeta } from '../policy/metadata.ts';
import { loadScenarios, type Scenario } from '../policy/scenarios.ts';
import { BANNER } from './banner.ts';
import { code, keyValueTable, table, text } from './markdown.ts';

// The policy reference (docs/reference/policies/**) and the generated block of
// docs/marketplace-readiness.md, from the METADATA of policies/*.rego (opa inspect) and the
// scenarios of policies/scenarios. Nothing here is hand-kept: a rule added, re-levelled or
// given new override roles changes these pages, and `generate --check` says they are stale.

export const READINESS_DOC = 'docs/marketplace-readiness.md';
const BLOCK_START = '<!-- generated:approval-paths -->';
const BLOCK_END = '<!-- /generated:approval-paths -->';

const ENFORCEMENT_TEXT = {
  hard: 'hard — denies the lifecycle; cannot be overridden',
  soft: 'soft — holds the lifecycle until an override by a named role (not the requester) with a rationale',
  advisory: 'advisory — never blocks; shown in the decision, the dry-run and the receipt',
} as const;

/** The result a scenario expects of a rule, or undefined when the rule passes (or does not apply). */
function expectedResult(s: Scenario, id: string): string | undefined {
  if (s.expect.hard_deny.includes(id)) return 'hard-deny';
  if (s.expect.soft_deny.includes(id)) return 'soft-deny';
  if (s.expect.overridden.includes(id)) return 'overridden';
  if (s.expect.advisory.includes(id)) return 'advisory';
  return undefined;
}

const roles = (r: RuleMeta) => (r.override_roles.length ? r.override_roles.map(code).join(', ') : '—');

function rulePage(rule: RuleMeta, scenarios: Scenario[]): string {
  const exercised = scenarios.filter((s) => expectedResult(s, rule.id));
  const passing = scenarios.filter((s) => rule.operations.includes(s.input.operation) && !expectedResult(s, rule.id) && (rule.profile === 'local_workflow' || s.expect.profile === 'marketplace_workflow'));
  const scenarioLink = (s: Scenario) => `[${code(s.name)}](${path.posix.relative('docs/reference/policies', s.file)})`;
  // the file, not the line: an edit above the rule should not make every page stale
  const file = rule.location.replace(/:\d+$/, '');
  const srcLink = `[${file}](${path.posix.relative('docs/reference/policies', file)})`;
  const parts = [
    `<!-- ${BANNER} -->`,
    `# ${code(rule.id)} — ${text(rule.title)}`,
    keyValueTable([
      ['Profile', `${code(rule.profile)}${rule.profile === 'local_workflow' ? ' (every lifecycle; marketplace lifecycles meet it too)' : ' (lifecycles beyond the owning tenant)'}`],
      ['Enforcement', ENFORCEMENT_TEXT[rule.enforcement]],
      ['Operations', rule.operations.map(code).join(', ')],
      ['Override roles', rule.enforcement === 'soft' ? roles(rule) : 'none (not overridable)'],
      ['Source', srcLink],
    ]),
    '## What it checks',
    text(rule.description.replace(/\s*\n\s*/g, ' ')),
    '## How to fix',
    text(rule.fix),
    rule.enforcement === 'soft'
      ? `## Override\n\n${roles(rule)} of the lifecycle's tenant (a \`platform-*\` role counts in any tenant when the rule names it) — someone other than the requester — sends \`POST …/override\` with \`{ "rule": "${rule.id}", "rationale": "…" }\` on the held lifecycle. The override, its actor and rationale are recorded in the workflow history and the receipt.`
      : '',
    '## Scenarios',
    exercised.length
      ? 'The scenarios of [`policies/scenarios/`](../../../policies/scenarios) (run by `npm run policy:simulate`, through the wasm and `opa eval`) where this rule does not pass:\n\n' +
        table(
          ['Scenario', 'Operation', 'Result', 'Outcome', 'Description'],
          exercised.map((s) => [scenarioLink(s), s.input.operation, expectedResult(s, rule.id)!, s.expect.outcome, text(s.description)]),
        )
      : 'No scenario exercises this rule yet: `npm run policy:simulate` fails until one does.',
    passing.length ? `It passes in ${passing.length} other scenario${passing.length === 1 ? '' : 's'}, e.g. ${passing.slice(0, 3).map(scenarioLink).join(', ')}.` : '',
  ];
  return parts.filter(Boolean).join('\n\n') + '\n';
}

function indexPage(rules: RuleMeta[], packages: Map<string, PackageMeta>, scenarios: Scenario[]): string {
  const pkg = (name: string) => packages.get(name)?.description.replace(/\s*\n\s*/g, ' ') ?? '';
  const byOp = (op: PolicyOperation) => rules.filter((r) => r.operations.includes(op));
  return (
    [
      `<!-- ${BANNER} -->`,
      '# Policy rules',
      `Generated from the METADATA of \`policies/*.rego\` (\`opa inspect -a\`) and the ${scenarios.length} scenarios of \`policies/scenarios/\` by \`npm run generate\`. How the rules gate each lifecycle, and who approves: [marketplace readiness](../../marketplace-readiness.md). A lifecycle denied or held: [the runbook](../../runbooks/policy-denied.md).`,
      '## Profiles',
      `**${code('guardrails')}** — ${text(pkg('guardrails'))}`,
      `**${code('local_workflow')}** — ${text(pkg('local_workflow'))}`,
      `**${code('marketplace_workflow')}** — ${text(pkg('marketplace_workflow'))}`,
      '## Rules',
      table(
        ['Rule', 'Title', 'Profile', 'Enforcement', 'Operations', 'Override roles', 'Scenarios'],
        rules.map((r) => [`[${code(r.id)}](${r.id}.md)`, text(r.title), r.profile, r.enforcement, r.operations.join(', '), r.enforcement === 'soft' ? r.override_roles.join(', ') : '—', String(scenarios.filter((s) => expectedResult(s, r.id)).length)]),
      ),
      '## Rules by operation',
      table(
        ['Operation', 'hard', 'soft', 'advisory'],
        POLICY_OPERATIONS.map((op) => [op, ...(['hard', 'soft', 'advisory'] as const).map((e) => byOp(op).filter((r) => r.enforcement === e).map((r) => `[${code(r.id)}](${r.id}.md)`).join(', ') || '—')]),
      ),
    ].join('\n\n') + '\n'
  );
}

/** The existing approvals of each lifecycle (policies/publish.rego, install.rego, review.rego, the approval task), around the guardrails. */
const APPROVALS: Record<PolicyOperation, { before: string; after: string[]; done: string }> = {
  publish: {
    before: 'publish policy (publish.rego): author or publisher of the tenant; only a publisher or platform curator offers beyond the tenant; shared profiles need scope global',
    after: [
      'publish review (publish.rego): medium risk and above, or a shared profile, needs 1 reviewer approval; critical needs 2',
      'marketplace review (review.rego): partner-curated / public-ecosystem are published internal-only, then raised when security, performance and docs reviews pass (2 security reviewers for critical)',
    ],
    done: 'published',
  },
  install: {
    before: 'install policy (install.rego): a tenant admin of the tenant; the template offered and the version published',
    after: ['install approvals (install.rego): high or critical needs 1 second tenant admin; critical into prod needs 2'],
    done: 'installed',
  },
  upgrade: {
    before: 'upgrade plan: change kind, bindings migrated, the install checks of the target version',
    after: ['upgrade approval: breaking or high/critical needs a second tenant admin (2 for critical in prod, as an install); then smoke run and watch window'],
    done: 'upgraded',
  },
  run: {
    before: 'run start: the instance or definition of the tenant',
    after: ['approval steps (approval@1.0.0) inside the run wait for their approvers before the steps after them'],
    done: 'run started',
  },
};

const mermaidLabel = (s: string) => s.replace(/"/g, '#quot;');

/** One Mermaid flowchart per operation: the existing approvals around the guardrails, rules grouped by enforcement. */
export function approvalPaths(rules: RuleMeta[]): string {
  const out: string[] = [];
  for (const op of POLICY_OPERATIONS) {
    const a = APPROVALS[op];
    const ruleNode = (r: RuleMeta, i: number, e: string) => `    ${op}_${e}${i}["${r.id}${r.profile === 'marketplace_workflow' ? ' (marketplace)' : ''}${r.enforcement === 'soft' ? `<br/>override: ${r.override_roles.join(', ')}` : ''}"]`;
    const of = (e: 'hard' | 'soft' | 'advisory') => rules.filter((r) => r.enforcement === e && r.operations.includes(op));
    const hard = of('hard');
    const soft = of('soft');
    const adv = of('advisory');
    const lines = [`#### ${op}`, '', '```mermaid', 'flowchart TD'];
    lines.push(`  ${op}_req(["${op} requested"]) --> ${op}_pre["${mermaidLabel(a.before)}"]`);
    lines.push(`  ${op}_pre --> ${op}_g{"guardrails/decision<br/>profile: local_workflow, or marketplace_workflow beyond the owner's tenant"}`);
    if (hard.length) {
      lines.push(`  subgraph ${op}_hard["hard: deny, no override"]`, ...hard.map((r, i) => ruleNode(r, i, 'h')), '  end');
      lines.push(`  ${op}_g --> ${op}_hard`, `  ${op}_hard -->|any fails| ${op}_deny(["denied: POLICY_DENIED, rule ids + fix"])`);
    }
    if (soft.length) {
      lines.push(`  subgraph ${op}_soft["soft: hold until overridden"]`, ...soft.map((r, i) => ruleNode(r, i, 's')), '  end');
      lines.push(`  ${op}_g --> ${op}_soft`, `  ${op}_soft -->|fails| ${op}_hold(["held for override"])`);
      lines.push(`  ${op}_hold -->|"override: named role, not the requester, rationale"| ${op}_app`);
      lines.push(`  ${op}_hold -->|no override in time| ${op}_timeout(["POLICY_OVERRIDE_TIMEOUT"])`);
    }
    if (adv.length) {
      lines.push(`  subgraph ${op}_adv["advisory: noted, never blocks"]`, ...adv.map((r, i) => ruleNode(r, i, 'a')), '  end');
      lines.push(`  ${op}_g -.-> ${op}_adv`);
    }
    lines.push(`  ${op}_g -->|"allow (no hard or soft deny)"| ${op}_app`);
    let prev = `${op}_app`;
    a.after.forEach((step, i) => {
      const id = i === 0 ? `${op}_app` : `${op}_app${i}`;
      lines.push(`  ${id}["${mermaidLabel(step)}"]`);
      if (i > 0) lines.push(`  ${prev} --> ${id}`);
      prev = id;
    });
    lines.push(`  ${prev} --> ${op}_done(["${a.done}"])`, '```', '');
    out.push(lines.join('\n'));
  }
  const summary = table(
    ['Operation', 'Rule', 'Profile', 'Enforcement', 'Who may override'],
    POLICY_OPERATIONS.flatMap((op) => rules.filter((r) => r.operations.includes(op)).map((r) => [op, `[${code(r.id)}](reference/policies/${r.id}.md)`, r.profile, r.enforcement, r.enforcement === 'soft' ? `${r.override_roles.join(', ')} (not the requester)` : '—'])),
  );
  return [`_Generated from the policy METADATA by \`npm run generate\`; edit the rules' METADATA, not this block._`, '', ...out, summary].join('\n');
}

/** docs/marketplace-readiness.md with its generated block replaced (undefined when the file or its markers are missing). */
function readinessDoc(root: string, rules: RuleMeta[]): string | undefined {
  const file = path.join(root, READINESS_DOC);
  if (!existsSync(file)) return undefined;
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf(BLOCK_START);
  const end = current.indexOf(BLOCK_END);
  if (start < 0 || end < start) throw new Error(`${READINESS_DOC}: needs the markers ${BLOCK_START} … ${BLOCK_END}`);
  return `${current.slice(0, start + BLOCK_START.length)}\n${approvalPaths(rules)}\n${current.slice(end)}`;
}

/** Every policy doc file, path relative to root → content; empty when root has no policies/. */
export function policyDocs(root: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(path.join(root, 'policies'))) return files;
  const { rules, packages } = inspectPolicies(root);
  const scenarios = loadScenarios(root);
  for (const r of rules) files.set(`docs/reference/policies/${r.id}.md`, rulePage(r, scenarios));
  files.set('docs/reference/policies/README.md', indexPage(rules, packages, scenarios));
  const readiness = readinessDoc(root, rules);
  if (readiness !== undefined) files.set(READINESS_DOC, readiness);
  return files;
}
