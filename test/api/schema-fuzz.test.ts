import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolPath } from '../../platform/embedded/tools.ts';
import { openStack, prepareDatabase, testSpec, type Stack } from '../support/stack.ts';
import { publishSpec, startRun, waitForRun } from '../engine/support.ts';

/**
 * Schema fuzzing: schemathesis (installed by scripts/install-tools.sh) generates requests
 * from GET /api/openapi.json — valid and invalid bodies, parameters and methods — against
 * the real API, authenticated, and checks every answer against the document: no 5xx, every
 * status code, content type, header and body as declared, 405 for undeclared methods, 401
 * without the token. Bounded by examples per operation (FUZZ_MAX_EXAMPLES, default 20) and a
 * fixed seed (FUZZ_SEED), so a run is repeatable; two to three minutes on 2 cores for both users (FUZZ_USERS).
 *
 * FUZZ_PHASES (default examples,coverage,fuzzing) adds `stateful` on demand: sequences
 * along the links schemathesis infers (start a run, then cancel it…). Its report and output
 * are kept in the test stack's log dir, or FUZZ_REPORT_DIR.
 */

let s: Stack;
let server: ServerType;
let base: string;

beforeAll(async () => {
  // its own database: what the fuzzing creates (drafts, adapters) is no other file's business
  s = await openStack({ databaseUrl: await prepareDatabase(`fuzz_${randomUUID().slice(0, 8)}`) });
  server = serve({ fetch: s.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await s?.close();
});

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // cwd: where schemathesis keeps its cache (.schemathesis/), not the checkout
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// a tenant user with every tenant role on every operation, and a platform admin on the
// operations only it may call (the others answer it as they answer pat)
const USERS = (process.env.FUZZ_USERS ?? 'pat,root').split(',') as ('pat' | 'root')[];
const ONLY: Partial<Record<(typeof USERS)[number], string>> = { root: '^/(catalog/(reindex|health-rollups)|adapters)' };

describe('schema fuzzing of the OpenAPI document', () => {
  beforeAll(async () => {
    // something to find: a published definition with a completed run (pat's tenant)
    const id = await publishSpec(s, testSpec(), 'pat');
    const { body } = await startRun(s, 'pat', id, { params: { email: 'kim@acme.example' } });
    await waitForRun(s, 'pat', body.runId);
  });

  it.each(USERS)('as %s: no 5xx and no answer that differs from the document', { timeout: 600_000 }, async (user) => {
    const reportDir = path.join(process.env.FUZZ_REPORT_DIR ?? path.join(process.env.MAESTRO_TEST_LOG_DIR ?? s.env.dataDir, 'schemathesis'), user);
    mkdirSync(reportDir, { recursive: true });
    const { code, output } = await run(
      toolPath('st'),
      [
        '--config-file',
        path.join(import.meta.dirname, 'schemathesis.toml'),
        'run',
        `${base}/api/openapi.json`,
        '--url',
        `${base}/api`,
        '--header',
        `Authorization: Bearer ${s.tokens[user]}`,
        '--checks',
        'all',
        // 2xx for every schema-valid request is not a property of this API: an id that does
        // not exist answers 404 and rules beyond the schema (a spec's tasks, a run's
        // parameters) 422, both declared
        '--exclude-checks',
        'positive_data_acceptance',
        '--phases',
        process.env.FUZZ_PHASES ?? 'examples,coverage,fuzzing',
        '--max-examples',
        process.env.FUZZ_MAX_EXAMPLES ?? '20',
        '--seed',
        process.env.FUZZ_SEED ?? '20261204',
        // one worker: CPython 3.11's ast.parse is not thread-safe, and hypothesis calls it
        // ("AST constructor recursion depth mismatch")
        '--workers',
        '1',
        '--request-timeout',
        '20',
        '--generation-database',
        'none',
        ...(ONLY[user] ? ['--include-path-regex', ONLY[user]] : []),
        '--report',
        'junit',
        '--report-dir',
        reportDir,
      ],
      reportDir,
      540_000,
    );
    writeFileSync(path.join(reportDir, 'output.txt'), output);
    expect(code, output.slice(-20_000)).toBe(0);
  });
});
