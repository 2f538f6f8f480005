import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../support/expect-api-error.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { passReview } from '../review/support.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());


describe('version visibility across tenants', () => {
  it('an older tenant-local version stays private after a newer global version is published', async () => {
    // a publisher: a plain author may not offer a workflow beyond its tenant
    const owner = s.as('pat');
    const carol = s.as('carol');
    const local = testSpec({ description: 'Private heron ledger' });
    const name = local.metadata.name;
    const { body: draft } = await owner.createDraft(local);
    const id = draft.definitionId;
    await owner.requestPublish(id, '1.0.0');
    expect(await owner.waitForPublish(id, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');

    await owner.createDraft(testSpec({ name, version: '1.1.0', scope: 'global', description: 'Shared heron ledger' }));
    await owner.requestPublish(id, '1.1.0');
    expect(await owner.waitForPublish(id, '1.1.0', ['awaiting_approval', 'published'])).toBe('awaiting_approval');
    await s.as('bob').decide(id, '1.1.0', 'approve', 'Shared ledger reviewed for all tenants.');
    expect(await owner.waitForPublish(id, '1.1.0', ['published'])).toBe('published');
    // offered beyond the tenant once the platform review passed
    await passReview(s, id, '1.1.0');

    // the owner still sees both
    const own = await owner.call<{ versions: { version: string }[] }>('GET', `/definitions/${id}`);
    expect(own.body.versions.map((v) => v.version).sort()).toEqual(['1.0.0', '1.1.0']);
    expect((await owner.call('GET', `/definitions/${id}/versions/1.0.0`)).status).toBe(200);

    // another tenant sees only the global one
    const other = await carol.call<{ versions: { version: string }[]; latestVersion: string }>('GET', `/definitions/${id}`);
    expect(other.body.versions.map((v) => v.version)).toEqual(['1.1.0']);
    expect((await carol.call('GET', `/definitions/${id}/versions/1.1.0`)).status).toBe(200);
    await expectApiError(carol.call('GET', `/definitions/${id}/versions/1.0.0`), 404, 'VERSION_NOT_FOUND');

    // the marketplace offers it only that version to install
    const template = await carol.call<{ versions: { version: string; visibility: string }[]; latestVersion: string }>('GET', `/templates/${id}`);
    expect(template.body.latestVersion).toBe('1.1.0');
    expect(template.body.versions.map((v) => [v.version, v.visibility])).toEqual([['1.1.0', 'public-ecosystem']]);

    // it runs neither directly (another tenant's workflow runs from an instance), and the
    // refusal is the same for both: nothing says the private version exists
    for (const version of ['1.0.0', '1.1.0']) {
      await expectApiError(carol.call('POST', `/definitions/${id}/runs`, { version, params: { email: 'c@globex.test' } }), 403, 'INSTALL_REQUIRED');
    }
  });
});
