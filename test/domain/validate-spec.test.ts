import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryView, type RegistryEntry, type TaskManifest } from '../../domain/manifest.ts';
import { parseSource } from '../../domain/spec-source.ts';
import { validateSpec, type Issue, type SpecValidation } from '../../domain/validate-spec.ts';
import { loadBuiltinManifests } from '../../platform/registry.ts';
import { compileSchema, compileTenantSchema } from '../../domain/schema-validator.ts';

// The registry as the tests want it: every built-in active, plus versions with lifecycles.
const builtins = loadBuiltinManifests();
const builtin = (name: string) => builtins.find((m) => m.metadata.name === name)!;
const asVersion = (m: TaskManifest, version: string): TaskManifest => ({ ...m, metadata: { ...m.metadata, version } });
const entries: RegistryEntry[] = [
  ...builtins.filter((m) => m.metadata.name !== 'delay' && m.metadata.name !== 'transform').map((m) => ({ manifest: m, status: 'active' as const })),
  { manifest: asVersion(builtin('http.request'), '2.0.0'), status: 'active' },
  { manifest: builtin('delay'), status: 'retired', replacement: 'delay@2.0.0' },
  { manifest: asVersion(builtin('delay'), '2.0.0'), status: 'active' },
  { manifest: asVersion(builtin('delay'), '0.9.0'), status: 'retired' },
  { manifest: builtin('transform'), status: 'deprecated', replacement: 'transform@2.0.0' },
  { manifest: asVersion(builtin('transform'), '2.0.0'), status: 'active' },
];
const registry = registryView(entries);
const allActive = registryView(builtins.map((manifest) => ({ manifest, status: 'active' as const })));

/** A valid spec around the given steps. */
const spec = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'maestro.dev/v1',
  kind: 'Workflow',
  metadata: { name: 'test-flow', version: '1.0.0', description: 'A test workflow', category: 'IT', risk: 'low', scope: 'tenant-local' },
  parameters: { type: 'object', properties: { email: { type: 'string' }, baseUrl: { type: 'string' } } },
  secrets: [{ name: 'api_token' }],
  steps,
  ...extra,
});

const shape = { id: 'shape', task: 'transform@2.0.0', with: { expression: 'x', data: { email: '${{ params.email }}' } } };
const call = (id: string, w: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => ({ id, task: 'http.request@1.0.0', with: { url: 'https://example.com', ...w }, ...more });

const summary = (issues: Issue[]) => issues.map(({ code, path, message }) => ({ code, path, message }));

function only(v: SpecValidation, expected: { code: string; path: string; message: string }) {
  expect(summary(v.errors)).toEqual([expected]);
  expect(v.valid).toBe(false);
}

describe('validateSpec: the task registry', () => {
  it('accepts a valid spec', () => {
    const v = validateSpec(spec([call('fetch'), shape]), registry);
    expect(v).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(v.taskRefs).toEqual(['http.request@1.0.0', 'transform@2.0.0']);
  });

  it('UNKNOWN_TASK: no version of the task is registered', () => {
    only(validateSpec(spec([{ id: 'a', task: 'jira.create@1.0.0' }]), registry), {
      code: 'UNKNOWN_TASK',
      path: '/steps/0/task',
      message: 'no task "jira.create" is registered',
    });
  });

  it('TASK_RETIRED: names the replacement when there is one', () => {
    only(validateSpec(spec([{ id: 'wait', task: 'delay@1.0.0', with: { duration: '1m' } }]), registry), {
      code: 'TASK_RETIRED',
      path: '/steps/0/task',
      message: 'delay@1.0.0 is retired and can no longer run; use delay@2.0.0 instead',
    });
    only(validateSpec(spec([{ id: 'wait', task: 'delay@0.9.0', with: { duration: '1m' } }]), registry), {
      code: 'TASK_RETIRED',
      path: '/steps/0/task',
      message: 'delay@0.9.0 is retired and can no longer run',
    });
  });

  it('TASK_VERSION_NOT_REGISTERED: lists the registered versions', () => {
    only(validateSpec(spec([call('a', {}, { task: 'http.request@3.0.0' })]), registry), {
      code: 'TASK_VERSION_NOT_REGISTERED',
      path: '/steps/0/task',
      message: 'http.request has no version 3.0.0; registered: 1.0.0, 2.0.0',
    });
  });

  it('TASK_DEPRECATED is a warning, not an error', () => {
    const v = validateSpec(spec([{ ...shape, task: 'transform@1.0.0' }]), registry);
    expect(v.valid).toBe(true);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([
      { code: 'TASK_DEPRECATED', severity: 'warning', path: '/steps/0/task', message: 'transform@1.0.0 is deprecated; use transform@2.0.0 instead' },
    ]);
  });
});

describe('validateSpec: inputs against the task input schema', () => {
  it('INPUT_MISMATCH: a value of the wrong type', () => {
    only(validateSpec(spec([call('a', { timeoutMs: 'fast' })]), registry), {
      code: 'INPUT_MISMATCH',
      path: '/steps/0/with/timeoutMs',
      message: 'input "timeoutMs" must be integer',
    });
  });

  it('INPUT_MISMATCH: inside a nested input, with the nested path', () => {
    only(validateSpec(spec([call('a', { headers: { 'x-team': 7 } })]), registry), {
      code: 'INPUT_MISMATCH',
      path: '/steps/0/with/headers/x-team',
      message: 'input "headers" must be string',
    });
    only(validateSpec(spec([call('a', { method: 'FETCH' })]), registry), {
      code: 'INPUT_MISMATCH',
      path: '/steps/0/with/method',
      message: 'input "method" must be one of: GET, POST, PUT, PATCH, DELETE',
    });
  });

  it('UNKNOWN_INPUT: names the inputs the task has', () => {
    only(validateSpec(spec([call('a', { verb: 'GET' })]), registry), {
      code: 'UNKNOWN_INPUT',
      path: '/steps/0/with/verb',
      message: 'http.request@1.0.0 has no input "verb"; its inputs: url, method, headers, body, authToken, timeoutMs, expectStatus',
    });
  });

  it('MISSING_INPUT: a required input is absent', () => {
    only(validateSpec(spec([{ id: 'a', task: 'http.request@1.0.0', with: { method: 'GET' } }]), registry), {
      code: 'MISSING_INPUT',
      path: '/steps/0/with',
      message: 'http.request@1.0.0 requires the input "url"',
    });
  });

  it('an expression stands in for any type: checked at run time', () => {
    expect(validateSpec(spec([call('a', { timeoutMs: '${{ params.email }}' })]), registry).valid).toBe(true);
  });
});

describe('validateSpec: references in expressions', () => {
  it('UNDEFINED_PARAMETER', () => {
    only(validateSpec(spec([call('a', { url: '${{ params.baseURL }}/x' })]), registry), {
      code: 'UNDEFINED_PARAMETER',
      path: '/steps/0/with/url',
      message: 'parameter "baseURL" is not defined in parameters.properties',
    });
  });

  it('UNDEFINED_STEP', () => {
    only(validateSpec(spec([call('a'), call('b', { body: '${{ steps.ghost.output.body }}' })]), registry), {
      code: 'UNDEFINED_STEP',
      path: '/steps/1/with/body',
      message: 'there is no step "ghost"',
    });
  });

  it('UNDEFINED_STEP_OUTPUT: a field the task does not output, names the fields it does', () => {
    only(validateSpec(spec([call('a'), call('b', { body: '${{ steps.a.output.payload }}' })]), registry), {
      code: 'UNDEFINED_STEP_OUTPUT',
      path: '/steps/1/with/body',
      message: 'http.request@1.0.0 has no output "payload"; its outputs: status, headers, body',
    });
  });

  it('UNDEFINED_STEP_OUTPUT: only .output can be read, and a parallel group has none', () => {
    only(validateSpec(spec([call('a'), call('b', { body: '${{ steps.a.result }}' })]), registry), {
      code: 'UNDEFINED_STEP_OUTPUT',
      path: '/steps/1/with/body',
      message: 'steps.a has only ".output"',
    });
    only(validateSpec(spec([{ id: 'g', parallel: [call('a'), call('b')] }, call('c', { body: '${{ steps.g.output }}' })]), registry), {
      code: 'UNDEFINED_STEP_OUTPUT',
      path: '/steps/1/with/body',
      message: '"g" is a parallel group and has no output; refer to one of its steps',
    });
  });

  it('STEP_NOT_BEFORE: a later step', () => {
    only(validateSpec(spec([call('a', { body: '${{ steps.b.output.body }}' }), call('b')]), registry), {
      code: 'STEP_NOT_BEFORE',
      path: '/steps/0/with/body',
      message: 'step "b" does not run before "a"',
    });
  });

  it('STEP_NOT_BEFORE: a parallel sibling', () => {
    only(validateSpec(spec([{ id: 'g', parallel: [call('a'), call('b', { body: '${{ steps.a.output.body }}' })] }]), registry), {
      code: 'STEP_NOT_BEFORE',
      path: '/steps/0/parallel/1/with/body',
      message: 'steps "b" and "a" run in parallel: one cannot read the other\'s output',
    });
  });

  it('a step after a parallel group reads any step of the group', () => {
    const v = validateSpec(spec([{ id: 'g', parallel: [call('a'), call('b')] }, call('c', { body: '${{ steps.b.output.body }}' })]), registry);
    expect(v.errors).toEqual([]);
  });

  it('UNDECLARED_SECRET', () => {
    only(validateSpec(spec([call('a', { authToken: '${{ secrets.github_token }}' })]), registry), {
      code: 'UNDECLARED_SECRET',
      path: '/steps/0/with/authToken',
      message: 'secret "github_token" is not declared in secrets',
    });
  });

  it('SECRET_LITERAL: a value written into a secret input', () => {
    only(validateSpec(spec([call('a', { authToken: 'ghp_live_value' })]), registry), {
      code: 'SECRET_LITERAL',
      path: '/steps/0/with/authToken',
      message: '"authToken" carries a secret: bind it with ${{ secrets.<name> }}, never write its value into the spec',
    });
    expect(validateSpec(spec([call('a', { authToken: '${{ secrets.api_token }}' })]), registry).valid).toBe(true);
  });

  it('EXPRESSION_SYNTAX in a binding and in a condition', () => {
    const v = validateSpec(spec([call('a', { url: '${{ params.baseUrl & }}' }, { when: 'params.email =' })]), registry);
    expect(v.valid).toBe(false);
    expect(v.errors.map((i) => [i.code, i.path])).toEqual([
      ['EXPRESSION_SYNTAX', '/steps/0/when'],
      ['EXPRESSION_SYNTAX', '/steps/0/with/url'],
    ]);
    expect(v.errors[0]!.message).toMatch(/^expression "params\.email =": /);
    expect(v.errors[1]!.message).toMatch(/^expression "params\.baseUrl &": /);
  });

  it('UNKNOWN_REFERENCE: a root other than params, steps, secrets and run', () => {
    only(validateSpec(spec([call('a', { url: '${{ env.BASE_URL }}' })]), registry), {
      code: 'UNKNOWN_REFERENCE',
      path: '/steps/0/with/url',
      message: '"env" is not defined: expressions read params, steps, secrets and run',
    });
  });

  it('CYCLE: steps that read each other, and a step that reads itself', () => {
    only(validateSpec(spec([call('a', { body: '${{ steps.b.output.body }}' }), call('b', { body: '${{ steps.a.output.body }}' })]), registry), {
      code: 'CYCLE',
      path: '/steps/0',
      message: 'steps a → b → a depend on each other in a cycle',
    });
    only(validateSpec(spec([call('a', { body: '${{ steps.a.output.body }}' })]), registry), {
      code: 'CYCLE',
      path: '/steps/0/with/body',
      message: 'step "a" refers to its own output',
    });
  });
});

describe('validateSpec: document structure', () => {
  it('DUPLICATE_STEP_ID, also across parallel groups', () => {
    only(validateSpec(spec([call('a'), { id: 'g', parallel: [call('a')] }]), registry), {
      code: 'DUPLICATE_STEP_ID',
      path: '/steps/1/parallel/0/id',
      message: 'duplicate step id "a"',
    });
  });

  it('SCHEMA: an unknown field', () => {
    only(validateSpec(spec([call('a', {}, { retries: 3 })]), registry), { code: 'SCHEMA', path: '/steps/0/retries', message: 'unknown field "retries"' });
  });

  it('SCHEMA: a value outside an enum', () => {
    const doc = spec([call('a')]);
    only(validateSpec({ ...doc, metadata: { ...doc.metadata, risk: 'severe' } }, registry), {
      code: 'SCHEMA',
      path: '/metadata/risk',
      message: 'must be one of: low, medium, high, critical',
    });
  });

  it('SCHEMA: parallel and task on one step', () => {
    only(validateSpec(spec([{ id: 'g', task: 'http.request@1.0.0', parallel: [call('a')] }]), registry), {
      code: 'SCHEMA',
      path: '/steps/0',
      message: 'a step has either "task" (with optional with, retry, timeout) or "parallel", not both and not neither',
    });
  });

  it('SCHEMA: a missing required field and a malformed task reference', () => {
    const v = validateSpec(spec([{ id: 'a', task: 'http.request' }], { kind: undefined }), registry);
    expect(summary(v.errors)).toEqual([
      { code: 'SCHEMA', path: '/kind', message: 'is required' },
      { code: 'SCHEMA', path: '/steps/0/task', message: 'must be a registered task, name@version' },
    ]);
  });

  it('INVALID_PARAMETER_SCHEMA: parameters that are not a JSON Schema', () => {
    const v = validateSpec(spec([call('a')], { parameters: { type: 'object', properties: { n: { type: 'integr' } } } }), registry);
    expect(summary(v.errors)).toHaveLength(1);
    expect(v.errors[0]).toMatchObject({ code: 'INVALID_PARAMETER_SCHEMA', path: '/parameters' });
    expect(v.errors[0]!.message).toMatch(/^not a valid JSON Schema: /);
  });

  it('INVALID_PARAMETER_SCHEMA: a pattern that cannot run in linear time, uniqueItems without a bound', () => {
    const params = (properties: Record<string, unknown>) => ({ parameters: { type: 'object', properties } });
    const backref = validateSpec(spec([call('a')], params({ s: { type: 'string', pattern: '^(a)\\1$' } })), registry);
    expect(backref.errors).toEqual([expect.objectContaining({ code: 'INVALID_PARAMETER_SCHEMA', path: '/parameters', message: expect.stringContaining('linear time') })]);
    const unique = validateSpec(spec([call('a')], params({ l: { type: 'array', uniqueItems: true } })), registry);
    expect(summary(unique.errors)).toEqual([
      { code: 'INVALID_PARAMETER_SCHEMA', path: '/parameters/properties/l/uniqueItems', message: 'uniqueItems needs maxItems of at most 1000' },
    ]);
    // references make a schema a graph (exponential fan-out) and $id registers it for every tenant
    const fanout = { $defs: { d0: { allOf: [{ $ref: '#/$defs/d1' }, { $ref: '#/$defs/d1' }] }, d1: { type: 'string' } }, type: 'object', properties: { x: { $ref: '#/$defs/d0' } } };
    expect(summary(validateSpec(spec([call('a')], { parameters: fanout }), registry).errors).map((e) => e.path)).toEqual([
      '/parameters/$defs/d0/allOf/0/$ref',
      '/parameters/$defs/d0/allOf/1/$ref',
      '/parameters/properties/x/$ref',
    ]);
    const withId = validateSpec(spec([call('a')], params({ s: { $id: 'https://tenant-a.example/p.json', enum: ['secret'] } })), registry);
    expect(withId.errors).toEqual([expect.objectContaining({ code: 'INVALID_PARAMETER_SCHEMA', path: '/parameters/properties/s/$id' })]);
    expect(() => compileTenantSchema(fanout)).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    // a backtracking pattern is accepted: it runs on a linear-time engine
    expect(validateSpec(spec([call('a')], params({ s: { type: 'string', pattern: '^(a+)+$' } })), registry).errors).toEqual([]);
  });
});

describe('tenant JSON Schemas validate in linear time', () => {
  it('a catastrophic-backtracking pattern answers at once', () => {
    const check = compileSchema({ type: 'string', pattern: '^(a+)+$' });
    expect(check(`${'a'.repeat(50_000)}!`)).toBe(false);
    expect(check('aaaa')).toBe(true);
    expect(compileSchema({ type: 'string', pattern: '^[a-z][a-z0-9-]{2,62}$' })('abc-1')).toBe(true);
  });

  it('a schema that cannot compile is an input error, not a crash', () => {
    expect(() => compileSchema({ type: 'string', pattern: '(?=a)' })).toThrow(expect.objectContaining({ kind: 'input', code: 'SCHEMA_INVALID' }));
  });
});

describe('validateSpec: positions in YAML sources', () => {
  const yaml = `apiVersion: maestro.dev/v1
kind: Workflow
metadata:
  name: positions
  version: 1.0.0
  description: Where the errors are
  category: IT
  risk: low
  scope: tenant-local
steps:
  - id: first
    task: jira.create@1.0.0
  - id: second
    task: http.request@1.0.0
    with:
      url: https://example.com
      timeoutMs: soon
`;

  it('reports line and column of each failing value', () => {
    const parsed = parseSource(yaml);
    if ('error' in parsed) throw new Error(parsed.error.message);
    const v = validateSpec(parsed.doc, registry, parsed.locate);
    expect(v.errors).toEqual([
      { code: 'UNKNOWN_TASK', severity: 'error', path: '/steps/0/task', message: 'no task "jira.create" is registered', line: 12, column: 11 },
      { code: 'INPUT_MISMATCH', severity: 'error', path: '/steps/1/with/timeoutMs', message: 'input "timeoutMs" must be integer', line: 17, column: 18 },
    ]);
  });

  it('points a schema error at the unknown field (its value)', () => {
    const parsed = parseSource(yaml.replace('  scope: tenant-local\n', '  scope: tenant-local\n  colour: blue\n'));
    if ('error' in parsed) throw new Error(parsed.error.message);
    const v = validateSpec(parsed.doc, registry, parsed.locate);
    expect(v.errors).toEqual([{ code: 'SCHEMA', severity: 'error', path: '/metadata/colour', message: 'unknown field "colour"', line: 10, column: 11 }]);
  });
});

describe('the example pack', () => {
  const dir = path.join(import.meta.dirname, '../../examples/workflows');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

  it('has examples', () => expect(files.length).toBeGreaterThan(0));

  it.each(files)('%s is valid against the built-in adapters', (file) => {
    const parsed = parseSource(readFileSync(path.join(dir, file), 'utf8'));
    if ('error' in parsed) throw new Error(parsed.error.message);
    const v = validateSpec(parsed.doc, allActive, parsed.locate);
    expect([...v.errors, ...v.warnings]).toEqual([]);
  });
});
