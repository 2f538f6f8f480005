import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { GuardrailDecision, RuleResult } from '../../domain/policy-profiles.ts';
import { decideGuardrails } from '../../platform/guardrails.ts';
import { loadPolicyEngine } from '../../platform/opa.ts';
import { toolPath } from '../../platform/embedded/tools.ts';
import { loadRuleMetadata, type RuleMeta } from './metadata.ts';
import { loadScenarios, type Expectation, type Scenario } from './scenarios.ts';

// The policy simulation (npm run policy:simulate): every scenario of policies/scenarios is
// decided by the wasm the services load (.build/policies/policy.wasm, platform/opa.ts) and by
// `opa eval` on the Rego sources; both must agree with each other and with the scenario's
// expectation, and every rule the METADATA declares must fire in one scenario and pass in
// another.

type Decision = Omit<GuardrailDecision, 'input_digest'>;

export interface ScenarioResult {
  scenario: Scenario;
  wasm: Decision;
  opa: Decision;
  /** what differs from the expectation (wasm), empty when it matches */
  problems: string[];
  ok: boolean;
}

export interface RuleCoverage {
  rule: RuleMeta;
  /** scenarios where the rule did not pass (advisory, soft-deny, hard-deny or overridden) */
  fired: string[];
  passed: string[];
  covered: boolean;
}

export interface SimulationReport {
  results: ScenarioResult[];
  coverage: RuleCoverage[];
  /** percentage of rules that fire in ≥1 scenario and pass in ≥1 */
  coveragePercent: number;
  failures: string[];
  ok: boolean;
  markdown: string;
}

export interface SimulateOptions {
  root: string;
  /** scenario directory (default <root>/policies/scenarios) */
  scenarioDir?: string;
  /** compiled policies (default <root>/.build/policies) */
  policyDir?: string;
}

const sets = ['hard_deny', 'soft_deny', 'advisory', 'overridden'] as const;

/** The decision of every input by `opa eval` on the Rego sources, in one process. */
export function opaEvalDecisions(root: string, inputs: unknown[]): Decision[] {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'policy-simulate-'));
  try {
    const inputFile = path.join(tmp, 'input.json');
    writeFileSync(inputFile, JSON.stringify({ scenarios: inputs }));
    const query = '[d | some s in input.scenarios; d := data.guardrails.decision with input as s]';
    const out = execFileSync(
      toolPath('opa'),
      ['eval', '--format', 'json', '--ignore', '*_test.rego', '--ignore', 'scenarios', '-d', 'policies', '--input', inputFile, query],
      { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    const value = (JSON.parse(out) as { result?: Array<{ expressions: Array<{ value: Decision[] }> }> }).result?.[0]?.expressions[0]?.value;
    if (!Array.isArray(value) || value.length !== inputs.length) throw new Error(`opa eval answered ${Array.isArray(value) ? value.length : 'no'} decisions for ${inputs.length} scenarios`);
    return value;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const sorted = (xs: string[]) => [...xs].sort();

function compare(expect: Expectation, d: Decision): string[] {
  const problems: string[] = [];
  if (d.outcome !== expect.outcome) problems.push(`outcome ${d.outcome}, expected ${expect.outcome}`);
  if (expect.profile && d.profile !== expect.profile) problems.push(`profile ${d.profile}, expected ${expect.profile}`);
  for (const k of sets) {
    if (!isDeepStrictEqual(sorted(d[k]), sorted(expect[k]))) problems.push(`${k} [${sorted(d[k]).join(', ')}], expected [${sorted(expect[k]).join(', ')}]`);
  }
  return problems;
}

const summary = (d: Pick<Decision, 'outcome' | 'hard_deny' | 'soft_deny' | 'advisory' | 'overridden'>) => {
  const parts: string[] = [d.outcome];
  if (d.hard_deny.length) parts.push(`hard: ${sorted(d.hard_deny).join(', ')}`);
  if (d.soft_deny.length) parts.push(`soft: ${sorted(d.soft_deny).join(', ')}`);
  if (d.overridden.length) parts.push(`overridden: ${sorted(d.overridden).join(', ')}`);
  if (d.advisory.length) parts.push(`advisory: ${sorted(d.advisory).join(', ')}`);
  return parts.join('; ');
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export async function simulate(opts: SimulateOptions): Promise<SimulationReport> {
  const scenarios = loadScenarios(opts.root, opts.scenarioDir);
  const rules = loadRuleMetadata(opts.root);
  const engine = await loadPolicyEngine(opts.policyDir ?? path.join(opts.root, '.build/policies'));
  const opa = opaEvalDecisions(
    opts.root,
    scenarios.map((s) => s.input),
  );
  const failures: string[] = [];
  if (!scenarios.length) failures.push('no scenarios found');

  const results: ScenarioResult[] = scenarios.map((scenario, i) => {
    const { input_digest: _digest, ...wasm } = decideGuardrails(engine, scenario.input);
    const o = opa[i]!;
    const problems = compare(scenario.expect, wasm);
    if (!isDeepStrictEqual(wasm, o)) problems.push(`wasm and opa eval disagree: wasm ${summary(wasm)} / opa eval ${summary(o)}`);
    for (const p of problems) failures.push(`${scenario.file} ${scenario.name}: ${p}`);
    return { scenario, wasm, opa: o, problems, ok: problems.length === 0 };
  });

  const declared = new Set(rules.map((r) => r.id));
  for (const s of scenarios)
    for (const k of sets) for (const id of s.expect[k]) if (!declared.has(id)) failures.push(`${s.file} ${s.name}: expects unknown rule ${id} in ${k}`);

  const coverage: RuleCoverage[] = rules.map((rule) => {
    const fired: string[] = [];
    const passed: string[] = [];
    for (const r of results) {
      const rr: RuleResult | undefined = r.wasm.rules.find((x) => x.id === rule.id);
      if (!rr) continue;
      (rr.result === 'pass' ? passed : fired).push(r.scenario.name);
    }
    const covered = fired.length > 0 && passed.length > 0;
    if (!covered) failures.push(`coverage: ${rule.id} fires in ${fired.length} and passes in ${passed.length} scenarios (needs at least 1 of each)`);
    return { rule, fired, passed, covered };
  });
  const coveragePercent = rules.length ? Math.floor((coverage.filter((c) => c.covered).length * 1000) / rules.length) / 10 : 0;
  if (!rules.length) failures.push('coverage: opa inspect found no rule with METADATA custom.id');

  const ok = failures.length === 0;
  const md: string[] = [
    '# Policy simulation',
    '',
    `Every scenario of \`policies/scenarios/\` decided by the compiled wasm (\`.build/policies/policy.wasm\`, as the services evaluate it) and by \`opa eval\` on the Rego sources. Written by \`npm run policy:simulate\`.`,
    '',
    `**${ok ? 'PASS' : 'FAIL'}** — ${results.filter((r) => r.ok).length}/${results.length} scenarios match; rule coverage ${coveragePercent} % (${coverage.filter((c) => c.covered).length}/${rules.length} rules fire in one scenario and pass in another).`,
    '',
  ];
  if (failures.length) md.push('## Failures', '', ...failures.map((f) => `- ${cell(f)}`), '');
  md.push('## Scenarios', '', '| Scenario | File | Operation | Profile | Expected | wasm | opa eval | ok |', '|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const s = r.scenario;
    md.push(
      `| ${s.name} | ${path.basename(s.file)} | ${s.input.operation} | ${r.wasm.profile} | ${cell(summary(s.expect))} | ${cell(summary(r.wasm))} | ${cell(summary(r.opa))} | ${r.ok ? '✓' : '✗'} |`,
    );
  }
  md.push('', '## Rule coverage', '', '| Rule | Enforcement | Operations | Fires in | Passes in | covered |', '|---|---|---|---|---|---|');
  for (const c of coverage) md.push(`| ${c.rule.id} | ${c.rule.enforcement} | ${c.rule.operations.join(', ')} | ${c.fired.length} | ${c.passed.length} | ${c.covered ? '✓' : '✗'} |`);
  md.push('');
  return { results, coverage, coveragePercent, failures, ok, markdown: md.join('\n') };
}

/** The plain-text report for a terminal. */
export function textReport(r: SimulationReport): string {
  const rows = r.results.map((x) => [x.scenario.name, x.scenario.input.operation, x.wasm.profile, summary(x.scenario.expect), summary(x.wasm), summary(x.opa), x.ok ? 'ok' : 'MISMATCH']);
  const head = ['scenario', 'operation', 'profile', 'expected', 'wasm', 'opa eval', 'ok'];
  const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  const all = [head, ...rows].map((row) => row.map(clip));
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const lines = all.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('', 'rule coverage (fires / passes):');
  for (const c of r.coverage) lines.push(`  ${c.covered ? 'ok ' : 'NO '} ${c.rule.id.padEnd(40)} ${String(c.fired.length).padStart(3)} / ${String(c.passed.length).padStart(3)}`);
  lines.push('');
  if (r.failures.length) lines.push('failures:', ...r.failures.map((f) => `  ${f}`), '');
  lines.push(`${r.ok ? 'PASS' : 'FAIL'}: ${r.results.filter((x) => x.ok).length}/${r.results.length} scenarios match, rule coverage ${r.coveragePercent} %`);
  return lines.join('\n');
}
