import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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
afterEach(() => vi.restoreAllMocks());

const http = (inputs: Record<string, unknown>, context = adapterContext()) => a.run('http.request@1.0.0', inputs, context);

describe('http.request', () => {
  it('calls the endpoint, parses JSON and always sends the Idempotency-Key of the step', async () => {
    const context = adapterContext('acme', 'fetch-user');
    const out = (await http({ url: `${fx.url}/echo`, method: 'POST', body: { hello: 'world' }, headers: { 'x-trace': 'abc' } }, context)) as {
      status: number;
      headers: Record<string, string>;
      body: { method: string; headers: Record<string, string>; body: unknown };
    };
    expect(out.status).toBe(200);
    expect(out.headers['content-type']).toBe('application/json');
    expect(out.body.method).toBe('POST');
    expect(out.body.body).toEqual({ hello: 'world' });
    expect(out.body.headers['content-type']).toBe('application/json');
    expect(out.body.headers['x-trace']).toBe('abc');
    expect(out.body.headers['idempotency-key']).toBe(`${context.workflowId}/fetch-user`);
    expect(fx.callsByKey.get(context.idempotencyKey)).toBe(1);
  });

  it('returns text bodies as text', async () => {
    expect(await http({ url: `${fx.url}/text` })).toMatchObject({ status: 200, body: 'plain words' });
  });

  it('resolves the bearer token from the secret store and never returns it', async () => {
    const name = uniqueName('api-token');
    const token = `tok_${uniqueName('value')}_very-secret`;
    await a.secrets.put('acme', name, token);
    const out = await http({ url: `${fx.url}/echo`, authToken: secretRef('acme', name) });
    // the endpoint received the real token…
    expect(fx.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    // …but the output (recorded in history) shows it redacted
    expect((out as { body: { headers: Record<string, string> } }).body.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(out)).not.toContain(token);
  });

  it('does not resolve secret references in inputs the manifest does not declare as secret', async () => {
    const out = (await http({ url: `${fx.url}/echo`, headers: { 'x-ref': 'secret://acme/whatever' } })) as { body: { headers: Record<string, string> } };
    expect(out.body.headers['x-ref']).toBe('secret://acme/whatever');
  });

  it('refuses a reference to another tenant’s secret (SECRET_FORBIDDEN) and a missing one (SECRET_NOT_FOUND)', async () => {
    const name = uniqueName('globex-token');
    await a.secrets.put('globex', name, 'globex-only-value');
    const before = fx.requests.length;
    const forbidden = await failureOf(http({ url: `${fx.url}/echo`, authToken: secretRef('globex', name) }, adapterContext('acme')));
    expect(forbidden).toMatchObject({ type: 'SECRET_FORBIDDEN', nonRetryable: true });
    expect(forbidden.message).toContain('tenant "acme"');
    expect(forbidden.message).not.toContain('globex-only-value');
    const missing = await failureOf(http({ url: `${fx.url}/echo`, authToken: secretRef('acme', uniqueName('nope')) }));
    expect(missing).toMatchObject({ type: 'SECRET_NOT_FOUND', nonRetryable: true });
    const literal = await failureOf(http({ url: `${fx.url}/echo`, authToken: 'a-literal-token-value' }));
    expect(literal).toMatchObject({ type: 'SECRET_REFERENCE_INVALID', nonRetryable: true });
    expect(literal.message).not.toContain('a-literal-token-value');
    expect(fx.requests.length).toBe(before);
  });

  it('fails a 4xx as HTTP_CLIENT_ERROR (not retryable) and scrubs secrets from the message', async () => {
    const f = await failureOf(http({ url: `${fx.url}/status/404` }));
    expect(f).toMatchObject({ type: 'HTTP_CLIENT_ERROR', nonRetryable: true });
    expect(f.message).toContain('answered 404');
    // an endpoint that echoes the credential into its error body: the failure (recorded in history) is scrubbed
    const name = uniqueName('echoed');
    await a.secrets.put('acme', name, 'echoed-secret-value');
    const echoed = await failureOf(http({ url: `${fx.url}/status/401?echoAuth`, authToken: secretRef('acme', name) }));
    expect(echoed).toMatchObject({ type: 'HTTP_CLIENT_ERROR', nonRetryable: true });
    expect(echoed.message).toContain('Bearer [redacted]');
    expect(echoed.message).not.toContain('echoed-secret-value');
  });

  it('keeps 5xx, 408 and 429 retryable, honouring Retry-After', async () => {
    expect(await failureOf(http({ url: `${fx.url}/status/503` }))).toMatchObject({ type: 'HTTP_SERVER_ERROR', nonRetryable: false });
    expect(await failureOf(http({ url: `${fx.url}/status/408` }))).toMatchObject({ type: 'HTTP_TIMEOUT', nonRetryable: false });
    const throttled = await failureOf(http({ url: `${fx.url}/status/429?retryAfter=3` }));
    expect(throttled).toMatchObject({ type: 'HTTP_THROTTLED', nonRetryable: false, nextRetryDelay: 3000 });
  });

  it('treats a refused connection and a timeout as retryable', async () => {
    const closed = await startFixture();
    await closed.close();
    expect(await failureOf(http({ url: `${closed.url}/echo` }))).toMatchObject({ type: 'HTTP_NETWORK_ERROR', nonRetryable: false });
    expect(await failureOf(http({ url: `${fx.url}/slow/2000`, timeoutMs: 150 }))).toMatchObject({ type: 'HTTP_TIMEOUT', nonRetryable: false });
  });

  it('checks the status against expectStatus', async () => {
    expect(await http({ url: `${fx.url}/status/404`, expectStatus: [404] })).toMatchObject({ status: 404, body: { error: 'fixture status 404' } });
    expect(await failureOf(http({ url: `${fx.url}/echo`, expectStatus: [201] }))).toMatchObject({ type: 'HTTP_UNEXPECTED_STATUS', nonRetryable: true });
  });

  it('rejects inputs that do not match the manifest’s input schema', async () => {
    const f = await failureOf(http({ url: `${fx.url}/echo`, method: 'TRACE' }));
    expect(f).toMatchObject({ type: 'INPUT_INVALID', nonRetryable: true });
    expect(f.message).toContain('/inputs/method must be one of: GET, POST, PUT, PATCH, DELETE');
    const creds = await failureOf(http({ url: `http://user:hunter2@127.0.0.1:${fx.port}/echo` }));
    expect(creds).toMatchObject({ type: 'URL_INVALID', nonRetryable: true });
    expect(creds.message).not.toContain('hunter2');
    expect(await failureOf(http({ url: 'ftp://127.0.0.1/file' }))).toMatchObject({ type: 'URL_INVALID', nonRetryable: true });
  });
});

describe('http.request egress', () => {
  it('denies a host outside the tenant allow-list before any connection, naming host, tenant and list', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const f = await failureOf(http({ url: 'http://blocked.invalid/' }, adapterContext('acme')));
    expect(f).toMatchObject({ type: 'EGRESS_DENIED', nonRetryable: true });
    expect(f.message).toBe(
      'egress to host "blocked.invalid" denied for tenant "acme": host "blocked.invalid" is not allowed by the egress allow-list of tenant "acme" [*.example.internal, localhost, 127.0.0.1]',
    );
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('denies a reachable endpoint for a tenant whose list does not include it: the server sees no connection', async () => {
    const before = fx.connections;
    const f = await failureOf(http({ url: `${fx.url}/echo` }, adapterContext('globex')));
    expect(f).toMatchObject({ type: 'EGRESS_DENIED', nonRetryable: true });
    expect(f.message).toContain('tenant "globex"');
    expect(fx.connections).toBe(before);
  });

  it('checks every redirect target: a redirect to a denied host fails without connecting to it', async () => {
    const other = await startFixture('127.0.0.2'); // loopback, but not on acme's list
    try {
      const f = await failureOf(http({ url: `${fx.url}/redirect?to=${encodeURIComponent(`${other.url}/echo`)}` }));
      expect(f).toMatchObject({ type: 'EGRESS_DENIED', nonRetryable: true });
      expect(f.message).toContain('host "127.0.0.2"');
      expect(other.connections).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('follows an allowed redirect, dropping Authorization when the origin changes', async () => {
    const name = uniqueName('redirect-token');
    await a.secrets.put('acme', name, 'redirect-secret-value');
    const sameOrigin = (await http({ url: `${fx.url}/redirect?to=/echo`, authToken: secretRef('acme', name) })) as { status: number; body: { path: string } };
    expect(sameOrigin).toMatchObject({ status: 200, body: { path: '/echo' } });
    expect(fx.requests.at(-1)!.headers.authorization).toBe('Bearer redirect-secret-value');
    const otherOrigin = `http://localhost:${fx.port}/echo`;
    await http({ url: `${fx.url}/redirect?to=${encodeURIComponent(otherOrigin)}`, authToken: secretRef('acme', name) });
    expect(fx.requests.at(-1)!.headers.authorization).toBeUndefined();
  });
});
