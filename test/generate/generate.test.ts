import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registryView } from '../../domain/manifest.ts';
import { validateSpec } from '../../domain/validate-spec.ts';
import { loadBuiltinManifests } from '../../platform/registry.ts';
import { BANNER } from '../../cli/generate/banner.ts';
import { exampleUsage } from '../../cli/generate/examples.ts';
import { generate } from '../../cli/generate/outputs.ts';
import { READINESS_DOC } from '../../cli/generate/policy-docs.ts';
import { mermaidFlow } from '../../cli/generate/workflow-page.ts';
import type { HttpRequestInput, ParallelStep, TaskInputs, WorkflowSpec } from '../../sdk/index.ts';

const ROOT = path.join(import.meta.dirname, '../..');
/** What generate reads and writes; a copy of these is a complete root for `--root`. */
const INPUTS = ['adapters', 'examples', 'domain/schemas', 'docs/reference', 'sdk', 'policies', READINESS_DOC];

function runGenerate(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/generate.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run generate -- --check', () => {
  const copies: string[] = [];
  /** A temp copy of the repository's generator inputs and outputs, so the repo is never touched. */
  const freshCopy = () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'maestro-generate-'));
    for (const p of INPUTS) if (existsSync(path.join(ROOT, p))) cpSync(path.join(ROOT, p), path.join(copy, p), { recursive: true });
    copies.push(copy);
    return copy;
  };
  afterAll(() => copies.forEach((c) => rmSync(c, { recursive: true, force: true })));

  it('passes on the committed output', async () => {
    const r = await runGenerate('--check');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('fails, naming the file, when a manifest changes; passes again after generating', async () => {
    const copy = freshCopy();
    expect((await runGenerate('--check', '--root', copy)).code).toBe(0);
    const manifest = path.join(copy, 'adapters/builtin/delay.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^ {2}title: Delay$/m, '  title: Durable delay'));
    const stale = await runGenerate('--check', '--root', copy);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('stale   docs/reference/adapters/delay@1.0.0.md');
    expect(stale.stderr).toContain('stale   sdk/adapters/delay.ts');
    expect(stale.stderr).toContain('stale   docs/reference/README.md');

    expect((await runGenerate('--root', copy)).code).toBe(0);
    expect(readFileSync(path.join(copy, 'docs/reference/adapters/delay@1.0.0.md'), 'utf8')).toContain('# Durable delay — `delay@1.0.0`');
    expect((await runGenerate('--check', '--root', copy)).code).toBe(0);
  });

  it("fails when a rule's METADATA changes: its page, the policy index and the approval paths are stale", async () => {
    const copy = freshCopy();
    const rego = path.join(copy, 'policies/marketplace_workflow.rego');
    const text = readFileSync(rego, 'utf8');
    expect(text).toContain('#   override_roles: [tenant-admin]');
    writeFileSync(rego, text.replace('#   override_roles: [tenant-admin]', '#   override_roles: [tenant-admin, platform-curator]'));
    const stale = await runGenerate('--check', '--root', copy);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('stale   docs/reference/policies/marketplace.external-risk-cap.md');
    expect(stale.stderr).toContain('stale   docs/reference/policies/README.md');
    expect(stale.stderr).toContain(`stale   ${READINESS_DOC}`);
    expect((await runGenerate('--root', copy)).code).toBe(0);
    expect(readFileSync(path.join(copy, READINESS_DOC), 'utf8')).toContain('marketplace.external-risk-cap (marketplace)<br/>override: tenant-admin, platform-curator');
    expect((await runGenerate('--check', '--root', copy)).code).toBe(0);
  });

  it('names missing and extra files', async () => {
    const copy = freshCopy();
    const manifest = path.join(copy, 'adapters/builtin/delay.yaml');
    writeFileSync(manifest.replace('delay.yaml', 'pause.yaml'), readFileSync(manifest, 'utf8').replace('name: delay', 'name: pause'));
    writeFileSync(path.join(copy, 'sdk/leftover.ts'), 'export {};\n');
    const r = await runGenerate('--check', '--root', copy);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing docs/reference/adapters/pause@1.0.0.md');
    expect(r.stderr).toContain('missing sdk/adapters/pause.ts');
    expect(r.stderr).toContain('extra   sdk/leftover.ts');
    expect(r.stdout).toBe('');
  });
});

describe('generated output', () => {
  it('is deterministic, and every file carries the banner', async () => {
    const [a, b] = [await generate(ROOT), await generate(ROOT)];
    expect([...a]).toEqual([...b]);
    for (const [file, content] of a) {
      // the readiness doc is hand-written around its generated block
      if (file === READINESS_DOC) expect(content).toMatch(/<!-- generated:approval-paths -->\n_Generated from the policy METADATA/);
      else expect(content.split('\n')[0], file).toContain(BANNER);
    }
    expect(a.has('docs/reference/README.md')).toBe(true);
    expect(a.has('sdk/index.ts')).toBe(true);
  });

  it('the example `with:` block of every built-in adapter is a valid spec', () => {
    const builtins = loadBuiltinManifests();
    const registry = registryView(builtins.map((manifest) => ({ manifest, status: 'active' as const })));
    for (const m of builtins) {
      const { secrets, step } = exampleUsage(m);
      const doc = {
        apiVersion: 'maestro.dev/v1',
        kind: 'Workflow',
        metadata: { name: 'example-usage', version: '1.0.0', description: 'example', category: 'Other', risk: 'low', scope: 'tenant-local' },
        secrets: secrets.map((name) => ({ name })),
        steps: [step],
      };
      expect(validateSpec(doc, registry).errors, m.metadata.name).toEqual([]);
    }
  });

  it('draws parallel groups as subgraphs and conditions as decisions', () => {
    const flow = mermaidFlow([
      { id: 'a', task: 'http.request@1.0.0' },
      { id: 'g', parallel: [{ id: 'b', task: 'transform@1.0.0' }, { id: 'c', task: 'delay@1.0.0', when: 'params.x > 1' }] },
      { id: 'd', task: 'notify.webhook@1.0.0', when: 'steps.b.output.result = "yes"' },
    ]);
    expect(flow.split('\n')).toEqual([
      'flowchart TD',
      '  start(["start"])',
      '  s1["a<br/>http.request@1.0.0"]',
      '  start --> s1',
      '  subgraph s2["g (parallel)"]',
      '    s2_1["b<br/>transform@1.0.0"]',
      '    s2_2["c<br/>delay@1.0.0<br/>when: params.x #gt; 1"]',
      '  end',
      '  s1 --> s2',
      '  s3["d<br/>notify.webhook@1.0.0"]',
      '  s3_when{"steps.b.output.result = #quot;yes#quot;"}',
      '  s2 --> s3_when',
      '  s3_when -->|true| s3',
      '  finish(["end"])',
      '  s3 --> finish',
      '  s3_when -->|false| finish',
    ]);
  });

  it('the SDK types describe real specs (checked by tsc) and the validator agrees', () => {
    const input: HttpRequestInput = { url: 'https://example.com', method: 'POST', authToken: '${{ secrets.token }}' };
    const notify: TaskInputs['notify.webhook@1.0.0'] = { url: 'https://chat.example.com', message: 'done' };
    const group: ParallelStep = { id: 'both', parallel: [{ id: 'call', task: 'http.request@1.0.0', with: { ...input } }] };
    // @ts-expect-error a parallel group runs no task of its own
    const wrong: ParallelStep = { id: 'x', task: 'delay@1.0.0', parallel: [] };
    expect(wrong.id).toBe('x');
    const spec: WorkflowSpec = {
      apiVersion: 'maestro.dev/v1',
      kind: 'Workflow',
      metadata: { name: 'typed-spec', version: '1.0.0', description: 'Written in TypeScript', category: 'IT', risk: 'low', scope: 'tenant-local' },
      secrets: [{ name: 'token' }],
      steps: [group, { id: 'tell', task: 'notify.webhook@1.0.0', with: { ...notify } }],
    };
    const registry = registryView(loadBuiltinManifests().map((manifest) => ({ manifest, status: 'active' as const })));
    expect(validateSpec(spec, registry).errors).toEqual([]);
  });
});
