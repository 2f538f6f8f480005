import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerManifest, setAdapterStatus, loadBuiltinManifests } from '../../platform/registry.ts';
import { openStack, type Stack } from '../support/stack.ts';

const ROOT = path.join(import.meta.dirname, '../..');

/** Runs `maestro` as a user would (npm run cli), from the repository root. */
function maestro(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/maestro.ts', ...args], { cwd: ROOT, env: { ...process.env, INIT_CWD: ROOT, MAESTRO_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const BROKEN = `apiVersion: maestro.dev/v1
kind: Workflow
metadata:
  name: broken-example
  version: 1.0.0
  description: A spec with mistakes
  category: IT
  risk: low
  scope: tenant-local
steps:
  - id: ticket
    task: jira.create@1.0.0
  - id: call
    task: http.request@1.0.0
    with:
      url: https://example.com
      authToken: hunter2
`;

let dir: string;
let broken: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'maestro-cli-'));
  broken = path.join(dir, 'broken.yaml');
  writeFileSync(broken, BROKEN);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('maestro validate (local registry)', () => {
  it('exits 0 on a valid example', async () => {
    const r = await maestro('validate', 'examples/workflows/hr-onboarding.yaml');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe('examples/workflows/hr-onboarding.yaml: valid (0 errors, 0 warnings)');
  });

  it('exits 1 on a broken spec, one line per error with file, line and column', async () => {
    const r = await maestro('validate', broken);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `${broken}:12:11  UNKNOWN_TASK  /steps/0/task  no task "jira.create" is registered`,
      `${broken}:17:18  SECRET_LITERAL  /steps/1/with/authToken  "authToken" carries a secret: bind it with \${{ secrets.<name> }}, never write its value into the spec`,
      `${broken}: invalid (2 errors, 0 warnings)`,
    ]);
  });

  it('prints JSON with --format json', async () => {
    const r = await maestro('validate', broken, '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { valid: boolean; errors: { code: string; line: number; column: number }[] };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ['UNKNOWN_TASK', 12, 11],
      ['SECRET_LITERAL', 17, 18],
    ]);
  });

  it('reports a YAML syntax error with its position (exit 1)', async () => {
    const file = path.join(dir, 'unparsable.yaml');
    writeFileSync(file, 'steps:\n  - id: [a\n');
    const r = await maestro('validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+  SOURCE_UNPARSABLE  /  not valid YAML or JSON: `));
  });

  it('exits 2 on a missing file and on usage errors', async () => {
    const missing = await maestro('validate', path.join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    expect((await maestro('validate')).code).toBe(2);
    expect((await maestro('validate', broken, '--format', 'xml')).code).toBe(2);
    expect((await maestro('frobnicate')).code).toBe(2);
    expect((await maestro('validate', broken, '--api', 'http://127.0.0.1:1')).stderr).toContain('--api needs a token');
  });

  it('prints help', async () => {
    const r = await maestro('help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('maestro validate <file>');
  });
});

describe('maestro validate-manifest', () => {
  it('accepts the built-in manifests', async () => {
    const r = await maestro('validate-manifest', 'adapters/builtin/http.request.yaml');
    expect(r.code).toBe(0);
  });

  it('names the failing fields of a broken manifest with their positions', async () => {
    const file = path.join(dir, 'manifest.yaml');
    writeFileSync(
      file,
      `apiVersion: maestro.dev/v1
kind: TaskAdapter
metadata:
  name: acme.tickets
  version: 1.0.0
  description: Opens tickets
spec:
  runtime: lambda
  capabilities: []
  input: { type: object }
  output: { type: object }
  security:
    egress: { allow: [] }
    dataClasses: [internal]
    sideEffects: write
`,
    );
    const r = await maestro('validate-manifest', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:8:12  MANIFEST_INVALID  /spec/runtime  must be one of: activity, approval, timer`);
    expect(r.stdout).toContain(`${file}:13:5  MANIFEST_INVALID  /spec/security/idempotent  is required`);
  });
});

describe('maestro validate --api (the server registry)', () => {
  let s: Stack;
  let server: ServerType;
  let url: string;
  let deprecated: string;
  beforeAll(async () => {
    s = await openStack({ worker: false });
    server = serve({ fetch: s.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // an adapter of this file only, deprecated, so the server's answer carries a warning
    const transform = loadBuiltinManifests().find((m) => m.metadata.name === 'transform')!;
    deprecated = `cli-test-${s.suffix}`;
    await registerManifest(s.sql, { ...transform, metadata: { ...transform.metadata, name: deprecated } }, 'maestro-core', null);
    await setAdapterStatus(s.sql, deprecated, '1.0.0', 'deprecated', 'transform@1.0.0');
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await s?.close();
  });

  it('reports the server’s errors with the same positions', async () => {
    const r = await maestro('validate', broken, '--api', url, '--token', s.tokens.alice);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${broken}:12:11  UNKNOWN_TASK  /steps/0/task  no task "jira.create" is registered`);
    expect(r.stdout).toContain(`${broken}: invalid (2 errors, 0 warnings)`);
  });

  it('reports a YAML syntax error found by the server as a finding (exit 1)', async () => {
    const file = path.join(dir, 'unparsable-remote.yaml');
    writeFileSync(file, 'steps:\n  - id: [a\n');
    const r = await maestro('validate', file, '--api', url, '--token', s.tokens.alice);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/:\d+:\d+ {2}SOURCE_UNPARSABLE {2}\/ {2}/);
  });

  it('exits 0 with warnings only, and marks them', async () => {
    const file = path.join(dir, 'deprecated.yaml');
    writeFileSync(
      file,
      BROKEN.replace(/steps:[\s\S]*/, `steps:\n  - id: shape\n    task: ${deprecated}@1.0.0\n    with: { expression: "1 + 1" }\n`),
    );
    const r = await maestro('validate', file, '--api', `${url}/api`, '--token', s.tokens.alice);
    expect(r.stdout).toContain(`${file}:12:11  TASK_DEPRECATED  /steps/0/task  warning: ${deprecated}@1.0.0 is deprecated; use transform@1.0.0 instead`);
    expect(r.stdout).toContain(`${file}: valid (0 errors, 1 warning)`);
    expect(r.code).toBe(0);
  });

  it('exits 2 when the server refuses the token or cannot be reached', async () => {
    const refused = await maestro('validate', broken, '--api', url, '--token', 'not-a-jwt');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('401');
    const unreachable = await maestro('validate', broken, '--api', 'http://127.0.0.1:1', '--token', 'x');
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:1');
  });
});
