import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../support/expect-api-error.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());


describe('version visibility across tenants', () => {
  it('an older tenant-local version stays private after a newer global version is published', async () => {
    const alice = s.as('alice');
    const carol = s.as('carol');
    const local = testSpec({ description: 'Private heron ledger' });
    const name = local.metadata.name;
    const { body: draft } = await alice.createDraft(local);
    const id = draft.definitionId;
    await alice.requestPublish(id, '1.0.0');
    expect(await alice.waitForPublish(id, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');

    await alice.createDraft(testSpec({ name, version: '1.1.0', scope: 'global', description: 'Shared heron ledger' }));
    await alice.requestPublish(id, '1.1.0');
    expect(await alice.waitForPublish(id, '1.1.0', ['awaiting_approval', 'published'])).toBe('awaiting_approval');
    await s.as('bob').decide(id, '1.1.0', 'approve', 'Shared ledger reviewed for all tenants.');
    expect(await alice.waitForPublish(id, '1.1.0', ['published'])).toBe('published');

    // the owner still sees both
    const own = await alice.call<{ versions: { version: string }[] }>('GET', `/definitions/${id}`);
    expect(own.body.versions.map((v) => v.version).sort()).toEqual(['1.0.0', '1.1.0']);
    expect((await alice.call('GET', `/definitions/${id}/versions/1.0.0`)).status).toBe(200);

    // another tenant sees only the global one
    const other = await carol.call<{ versions: { version: string }[]; latestVersion: string }>('GET', `/definitions/${id}`);
    expect(other.body.versions.map((v) => v.version)).toEqual(['1.1.0']);
    expect((await carol.call('GET', `/definitions/${id}/versions/1.1.0`)).status).toBe(200);
    await expectApiError(carol.call('GET', `/definitions/${id}/versions/1.0.0`), 404, 'VERSION_NOT_FOUND');

    // and can run only it
    await expectApiError(carol.call('POST', `/definitions/${id}/runs`, { version: '1.0.0', params: { email: 'c@globex.test' } }), 404, 'VERSION_NOT_FOUND');
    const started = await carol.call<{ runId: string }>('POST', `/definitions/${id}/runs`, { params: { email: 'c@globex.test' } });
    expect(started.status).toBe(202);
    const run = await carol.call<{ version: string }>('GET', `/runs/${started.body.runId}`);
    expect(run.body.version).toBe('1.1.0');
  });
});
