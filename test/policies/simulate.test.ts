import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuleMetadata } from '../../cli/policy/metadata.ts';
import { loadScenarios, ScenarioError } from '../../cli/policy/scenarios.ts';
import { simulate } from '../../cli/policy/simulate.ts';
import { toolPath } from '../../platform/embedded/tools.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const SCENARIOS = path.join(ROOT, 'policies/scenarios');

describe('policy simulation (npm run policy:simulate)', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'policy-scenarios-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('every scenario matches in wasm and opa eval, and every rule of the METADATA fires and passes', async () => {
    const r = await simulate({ root: ROOT });
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.results.length).toBeGreaterThanOrEqual(60);
    expect(r.coveragePercent).toBe(100);
    expect(r.coverage.map((c) => c.rule.id)).toEqual(loadRuleMetadata(ROOT).map((m) => m.id));
    expect(r.markdown).toContain('**PASS**');
  });

  it('fails on a wrong expectation, naming the file and scenario, and the command exits 1', async () => {
    const dir = tempDir();
    cpSync(SCENARIOS, dir, { recursive: true });
    const file = path.join(dir, 'quotas-and-hours.yaml');
    const text = readFileSync(file, 'utf8');
    const wrong = text.replace(
      'expect: { outcome: deny, profile: local_workflow, hard_deny: [local.critical-run-quota] }',
      'expect: { outcome: allow, profile: local_workflow }',
    );
    expect(wrong).not.toBe(text);
    writeFileSync(file, wrong);
    const r = await simulate({ root: ROOT, scenarioDir: dir });
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([
      expect.stringMatching(/quotas-and-hours\.yaml quota-reached: outcome deny, expected allow$/),
      expect.stringMatching(/quotas-and-hours\.yaml quota-reached: hard_deny \[local\.critical-run-quota\], expected \[\]$/),
    ]);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/policy-simulate.ts', '--scenarios', dir, '--report', path.join(dir, 'report.md')], { cwd: ROOT, encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('FAIL: ');
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('**FAIL**');
  });

  it('fails when the wasm and opa eval disagree', async () => {
    // a wasm compiled from a changed policy, against opa eval on the sources
    const src = tempDir();
    cpSync(path.join(ROOT, 'policies'), src, { recursive: true, filter: (f) => !f.includes('scenarios') && !f.endsWith('_test.rego') });
    const rego = path.join(src, 'marketplace_workflow.rego');
    const text = readFileSync(rego, 'utf8');
    const changed = text.replace('\tinput.subject.risk == "critical"\n\tinput.subject.visibility == "public-ecosystem"', '\tinput.subject.risk in {"high", "critical"}\n\tinput.subject.visibility == "public-ecosystem"');
    expect(changed).not.toBe(text);
    writeFileSync(rego, changed);
    const out = tempDir();
    const built = spawnSync(toolPath('opa'), ['build', '-t', 'wasm', '-e', 'guardrails/decision', '-o', path.join(out, 'bundle.tar.gz'), src], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    expect(spawnSync('tar', ['-xzf', 'bundle.tar.gz', '/policy.wasm', '/data.json'], { cwd: out }).status).toBe(0);
    const r = await simulate({ root: ROOT, policyDir: out });
    expect(r.ok).toBe(false);
    expect(r.failures).toContainEqual(expect.stringMatching(/publish-profiles\.yaml publish-public-high-with-approval: wasm and opa eval disagree: wasm deny; hard: marketplace\.critical-not-public \/ opa eval allow$/));
    expect(r.failures).toContainEqual(expect.stringMatching(/publish-public-high-with-approval: outcome deny, expected allow$/));
  });

  it('fails when a rule never fires or never passes', async () => {
    const dir = tempDir();
    cpSync(path.join(SCENARIOS, 'publish-profiles.yaml'), path.join(dir, 'publish-profiles.yaml'));
    const r = await simulate({ root: ROOT, scenarioDir: dir });
    expect(r.results.every((x) => x.ok)).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.coveragePercent).toBeLessThan(100);
    expect(r.failures).toContain('coverage: local.critical-run-quota fires in 0 and passes in 0 scenarios (needs at least 1 of each)');
    expect(r.failures).toContain(`coverage: local.deprecated-task fires in 0 and passes in ${r.results.length} scenarios (needs at least 1 of each)`);
    expect(r.failures.some((f) => f.includes('marketplace.critical-not-public'))).toBe(false);
  });

  it('refuses a scenario that is not a GuardrailInput, naming the file and scenario', () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      [
        'defaults:',
        '  operation: run',
        '  tenant: acme',
        '  actor: { sub: alice, tenant: acme, roles: [author] }',
        'scenarios:',
        '  - name: misspelt-field',
        '    description: risk is misspelt',
        '    subject: { definition_id: wf, version: 1.0.0, owner_tenant: acme, rsk: high, visibility: tenant-local, visible: true, certification: null, steps: [], endpoints: [] }',
        '    settings: { egress_allow: [], region: null, max_external_risk: null, critical_runs_per_day: null, business_hours: null }',
        '    expect: { outcome: allow }',
      ].join('\n'),
    );
    expect(() => loadScenarios(ROOT, dir)).toThrow(ScenarioError);
    expect(() => loadScenarios(ROOT, dir)).toThrow(/bad\.yaml: scenario "misspelt-field" is not a valid scenario: .*subject: Unrecognized key: "rsk"/);
  });
});
