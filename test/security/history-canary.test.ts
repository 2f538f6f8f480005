import { randomUUID } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { EncryptionCodec } from '../../platform/codec.ts';
import { decodedPayloadText } from '../support/decoded-history.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

describe('secrets never reach Temporal in plaintext', () => {
  it('a canary placed in a spec is absent from the stored histories and the server database file', async () => {
    const canary = `CANARY-${randomUUID()}`;
    const spec = testSpec({
      description: `Test canary ${canary} in the description`,
      extra: { parameters: { type: 'object', properties: { email: { type: 'string' }, apiToken: { type: 'string', default: canary } } } },
    });
    const alice = s.as('alice');
    const { body: draft } = await alice.createDraft(spec);
    await alice.requestPublish(draft.definitionId, '1.0.0');
    await alice.waitForPublish(draft.definitionId, '1.0.0', ['published']);

    const histories = await Promise.all(
      [`draft/${draft.definitionId}/1.0.0`, `publish/${draft.definitionId}/1.0.0`].map(async (id) =>
        historyToJSON(await s.client.workflow.getHandle(id).fetchHistory()),
      ),
    );
    for (const h of histories) expect(h).not.toContain(canary);
    expect(histories.join('')).not.toContain(Buffer.from(canary).toString('base64').slice(0, 40));

    // the check can fail: decrypted with the key, the draft's history does carry the canary
    const decoded = await decodedPayloadText(histories[0]!, EncryptionCodec.fromSpec(s.env.codecKeys));
    expect(decoded).toContain(canary);

    const dbFiles = [s.env.temporalDbFile, `${s.env.temporalDbFile}-wal`].filter((f) => existsSync(f));
    expect(dbFiles.length).toBeGreaterThan(0);
    for (const f of dbFiles) expect(readFileSync(f).includes(Buffer.from(canary))).toBe(false);
  });

  it('error messages in failures are encrypted too', async () => {
    // a version that does not exist fails the publish workflow with a not_found failure
    const handle = await s.client.workflow.start('publishWorkflow', {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: `publish/acme.does-not-exist-${s.suffix}/9.9.9`,
      args: [{ definitionId: `acme.does-not-exist-${s.suffix}`, version: '9.9.9', requestedBy: { sub: 'alice', tenant: 'acme', roles: ['author'] } }],
    });
    await expect(handle.result()).rejects.toThrow();
    const raw = historyToJSON(await handle.fetchHistory());
    expect(raw).not.toContain('does not exist');
    expect(raw).toContain('Encoded failure');
  });
});

describe('codec server', () => {
  it('decodes what the worker encoded, for the Web UI origin only', async () => {
    const codec = EncryptionCodec.fromSpec(s.env.codecKeys);
    const [enc] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"hello":"operator"}') }]);
    const body = JSON.stringify({
      payloads: [{ metadata: Object.fromEntries(Object.entries(enc!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(enc!.data!).toString('base64') }],
    });
    const res = await s.request('POST', '/codec/decode', { body, headers: { origin: s.config.temporalUiUrl, 'x-namespace': 'default' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(s.config.temporalUiUrl);
    const out = (await res.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(out.payloads[0]!.data, 'base64').toString()).toBe('{"hello":"operator"}');

    const other = await s.request('POST', '/codec/decode', { body, headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const reencoded = await s.request('POST', '/codec/encode', { body: JSON.stringify({ payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('1').toString('base64') }] }) });
    const enc2 = (await reencoded.json()) as { payloads: { metadata: Record<string, string> }[] };
    expect(Buffer.from(enc2.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
  });

  it('wants an operator token when the API listens beyond loopback (test/security/auth.test.ts has the rest)', async () => {
    const exposed = await openStack({ worker: false, envOverrides: { HOST: '0.0.0.0' } });
    try {
      const res = await exposed.request('POST', '/codec/decode', { body: JSON.stringify({ payloads: [] }) });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    } finally {
      await exposed.close();
    }
  });

  it('requires its token when one is configured', async () => {
    const guarded = await openStack({ worker: false, envOverrides: { CODEC_AUTH_TOKEN: 'codec-token-for-tests-0123456789' } });
    try {
      const body = JSON.stringify({ payloads: [] });
      expect((await guarded.request('POST', '/codec/decode', { body })).status).toBe(401);
      const ok = await guarded.request('POST', '/codec/decode', { body, headers: { authorization: 'Bearer codec-token-for-tests-0123456789' } });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
