import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

async function rowCounts() {
  const [r] = await s.sql`
    select (select count(*) from workflow_definition)::int as definitions,
           (select count(*) from workflow_version)::int as versions,
           (select count(*) from publish_request)::int as requests,
           (select count(*) from approval)::int as approvals`;
  return r;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
  expect(body.code).toBe(code);
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|node_modules|postgres:\/\//); // no internals
  return body;
}

describe('bad input gets the one error shape, and writes nothing', () => {
  it('each kind of bad input', async () => {
    const before = await rowCounts();

    await expectError(await s.request('POST', '/api/definitions', { user: 'alice', body: '{"spec": ' }), 400, 'MALFORMED_JSON');

    const unknown = await expectError(
      await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ spec: testSpec(), surprise: 1 }) }),
      422,
      'VALIDATION_FAILED',
    );
    expect(unknown.details).toEqual([{ path: '/surprise', message: 'unknown field "surprise"' }]);

    const spec = testSpec();
    const nested = await expectError(
      await s.request('POST', '/api/definitions', {
        user: 'alice',
        body: JSON.stringify({ spec: { ...spec, metadata: { ...spec.metadata, version: 'one', risk: 'extreme' }, steps: [] } }),
      }),
      422,
      'SPEC_INVALID',
    );
    expect(nested.details?.map((d) => d.path).sort()).toEqual(['/spec/metadata/risk', '/spec/metadata/version', '/spec/steps']);

    const { metadata: _dropped, ...noMetadata } = spec;
    const missing = await expectError(
      await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ spec: noMetadata }) }),
      422,
      'SPEC_INVALID',
    );
    expect(missing.details?.[0]?.path).toBe('/spec/metadata');

    const dup = { ...spec, steps: [spec.steps[0], spec.steps[0]] };
    const dupBody = await expectError(await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ spec: dup }) }), 422, 'SPEC_INVALID');
    expect(dupBody.details).toEqual([{ path: '/spec/steps/1/id', code: 'DUPLICATE_STEP_ID', message: 'duplicate step id "shape"' }]);

    const yaml = await expectError(
      await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ source: 'apiVersion: maestro.dev/v1\nkind: Workflow\nmetadata: [unclosed' }) }),
      422,
      'SOURCE_UNPARSABLE',
    );
    expect(yaml.details?.[0]).toMatchObject({ path: '/source', line: 3 });

    await expectError(await s.request('POST', '/api/definitions/acme.nope/publish-requests', { user: 'alice', body: '{"version":"1.0"}' }), 422, 'VALIDATION_FAILED');
    await expectError(await s.request('POST', '/api/definitions/NOT AN ID/publish-requests', { user: 'alice', body: '{"version":"1.0.0"}' }), 422, 'VALIDATION_FAILED');
    await expectError(await s.request('POST', '/api/definitions/acme.nope/publish-requests', { user: 'alice', body: '{"version":"1.0.0"}' }), 404, 'VERSION_NOT_FOUND');
    await expectError(await s.request('GET', '/api/catalog?perPage=1000', { user: 'alice' }), 422, 'VALIDATION_FAILED');
    await expectError(await s.request('GET', '/api/nowhere', { user: 'alice' }), 404, 'ROUTE_NOT_FOUND');
    await expectError(await s.request('GET', '/api/catalog'), 401, 'UNAUTHENTICATED');
    await expectError(await s.request('GET', '/api/catalog', { headers: { authorization: 'Bearer not.a.jwt' } }), 401, 'TOKEN_INVALID');
    await expectError(await s.request('POST', '/api/definitions', { user: 'bob', body: JSON.stringify({ spec: testSpec() }) }), 403, 'ROLE_REQUIRED');
    await expectError(
      await s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify({ spec: testSpec({ description: 'x'.repeat(1_100_000) }) }) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );

    expect(await rowCounts()).toEqual(before);
  });

  it('a token signed with another key is refused', async () => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ tenant: 'acme', roles: ['platform-admin'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('mallory')
      .setIssuer(s.env.oidcIssuer)
      .setAudience('maestro-api')
      .setExpirationTime('1h')
      .sign(privateKey);
    await expectError(await s.request('GET', '/api/me', { headers: { authorization: `Bearer ${forged}` } }), 401, 'TOKEN_INVALID');
  });

  it('health reports each component; openapi and docs are served', async () => {
    const health = await s.request('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      components: { postgres: { status: 'up' }, temporal: { status: 'up' }, typesense: { status: 'up' } },
    });
    const doc = (await (await s.request('GET', '/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/definitions', '/definitions/{id}/publish-requests', '/definitions/{id}/publish-requests/{version}/approvals', '/catalog', '/health']),
    );
    expect(doc.components.schemas).toHaveProperty('Error');
    const docs = await s.request('GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui-bundle.js');
    expect((await s.request('GET', '/api/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});
