import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretRef } from '../../platform/secrets.ts';
import { adapterContext, failureOf, openAdapters, uniqueName } from './support/adapters.ts';
import { startFixture, type Fixture } from './support/fixture-server.ts';

let a: Awaited<ReturnType<typeof openAdapters>>;
let fx: Fixture;
beforeAll(async () => {
  a = await openAdapters();
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
  await a?.close();
});

const notify = (inputs: Record<string, unknown>, context = adapterContext()) => a.run('notify.webhook@1.0.0', inputs, context);

/** What a receiver does: HMAC-SHA256 of the raw body with the shared secret, compared in constant time. */
function verify(secret: string, rawBody: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('notify.webhook', () => {
  it('posts { message, channel, payload } as JSON with the step’s Idempotency-Key and a verifiable signature', async () => {
    const name = uniqueName('hook-signing');
    const signing = `whsec_${uniqueName('k')}`;
    await a.secrets.put('acme', name, signing);
    const context = adapterContext('acme', 'announce');
    const out = await notify({ url: `${fx.url}/hook`, message: 'Laptop shipped', channel: '#it', payload: { ticket: 42 }, signingSecret: secretRef('acme', name) }, context);
    expect(out).toEqual({ delivered: true, status: 200 });
    const req = fx.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe(context.idempotencyKey);
    expect(JSON.parse(req.body)).toEqual({ message: 'Laptop shipped', channel: '#it', payload: { ticket: 42 } });
    expect(verify(signing, req.body, req.headers['x-maestro-signature'] as string)).toBe(true);
    expect(verify('another-secret', req.body, req.headers['x-maestro-signature'] as string)).toBe(false);
  });

  it('sends no signature without a signing secret', async () => {
    await notify({ url: `${fx.url}/hook`, message: 'hello' });
    const req = fx.requests.at(-1)!;
    expect(req.headers['x-maestro-signature']).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({ message: 'hello' });
  });

  it('classifies failures like http.request and enforces egress', async () => {
    expect(await failureOf(notify({ url: `${fx.url}/status/400`, message: 'x' }))).toMatchObject({ type: 'HTTP_CLIENT_ERROR', nonRetryable: true });
    expect(await failureOf(notify({ url: `${fx.url}/status/502`, message: 'x' }))).toMatchObject({ type: 'HTTP_SERVER_ERROR', nonRetryable: false });
    const before = fx.connections;
    expect(await failureOf(notify({ url: `${fx.url}/hook`, message: 'x' }, adapterContext('globex')))).toMatchObject({ type: 'EGRESS_DENIED', nonRetryable: true });
    expect(fx.connections).toBe(before);
  });
});
