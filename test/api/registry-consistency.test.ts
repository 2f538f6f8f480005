import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { ApplicationFailure } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinManifests } from '../../platform/registry.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

const ROOT = path.join(import.meta.dirname, '../..');

let s: Stack;
let server: ServerType;
let base: string;
let dir: string;

beforeAll(async () => {
  s = await openStack();
  server = serve({ fetch: s.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(os.tmpdir(), 'maestro-registry-'));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Detail {
  path: string;
  message: string;
  code?: string;
}
interface ErrorBody {
  code: string;
  message: string;
  details?: Detail[];
}
interface Validation {
  valid: boolean;
  errors: Detail[];
  warnings: Detail[];
}

/** `npm run -s cli -- …` from the repository root, as a user runs it. */
function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'cli', '--', ...args], { cwd: ROOT, env: { ...process.env, INIT_CWD: ROOT, MAESTRO_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The spec as a YAML file the CLI can read. */
function specFile(spec: unknown): string {
  const file = path.join(dir, `${randomUUID().slice(0, 8)}.yaml`);
  writeFileSync(file, stringify(spec));
  return file;
}

const oneStep = (task: string, overrides: Parameters<typeof testSpec>[0] = {}) =>
  testSpec({ ...overrides, extra: { parameters: { type: 'object', properties: {} }, steps: [{ id: 'shape', task, with: { expression: '1 + 1' } }] } });

async function postJson<T>(p: string, user: 'alice' | 'pat', body: unknown): Promise<{ status: number; body: T }> {
  const res = await s.request('POST', p, { user, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

/** Registers a copy of the transform manifest under a fresh name through the API, as publisher pat. */
async function registerAdapter(): Promise<string> {
  const transform = loadBuiltinManifests().find((m) => m.metadata.name === 'transform')!;
  const name = `t-${randomUUID().replace(/-/g, '').slice(0, 12)}.step`;
  const res = await postJson<{ ref: string; created: boolean }>('/api/adapters', 'pat', { manifest: { ...transform, metadata: { ...transform.metadata, name } } });
  expect(res).toMatchObject({ status: 201, body: { ref: `${name}@1.0.0`, created: true } });
  return name;
}

async function setStatus(name: string, status: 'deprecated' | 'retired', replacement: string) {
  const res = await postJson(`/api/adapters/${name}/versions/1.0.0/status`, 'pat', { status, replacement });
  expect(res).toMatchObject({ status: 200, body: { name, version: '1.0.0', status } });
}

/**
 * Requests the publish and waits for the lifecycle to end: its result, and the state as
 * GET /api/definitions/{id}/publish-requests/{version} then reports it (status and body).
 */
async function publishToEnd(user: 'alice' | 'pat', definitionId: string, version: string) {
  await s.as(user).requestPublish(definitionId, version);
  const ended = (await s.client.workflow.getHandle(`publish/${definitionId}/${version}`).result()) as { status: string; error?: { code: string } };
  const res = await s.request('GET', `/api/definitions/${definitionId}/publish-requests/${version}`, { user });
  return { ended, state: { status: res.status, body: (await res.json()) as { status?: string; code?: string; error?: { code: string; message: string } } } };
}

/** The details of the beginPublish failure recorded in the lifecycle's history (decoded with the codec). */
async function beginPublishFailure(definitionId: string, version: string): Promise<{ type: string | undefined; details: Detail[] }> {
  const history = await s.client.workflow.getHandle(`publish/${definitionId}/${version}`).fetchHistory();
  const failed = (history.events ?? []).find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes;
  expect(failed).toBeDefined();
  const err = await decodeOptionalFailureToOptionalError(s.client.options.loadedDataConverter, failed!.failure);
  expect(err).toBeInstanceOf(ApplicationFailure);
  const f = err as ApplicationFailure;
  return { type: f.type ?? undefined, details: (f.details?.[0] as Detail[] | undefined) ?? [] };
}

describe('an unknown or retired task fails validation in the API, the CLI and the publish workflow alike', () => {
  it('an unknown task: API draft and validate, CLI against the server and locally', async () => {
    const spec = oneStep('nope.task@1.0.0');

    const draft = await postJson<ErrorBody>('/api/definitions', 'alice', { spec });
    expect(draft.status).toBe(422);
    expect(draft.body.code).toBe('SPEC_INVALID');
    expect(draft.body.details).toEqual([expect.objectContaining({ code: 'UNKNOWN_TASK', path: '/spec/steps/0/task', message: 'no task "nope.task" is registered' })]);
    const rows = await s.sql`select count(*)::int as n from workflow_definition where name = ${spec.metadata.name}`;
    expect(rows[0]!.n).toBe(0);

    const validated = await postJson<Validation>('/api/specs/validate', 'alice', { spec });
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    expect(validated.body.errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_TASK', path: '/spec/steps/0/task' })]);

    const file = specFile(spec);
    const remote = await cli('validate', file, '--api', base, '--token', s.tokens.alice);
    expect(remote.code).toBe(1);
    expect(remote.stdout).toMatch(/:\d+:\d+ {2}UNKNOWN_TASK {2}\/steps\/0\/task {2}no task "nope\.task" is registered/);
    expect(remote.stdout).toContain(`${file}: invalid (1 error, 0 warnings)`);

    const local = await cli('validate', file);
    expect(local.code).toBe(1);
    expect(local.stdout).toMatch(/:\d+:\d+ {2}UNKNOWN_TASK {2}\/steps\/0\/task {2}no task "nope\.task" is registered/);
  });

  it('a task retired after a draft used it: API draft, CLI and the publish lifecycle all refuse it', async () => {
    const name = await registerAdapter();
    const ref = `${name}@1.0.0`;
    const spec = oneStep(ref);
    const { body: draft } = await s.as('alice').createDraft(spec);
    expect(draft).toMatchObject({ version: '1.0.0', created: true });

    await setStatus(name, 'retired', 'transform@1.0.0');
    const hint = `${ref} is retired and can no longer run; use transform@1.0.0 instead`;

    // a new version that still uses it
    const next = { ...spec, metadata: { ...spec.metadata, version: '1.0.1' } };
    const created = await postJson<ErrorBody>('/api/definitions', 'alice', { spec: next });
    expect(created.status).toBe(422);
    expect(created.body.code).toBe('SPEC_INVALID');
    expect(created.body.details).toEqual([expect.objectContaining({ code: 'TASK_RETIRED', path: '/spec/steps/0/task', message: hint })]);
    const validated = await postJson<Validation>('/api/specs/validate', 'alice', { spec: next });
    expect(validated.body).toMatchObject({ valid: false, errors: [expect.objectContaining({ code: 'TASK_RETIRED', message: hint })] });

    const remote = await cli('validate', specFile(next), '--api', base, '--token', s.tokens.alice);
    expect(remote.code).toBe(1);
    expect(remote.stdout).toContain(`TASK_RETIRED  /steps/0/task  ${hint}`);

    // the earlier draft was valid when written; its publish re-validates against today's registry
    const { ended, state } = await publishToEnd('alice', draft.definitionId, '1.0.0');
    expect(ended).toMatchObject({ status: 'invalid', error: { code: 'SPEC_INVALID' } });
    const failure = await beginPublishFailure(draft.definitionId, '1.0.0');
    expect(failure.type).toBe('input:SPEC_INVALID');
    expect(failure.details).toEqual([expect.objectContaining({ code: 'TASK_RETIRED', path: '/spec/steps/0/task', message: hint })]);
    const [v] = await s.sql`select status from workflow_version where definition_id = ${draft.definitionId} and version = '1.0.0'`;
    expect(v!.status).toBe('draft');
    // the API reports the lifecycle's end
    expect(state).toEqual({ status: 200, body: expect.objectContaining({ status: 'invalid', error: expect.objectContaining({ code: 'SPEC_INVALID' }) }) });
  });

  it('a deprecated task: a warning everywhere; a global spec using it cannot publish, a tenant-local one can', async () => {
    const name = await registerAdapter();
    const ref = `${name}@1.0.0`;
    await setStatus(name, 'deprecated', 'transform@1.0.0');
    const warning = `${ref} is deprecated; use transform@1.0.0 instead`;

    const local = oneStep(ref);
    const validated = await postJson<Validation>('/api/specs/validate', 'alice', { spec: local });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ valid: true, errors: [], warnings: [expect.objectContaining({ code: 'TASK_DEPRECATED', path: '/spec/steps/0/task', message: warning })] });
    const remote = await cli('validate', specFile(local), '--api', base, '--token', s.tokens.alice);
    expect(remote.code).toBe(0);
    expect(remote.stdout).toContain(`TASK_DEPRECATED  /steps/0/task  warning: ${warning}`);

    // tenant-local: publishes despite the warning
    const { body: localDraft } = await s.as('alice').createDraft(local);
    const localEnd = await publishToEnd('alice', localDraft.definitionId, '1.0.0');
    expect(localEnd.ended.status).toBe('published');
    expect(localEnd.state).toEqual({ status: 200, body: expect.objectContaining({ status: 'published' }) });

    // global: denied at publish time by the marketplace profile's guardrail (hard: no override)
    const global = oneStep(ref, { scope: 'global' });
    const { body: globalDraft } = await s.as('pat').createDraft(global);
    const globalEnd = await publishToEnd('pat', globalDraft.definitionId, '1.0.0');
    expect(globalEnd.ended).toMatchObject({ status: 'denied', error: { code: 'POLICY_DENIED' } });
    const denial = (globalEnd.ended as { error?: { message: string; details?: Detail[] } }).error!;
    expect(denial.message).toContain('marketplace.no-deprecated-tasks');
    expect(denial.details).toEqual([expect.objectContaining({ code: 'marketplace.no-deprecated-tasks', path: '/policy/marketplace.no-deprecated-tasks', message: expect.stringContaining(ref) })]);
    const [v] = await s.sql`select status from workflow_version where definition_id = ${globalDraft.definitionId} and version = '1.0.0'`;
    expect(v!.status).toBe('draft');
    // the API reports the lifecycle's end, with the guardrails' decision
    expect(globalEnd.state).toEqual({ status: 200, body: expect.objectContaining({ status: 'denied', error: expect.objectContaining({ code: 'POLICY_DENIED' }) }) });
    expect((globalEnd.state.body as { guardrails?: { hard_deny: string[] } }).guardrails?.hard_deny).toEqual(['marketplace.no-deprecated-tasks']);
  });
});
