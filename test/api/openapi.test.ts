import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { PERMISSIONS, type Permission } from '../../domain/access.ts';

// The OpenAPI document tells the truth: what the edge answers is declared too, undeclared
// methods are 405, public operations need no token, the SSE stream and "spec or source" are
// expressed in the schema. (Schema fuzzing against it: test/api/schema-fuzz.test.ts.)

interface Operation {
  security?: unknown[];
  description?: string;
  'x-permission'?: string;
  requestBody?: { content: Record<string, { schema: { oneOf?: { required: string[]; additionalProperties: boolean }[] } }> };
  parameters?: unknown[];
  responses: Record<string, { content?: Record<string, Record<string, unknown>> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Record<string, unknown>> } };

let s: Stack;
let doc: Doc;
beforeAll(async () => {
  s = await openStack({ worker: false });
  doc = (await (await s.request('GET', '/api/openapi.json')).json()) as Doc;
});
afterAll(async () => s?.close());

const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

async function expectShape(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { code: string; message: string; requestId: string };
  expect(body).toMatchObject({ code, requestId: res.headers.get('x-request-id') });
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}

describe('the OpenAPI document', () => {
  it('an undeclared method on a declared path answers 405 with Allow; an unknown path 404', async () => {
    const put = await s.request('PUT', '/api/runs', { user: 'alice', body: '{}' });
    await expectShape(put, 405, 'METHOD_NOT_ALLOWED');
    expect(put.headers.get('allow')).toBe('GET, HEAD');

    const del = await s.request('DELETE', '/api/definitions/acme.some-flow', { user: 'alice' });
    await expectShape(del, 405, 'METHOD_NOT_ALLOWED');
    expect(del.headers.get('allow')).toBe('GET, HEAD');

    const patch = await s.request('PATCH', '/api/secrets/token', { user: 'alice', body: '{}' });
    await expectShape(patch, 405, 'METHOD_NOT_ALLOWED');
    expect(patch.headers.get('allow')).toBe('DELETE, PUT');

    // a literal path is not its template's: GET /catalog/health-rollups is not GET /catalog/{id}
    const rollups = await s.request('GET', '/api/catalog/health-rollups', { user: 'alice' });
    await expectShape(rollups, 405, 'METHOD_NOT_ALLOWED');
    expect(rollups.headers.get('allow')).toBe('POST');
    expect((await s.request('PUT', '/api/catalog/reindex', { user: 'alice', body: '{}' })).headers.get('allow')).toBe('GET, HEAD, POST');

    // public paths need no token to learn it
    const health = await s.request('POST', '/api/health');
    await expectShape(health, 405, 'METHOD_NOT_ALLOWED');
    expect(health.headers.get('allow')).toBe('GET, HEAD');
    expect((await s.request('DELETE', '/api/openapi.json')).headers.get('allow')).toBe('GET, HEAD');

    await expectShape(await s.request('GET', '/api/nowhere', { user: 'alice' }), 404, 'ROUTE_NOT_FOUND');
    await expectShape(await s.request('GET', '/api/runs/a/b/c', { user: 'alice' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('declares what the edge answers: 401 unless public (then security: []), 400/413/422 with a body, 500', () => {
    const PUBLIC = new Set(['get /health', 'get /auth/config', 'get /dev/users', 'post /dev/login', 'get /trust/keys']);
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      const codes = Object.keys(op.responses);
      if (PUBLIC.has(where)) {
        expect(op.security, where).toEqual([]);
        expect(codes, where).not.toContain('401');
      } else {
        expect(op.security, where).toBeUndefined(); // the document's default: bearer
        expect(codes, where).toContain('401');
      }
      if (op.requestBody) expect(codes, where).toEqual(expect.arrayContaining(['400', '413', '422']));
      if (op.parameters?.length) expect(codes, where).toContain('422');
      expect(codes, where).toContain('500');
      for (const code of codes.filter((c) => ['400', '401', '413', '422', '500'].includes(c))) {
        expect(op.responses[code]!.content?.['application/json'], `${where} ${code}`).toEqual({ schema: { $ref: '#/components/schemas/Error' } });
      }
    }
    // dev login exists only in explicit dev mode (this stack is not): its routes are not declared
    expect(operations().filter(({ op }) => op.security?.length === 0).map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      [...PUBLIC].filter((p) => !p.includes('/dev/')).sort(),
    );
  });

  it('every authenticated operation declares the permission it is guarded by (api/permissions.ts guarded)', () => {
    const authenticated = operations().filter(({ op }) => op.security === undefined);
    expect(authenticated.length).toBeGreaterThan(30);
    const used = new Set<string>();
    for (const { path, method, op } of authenticated) {
      const where = `${method} ${path}`;
      const permission = op['x-permission'];
      expect(permission, `${where} declares no x-permission`).toBeDefined();
      expect(Object.keys(PERMISSIONS), where).toContain(permission);
      used.add(permission!);
      expect(op.description, where).toContain(`Permission \`${permission}\``);
      // a permission that not every caller holds may be refused: 403 is declared
      if (PERMISSIONS[permission as Permission] !== 'any') expect(Object.keys(op.responses), where).toContain('403');
    }
    // the marketplace's routes are among them, with their own permissions
    expect(doc.paths['/templates/{id}/audience']!.put!['x-permission']).toBe('template.curate');
    expect(doc.paths['/templates']!.get!['x-permission']).toBe('template.read');
    expect(used.size).toBeGreaterThan(10);
    // public operations are not guarded
    for (const { op } of operations().filter(({ op }) => op.security?.length === 0)) expect(op['x-permission']).toBeUndefined();
  });

  it('the edge answers what it declares', async () => {
    const malformed = await s.request('POST', '/api/definitions/acme.some-flow/runs', { user: 'alice', body: '{"params": ' });
    await expectShape(malformed, 400, 'MALFORMED_JSON');
    const big = await s.request('POST', '/api/specs/validate', { user: 'alice', body: JSON.stringify({ source: 'x'.repeat(1024 * 1024) }) });
    await expectShape(big, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('declares the run events as text/event-stream with the schema of an event', () => {
    const ok = doc.paths['/runs/{runId}/events']!.get!.responses['200']!;
    expect(Object.keys(ok.content!)).toEqual(['text/event-stream']);
    // OpenAPI 3.1 has no itemSchema (3.2): the schema of an event stream describes one event
    expect(ok.content!['text/event-stream']!.schema).toEqual({ $ref: '#/components/schemas/RunStateEvent' });
    expect(doc.components.schemas.RunStateEvent).toMatchObject({
      required: ['event', 'data'],
      properties: { event: { enum: ['state'] }, data: { contentMediaType: 'application/json', contentSchema: { $ref: '#/components/schemas/RunState' } } },
    });
    expect(doc.components.schemas).toHaveProperty('RunState');
  });

  it('"spec or source" is a oneOf of two closed objects, and validation says which field is wrong', async () => {
    for (const [path, field] of [['/definitions', 'spec'], ['/specs/validate', 'spec'], ['/adapters', 'manifest']] as const) {
      const schema = doc.paths[path]!.post!.requestBody!.content['application/json']!.schema;
      expect(schema.oneOf?.map((o) => [o.required, o.additionalProperties]), path).toEqual([
        [[field], false],
        [['source'], false],
      ]);
    }
    // a document that must be valid declares its JSON Schema (domain/schemas/); one sent to /specs/validate is any object
    const documentSchema = (path: string, field: string) =>
      (doc.paths[path]!.post!.requestBody!.content['application/json']!.schema.oneOf![0] as unknown as { properties: Record<string, { allOf?: unknown }> }).properties[field]!.allOf;
    expect(documentSchema('/definitions', 'spec')).toEqual([{ $ref: '#/components/schemas/WorkflowSpec' }]);
    expect(documentSchema('/adapters', 'manifest')).toEqual([{ $ref: '#/components/schemas/TaskManifest' }]);
    expect(documentSchema('/specs/validate', 'spec')).toBeUndefined();
    expect(doc.components.schemas.WorkflowSpec_metadata).toMatchObject({ properties: { version: { pattern: expect.any(String) } } });

    const post = (body: unknown) => s.request('POST', '/api/definitions', { user: 'alice', body: JSON.stringify(body) });
    const neither = await expectShape(await post({}), 422, 'VALIDATION_FAILED');
    expect(neither).toMatchObject({ details: [{ path: '', message: 'send either "spec" (an object) or "source" (YAML or JSON text)' }] });
    const both = await expectShape(await post({ spec: testSpec(), source: 'kind: Workflow' }), 422, 'VALIDATION_FAILED');
    expect(both).toMatchObject({ details: [{ path: '', message: 'send either "spec" (an object) or "source" (YAML or JSON text)' }] });
    const notObject = await expectShape(await post({ spec: 'kind: Workflow' }), 422, 'VALIDATION_FAILED');
    expect(notObject).toMatchObject({ details: [{ path: '/spec' }] });
    const longSource = await expectShape(await post({ source: 'x'.repeat(600 * 1024) }), 422, 'VALIDATION_FAILED');
    expect(longSource).toMatchObject({ details: [{ path: '/source' }] });
  });
});
