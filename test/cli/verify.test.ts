import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { call, install, publishTemplate } from '../marketplace/support.ts';
import { waitForUpgrade } from '../marketplace/upgrade-support.ts';
import { certify } from '../trust/support.ts';
import { contentDigest } from '../../platform/digest.ts';
import { createKeyRing, signStatement } from '../../platform/signing.ts';
import { decodeStatement } from '../../platform/signing.ts';
import type { ReceiptLifecycle, ReceiptView, SigningKeyView, SigstoreBundleJson } from '../../domain/trust.ts';

// `maestro verify` as a user runs it, on the receipts and signatures of real lifecycles:
// every lifecycle's receipt verifies (offline, and against Temporal's history), and each
// kind of tampering is refused naming the check that failed.

const ROOT = path.join(import.meta.dirname, '../..');

function maestro(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/maestro.ts', ...args], { cwd: ROOT, env: { ...process.env, INIT_CWD: ROOT } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let s: Stack;
let dir: string;
let keysFile: string;
const receipts = {} as Record<ReceiptLifecycle, ReceiptView>;
const template = { id: '', digest: '', instance: '', curated: '' };

const file = (name: string, content: unknown) => {
  const f = path.join(dir, name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return f;
};
const publicKeys = async () => ((await (await s.request('GET', '/api/trust/keys')).json()) as { keys: SigningKeyView[] }).keys;
const writeKeys = async () => (keysFile = file('keys.json', { keys: await publicKeys() }));
const temporal = () => ['--temporal', s.env.temporalAddress, '--namespace', s.config.TEMPORAL_NAMESPACE];

async function receiptOf(user: 'gus' | 'pat', lifecycle: ReceiptLifecycle, subject: string): Promise<ReceiptView> {
  const res = await call<{ items: ReceiptView[] }>(s, user, 'GET', `/receipts?lifecycle=${lifecycle}&subject=${encodeURIComponent(subject)}`);
  expect(res.body.items, `${lifecycle} receipt of ${subject}`).toHaveLength(1);
  return res.body.items[0]!;
}

const greeter = (greeting: string) => ({ id: 'work', task: 'transform@1.0.0', with: { expression: `'${greeting}'`, data: {} } });
function version(name: string, v: string, greeting: string) {
  const spec = testSpec({ scope: 'global', name, version: v, extra: { parameters: { type: 'object', properties: {} }, steps: [greeter(greeting)] } });
  (spec.metadata as Record<string, unknown>).changelog = `Release ${v}.`;
  return spec;
}

beforeAll(async () => {
  s = await openStack();
  dir = mkdtempSync(path.join(os.tmpdir(), 'maestro-verify-'));
  const name = `verify-${Date.now().toString(36)}`;
  // publish (pat, acme) → review → certify → install (gus, globex) → upgrade → uninstall; curate on a partner-curated template
  template.id = await publishTemplate(s, version(name, '1.0.0', 'hello'));
  template.digest = (await s.sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${template.id} and version = '1.0.0'`)[0]!.digest;
  receipts.publish = await receiptOf('pat', 'publish', `${template.id}@1.0.0`);
  // a global template passes its marketplace review (publishTemplate drives it); the certifier runs the checklist
  receipts.review = await receiptOf('pat', 'review', `${template.id}@1.0.0`);
  await certify(s, template.id, '1.0.0');
  receipts.certify = await receiptOf('pat', 'certify', `${template.id}@1.0.0`);
  template.instance = await install(s, 'gus', { templateId: template.id, environment: 'dev' });
  receipts.install = await receiptOf('gus', 'install', `instance:${template.instance}`);
  await publishTemplate(s, version(name, '1.1.0', 'hello again'));
  const upgrade = await call<{ runId: string }>(s, 'gus', 'POST', `/instances/${template.instance}/upgrades`, { toVersion: '1.1.0' });
  expect(upgrade.status, JSON.stringify(upgrade.body)).toBe(202);
  expect((await waitForUpgrade(s, 'gus', template.instance, '1.1.0', undefined, { runId: upgrade.body.runId })).status).toBe('upgraded');
  receipts.upgrade = await receiptOf('gus', 'upgrade', `instance:${template.instance}`);
  const del = await call<{ workflowId: string }>(s, 'gus', 'DELETE', `/instances/${template.instance}`);
  expect(del.status).toBe(202);
  await s.client.workflow.getHandle(del.body.workflowId).result();
  receipts.uninstall = await receiptOf('gus', 'uninstall', `instance:${template.instance}`);

  template.curated = await publishTemplate(s, version(`${name}-c`, '1.0.0', 'curated'), { visibility: 'partner-curated' });
  const curate = await call<{ workflowId: string; runId: string }>(s, 'cora', 'PUT', `/templates/${template.curated}/audience`, { tenants: ['globex'] });
  expect(curate.status).toBe(202);
  await s.client.workflow.getHandle(curate.body.workflowId, curate.body.runId).result();
  receipts.curate = await receiptOf('pat', 'curate', template.curated);
  await writeKeys();
}, 240_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await s?.close();
});

describe('every lifecycle yields a receipt that maestro verify accepts', () => {
  for (const lifecycle of ['publish', 'review', 'certify', 'install', 'upgrade', 'uninstall', 'curate'] as const) {
    it(`${lifecycle}: offline, and with the history digest recomputed from Temporal`, async () => {
      const f = file(`${lifecycle}.json`, receipts[lifecycle]);
      const offline = await maestro('verify', f, '--keys', keysFile);
      expect(offline.stdout).toContain(`verified receipt of ${receipts[lifecycle].subject.name}`);
      expect(offline.stdout).toContain('history digest was not checked');
      expect(offline.code).toBe(0);
      const online = await maestro('verify', f, '--keys', keysFile, ...temporal());
      expect(online.stdout).toMatch(/ok +history +events 1\.\.\d+ digest to the signed sha256:/);
      expect(online.code).toBe(0);
    });
  }

  it('a bare receipt bundle, a {body, bundle} file and a version signature verify too; keys come from a URL as well', async () => {
    const r = receipts.publish;
    expect((await maestro('verify', file('bare.json', r.bundle), '--keys', keysFile)).code).toBe(0);
    expect((await maestro('verify', file('pair.json', { body: { ...r, bundle: undefined, keyId: undefined, verification: undefined, temporalUrl: undefined }, bundle: r.bundle }), '--keys', keysFile)).code).toBe(0);
    const sig = await call(s, 'carol', 'GET', `/definitions/${template.id}/versions/1.0.0/signature`);
    const out = await maestro('verify', file('signature.json', sig.body), '--keys', keysFile, '--expect-digest', template.digest, '--format', 'json');
    expect(JSON.parse(out.stdout)).toMatchObject({ kind: 'version', result: { ok: true, keyOwner: { kind: 'publisher', id: 'acme' } } });
    expect(out.code).toBe(0);
    // the keys straight from the API (anonymous), served on a port
    const { serve } = await import('@hono/node-server');
    const server = serve({ fetch: s.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((ok) => server.once('listening', ok));
    try {
      const port = (server.address() as { port: number }).port;
      expect((await maestro('verify', file('bare2.json', r.bundle), '--keys', `http://127.0.0.1:${port}/api/trust/keys`)).code).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe('tampering is refused, naming what did not match', () => {
  const failed = (r: { code: number | null; stdout: string }, check: string) => {
    expect(r.stdout).toContain(`NOT verified: ${check} check failed`);
    expect(r.code).toBe(1);
  };

  it('a spec byte: the version signature does not cover the changed spec (subject)', async () => {
    const v = await call<{ spec: Record<string, unknown> }>(s, 'carol', 'GET', `/definitions/${template.id}/versions/1.0.0`);
    const spec = structuredClone(v.body.spec) as { metadata: { description: string } };
    spec.metadata.description = spec.metadata.description.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const sig = await call(s, 'carol', 'GET', `/definitions/${template.id}/versions/1.0.0/signature`);
    expect(contentDigest(v.body.spec)).toBe(template.digest);
    failed(await maestro('verify', file('sig-spec.json', sig.body), '--keys', keysFile, '--expect-digest', contentDigest(spec)), 'subject');
  });

  it('a payload byte of a receipt bundle (signature)', async () => {
    const bundle = structuredClone(receipts.install.bundle);
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    const at = payload.indexOf(Buffer.from('"install"'));
    payload[at + 2] = 'X'.charCodeAt(0);
    bundle.dsseEnvelope.payload = payload.toString('base64');
    failed(await maestro('verify', file('payload.json', bundle), '--keys', keysFile), 'signature');
  });

  it('the bundle signature (signature)', async () => {
    const view = structuredClone(receipts.upgrade);
    const sig = Buffer.from(view.bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 2] = sig[sig.length - 2]! ^ 0x10;
    view.bundle.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
    failed(await maestro('verify', file('sig.json', view), '--keys', keysFile), 'signature');
  });

  it('a wrong key: another public key under the key id (signature), or no such key (key)', async () => {
    const hint = receipts.publish.bundle.verificationMaterial.publicKey!.hint;
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const keys = await publicKeys();
    const swapped = file('keys-swapped.json', { keys: keys.map((k) => (k.keyId === hint ? { ...k, publicKeyPem: other } : k)) });
    failed(await maestro('verify', file('r1.json', receipts.publish), '--keys', swapped), 'signature');
    const missing = file('keys-missing.json', { keys: keys.filter((k) => k.keyId !== hint) });
    failed(await maestro('verify', file('r2.json', receipts.publish), '--keys', missing), 'key');
  });

  it("a version signed by a key that is not its publisher's is refused (key)", async () => {
    const sig = await call<{ bundle: SigstoreBundleJson }>(s, 'carol', 'GET', `/definitions/${template.id}/versions/1.0.0/signature`);
    // the same statement, signed by globex's own (valid, published) key
    const statement = decodeStatement(sig.body.bundle)!;
    const forged = await signStatement(createKeyRing(s.sql, s.env.secretsKey), { kind: 'publisher', id: 'globex' }, statement);
    await writeKeys();
    failed(await maestro('verify', file('forged.json', forged), '--keys', keysFile), 'key');
  });

  it('an edited history: one event changed, or another run\'s history (history)', async () => {
    const r = receipts.install;
    const events = await s.client.workflow.getHandle(r.workflowId, r.runId).fetchHistory();
    const json = JSON.parse(historyToJSON(events)) as { events: Record<string, unknown>[] };
    expect((await maestro('verify', file('inst.json', r), '--keys', keysFile, '--history', file('h-ok.json', json))).code).toBe(0);
    const edited = structuredClone(json);
    const started = edited.events[0]!.workflowExecutionStartedEventAttributes as { identity?: string };
    started.identity = `${started.identity ?? ''}-edited`;
    failed(await maestro('verify', file('inst2.json', r), '--keys', keysFile, '--history', file('h-edited.json', edited)), 'history');
    const other = receipts.publish;
    const otherEvents = JSON.parse(historyToJSON(await s.client.workflow.getHandle(other.workflowId, other.runId).fetchHistory())) as unknown;
    failed(await maestro('verify', file('inst3.json', r), '--keys', keysFile, '--history', file('h-other.json', otherEvents)), 'history');
  });

  it('a replaced subject digest: in the receipt shown (subject), in the signed payload (signature), or expected otherwise (subject)', async () => {
    const view = structuredClone(receipts.uninstall);
    view.subject.digest = contentDigest({ replaced: true });
    failed(await maestro('verify', file('subj1.json', view), '--keys', keysFile), 'subject');

    const bundle = structuredClone(receipts.uninstall.bundle);
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as { subject: { digest: { sha256: string } }[] };
    statement.subject[0]!.digest.sha256 = contentDigest({ replaced: true }).slice(7);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    failed(await maestro('verify', file('subj2.json', bundle), '--keys', keysFile), 'signature');

    failed(await maestro('verify', file('subj3.json', receipts.uninstall), '--keys', keysFile, '--expect-digest', contentDigest({ other: 1 })), 'subject');
  });

  it('a receipt body changed after signing (statement)', async () => {
    const view = structuredClone(receipts.curate);
    view.decisions = [{ actor: { sub: 'mallory', tenant: 'acme' }, decision: 'approve', at: view.createdAt }];
    failed(await maestro('verify', file('body.json', view), '--keys', keysFile), 'statement');
  });
});

describe('key rotation', () => {
  it('keeps old receipts and signatures verifying with the retired keys', async () => {
    const rotated = await call<SigningKeyView>(s, 'root', 'POST', '/trust/keys/rotate', { owner: 'platform' });
    expect(rotated.status).toBe(200);
    await call(s, 'root', 'POST', '/trust/keys/rotate', { owner: 'publisher:acme' });
    await writeKeys();
    const keys = await publicKeys();
    expect(keys.find((k) => k.keyId === receipts.publish.keyId)).toMatchObject({ status: 'retired' });
    for (const lifecycle of ['publish', 'curate'] as const) {
      expect((await maestro('verify', file(`rot-${lifecycle}.json`, receipts[lifecycle]), '--keys', keysFile, ...temporal())).code).toBe(0);
    }
    const sig = await call(s, 'carol', 'GET', `/definitions/${template.id}/versions/1.0.0/signature`);
    expect((await maestro('verify', file('rot-sig.json', sig.body), '--keys', keysFile, '--expect-digest', template.digest)).code).toBe(0);
  });
});

describe('usage', () => {
  it('needs keys, one file, and checks its options (exit 2)', async () => {
    const f = file('u.json', receipts.publish);
    expect((await maestro('verify', f)).code).toBe(2);
    expect((await maestro('verify', f, '--keys', keysFile, '--expect-digest', 'md5:abc')).code).toBe(2);
    expect((await maestro('verify', f, '--keys', keysFile, '--namespace', 'x')).code).toBe(2);
    expect((await maestro('verify', path.join(dir, 'nope.json'), '--keys', keysFile)).code).toBe(2);
    expect((await maestro('validate', 'examples/workflows/hr-onboarding.yaml', '--keys', keysFile)).code).toBe(2);
    const garbage = await maestro('verify', file('garbage.json', '[1,2,3]'), '--keys', keysFile);
    expect(garbage.code).toBe(1);
    expect(garbage.stdout).toContain('bundle check failed');
    // trust roots over plain http only from this machine
    const remote = await maestro('verify', f, '--keys', 'http://keys.example.net/api/trust/keys');
    expect(remote.code).toBe(2);
    expect(remote.stderr + remote.stdout).toContain('refusing keys over plain http from keys.example.net');
  });

  it('refuses a key URL that answers endlessly (exit 2), reading no more than 8 MiB', async () => {
    const { createServer } = await import('node:http');
    let sent = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 64 * 1024 * 1024) res.once('drain', pump);
        else res.end();
      };
      res.on('close', () => (sent = Infinity));
      pump();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await maestro('verify', file('u2.json', receipts.publish), '--keys', `http://127.0.0.1:${port}/keys`);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('more than 8388608 bytes');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
