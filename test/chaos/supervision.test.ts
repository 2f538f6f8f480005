import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, isPortFree } from '../../platform/embedded/ports.ts';
import type { SupervisorStatus } from '../../platform/supervisor-status.ts';
import { apiClient } from '../../platform/api-client.ts';
import { testSpec } from '../support/stack.ts';

// A whole `npm start` (scripts/start.ts) of its own: own data dir and ports, so neither the
// test stack nor a developer's running npm start is disturbed.
const root = mkdtempSync(path.join(os.tmpdir(), 'maestro-supervision-'));
chmodSync(root, 0o755); // Postgres runs as "postgres" when we are root
const dataDir = path.join(root, 'data');
let start: ChildProcess;
let output = '';
let base: string;
let exit: Promise<number | null>;
let env: NodeJS.ProcessEnv;

interface Health {
  status: string;
  components: Record<string, { status: string }>;
  supervisor?: SupervisorStatus;
}

/** A free port whose predecessor is free too (Typesense peers on TYPESENSE_PORT - 1). */
async function freePairTop(): Promise<number> {
  for (;;) {
    const [p] = await freePorts(1);
    if (p! > 1025 && (await isPortFree(p! - 1))) return p!;
  }
}

const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; npm start said:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

const health = async (): Promise<{ code: number; body: Health }> => {
  const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(10_000) });
  return { code: res.status, body: (await res.json()) as Health };
};
const child = (h: Health, name: string) => h.supervisor?.children.find((c) => c.name === name);
const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  const [port, pgPort, temporalPort, uiPort, partnerSystemsPort] = await freePorts(5);
  const typesensePort = await freePairTop();
  base = `http://127.0.0.1:${port}`;
  env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAESTRO_TEST_'))),
    NODE_ENV: 'development',
    PORT: String(port),
    PG_PORT: String(pgPort),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    TYPESENSE_PORT: String(typesensePort),
    PARTNER_SYSTEMS_PORT: String(partnerSystemsPort),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // long enough a backoff to search while Typesense is down; give up on a third failure
    SUPERVISOR_BACKOFF: '3s',
    SUPERVISOR_MAX_FAILURES: '3',
    SUPERVISOR_FAILURE_WINDOW: '10m',
  };
  start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  start.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  start.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  exit = new Promise((resolve) => start.once('exit', (code) => resolve(code)));
  await until('npm start to be ready', async () => (output.includes('Maestro Conductor is running') ? true : undefined), 240_000);
}, 300_000);

afterAll(async () => {
  if (start && start.exitCode === null && start.signalCode === null) {
    start.kill('SIGINT');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 60_000))]);
  }
  rmSync(root, { recursive: true, force: true });
}, 90_000);

describe('npm start supervises its children', () => {
  it('reports every child running in GET /api/health', async () => {
    const { code, body } = await health();
    expect(code).toBe(200);
    expect(body.supervisor?.state).toBe('running');
    expect(body.supervisor?.children.map((c) => [c.name, c.state, c.restarts]).sort()).toEqual(
      ['api', 'oidc-provider', 'partner-systems', 'partner-worker', 'postgres', 'temporal', 'typesense', 'worker'].map((n) => [n, 'running', 0]),
    );
  });

  it('restarts each child killed with SIGKILL, and the API keeps answering meanwhile', async () => {
    // as the README says: npm run token -- alice, against this stack's data dir
    const token = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'alice'], { env: { ...env, LOG_LEVEL: 'silent' }, encoding: 'utf8' }).trim();
    for (const name of ['typesense', 'worker', 'partner-worker', 'partner-systems', 'oidc-provider', 'temporal', 'postgres', 'api']) {
      const before = child((await health()).body, name)!;
      expect(before.state).toBe('running');
      process.kill(before.pid!, 'SIGKILL');

      if (name === 'typesense') {
        // the search is answered from Postgres while Typesense is down
        const res = await fetch(`${base}/api/catalog?q=onboarding`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ source: 'postgres', degraded: true });
      }
      if (name !== 'api') {
        // the API answers (503, naming the child that is down) instead of going down with it
        const during = await until(`health to report ${name} down`, async () => {
          const h = await health();
          return child(h.body, name)!.state !== 'running' ? h : undefined;
        });
        expect(during.code).toBe(503);
        expect(during.body.status).toBe('degraded');
      }
      const after = await until(`${name} to run again`, async () => {
        const { code, body } = await health();
        const c = child(body, name);
        return code === 200 && c?.state === 'running' && c.restarts > before.restarts ? c : undefined;
      });
      expect(after.pid).not.toBe(before.pid);
      expect(after.lastExit?.reason).toBe('killed by SIGKILL');
      expect(output).toContain(`${name} exited unexpectedly (killed by SIGKILL)`);
    }

    // and the restarted stack still works end to end: a publish reaches the search index
    const alice = apiClient(base, token);
    const spec = testSpec({ description: 'Published after every child was killed once' });
    const { body: draft } = await alice.createDraft(spec);
    await alice.requestPublish(draft.definitionId, '1.0.0');
    expect(await alice.waitForPublish(draft.definitionId, '1.0.0', ['published'], 90_000)).toBe('published');
    const search = await fetch(`${base}/api/catalog?q=${encodeURIComponent(spec.metadata.name)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await search.json()).toMatchObject({ source: 'typesense', items: [expect.objectContaining({ id: draft.definitionId })] });
  }, 600_000);

  it('gives up loudly after repeated failures: stops everything and exits 1', async () => {
    const pids = ((await health()).body.supervisor?.children ?? []).map((c) => c.pid!);
    let exited = false;
    void exit.then(() => (exited = true));
    const killed = new Set<number>();
    // the partner worker, again and again, until SIGKILL number SUPERVISOR_MAX_FAILURES (3)
    while (!exited) {
      const c = await until('the partner worker to run (or npm start to give up)', async () => {
        if (exited) return null;
        const p = child((await health()).body, 'partner-worker');
        return p?.state === 'running' && !killed.has(p.pid!) ? p : undefined;
      });
      if (!c) break;
      killed.add(c.pid!);
      process.kill(c.pid!, 'SIGKILL');
    }
    expect(await exit).toBe(1);
    expect(output).toMatch(/partner-worker exited unexpectedly \(killed by SIGKILL\): 3 failures within 600s, giving up/);
    expect(output).toContain('stopping everything');
    expect(pids.filter(pidAlive)).toEqual([]);
  }, 300_000);
});
