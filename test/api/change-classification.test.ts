import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../platform/api-client.ts';
import { expectApiError } from '../support/expect-api-error.ts';
import { openStack, testSpec, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

/** testSpec with parameters of our choosing. */
const spec = (name: string | undefined, version: string, properties: Record<string, unknown>, extra: { scope?: string; changelog?: string } = {}) =>
  testSpec({
    ...(name ? { name } : {}),
    version,
    ...extra,
    extra: {
      parameters: { type: 'object', properties },
      steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }],
    },
  });

async function publish(id: string, version: string) {
  const pat = s.as('pat');
  await pat.requestPublish(id, version);
  const first = await pat.waitForPublish(id, version, ['awaiting_approval', 'published', 'denied', 'invalid']);
  if (first === 'awaiting_approval') await s.as('bob').decide(id, version, 'approve', 'Reviewed.');
  return pat.waitForPublish(id, version, ['published', 'rejected', 'denied', 'invalid']);
}

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return { status: (err as ApiError).status, body: (err as ApiError).body as { code: string; message: string; details: { path: string; code: string; message: string }[] } };
};

describe('change classification at publish', () => {
  it('refuses a number that disagrees with the computed kind, records the kind of what is published, and compares versions', async () => {
    const pat = s.as('pat');
    const v1 = spec(undefined, '1.0.0', { email: { type: 'string' }, count: { type: 'integer' } });
    const name = v1.metadata.name;
    const { body: draft } = await pat.createDraft(v1);
    const id = draft.definitionId;
    expect(await publish(id, '1.0.0')).toBe('published');

    // removing a parameter in a minor version: refused with the reasons, before any lifecycle starts
    const breaking = spec(name, '1.1.0', { email: { type: 'string' } });
    const refused = await refusal(pat.createDraft(breaking));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('VERSION_BUMP_MISMATCH');
    expect(refused.body.message).toBe('1.1.0: a breaking change from 1.0.0 needs a new major version: at least 2.0.0, not 1.1.0');
    expect(refused.body.details).toEqual([
      { path: '/spec/metadata/version', code: 'VERSION_BUMP_MISMATCH', message: expect.stringMatching(/at least 2\.0\.0, not 1\.1\.0/) },
      { path: '/spec/parameters/properties/count', code: 'parameter-removed', message: expect.stringMatching(/^breaking: parameter "count" removed/) },
      { path: '/spec/metadata/changelog', code: 'docs', message: 'patch: changelog changed' },
    ]);
    expect((await pat.call<{ versions: unknown[] }>('GET', `/definitions/${id}`)).body.versions).toHaveLength(1);

    // the validation endpoint says the same, and what changed
    const validated = await pat.call<{ valid: boolean; errors: { code: string }[]; change: { kind: string; from: string } }>('POST', '/specs/validate', { spec: breaking });
    expect(validated.body.valid).toBe(false);
    expect(validated.body.errors.map((e) => e.code)).toEqual(['VERSION_BUMP_MISMATCH', 'parameter-removed', 'docs']);
    expect(validated.body.change).toMatchObject({ kind: 'breaking', from: '1.0.0' });

    // as 2.0.0 it is accepted and published with its kind and reasons
    await pat.createDraft(spec(name, '2.0.0', { email: { type: 'string' } }));
    expect(await publish(id, '2.0.0')).toBe('published');
    // a new optional parameter is non-breaking: 2.1.0
    await pat.createDraft(spec(name, '2.1.0', { email: { type: 'string' }, note: { type: 'string' } }));
    expect(await publish(id, '2.1.0')).toBe('published');

    type V = { version: string; changeKind?: string; changeFrom?: string; changeReasons?: { rule: string; kind: string; pointer: string }[] };
    const { body: def } = await pat.call<{ versions: V[] }>('GET', `/definitions/${id}`);
    const by = Object.fromEntries(def.versions.map((v) => [v.version, v]));
    expect(by['1.0.0']).toMatchObject({ changeKind: 'initial', changeReasons: [] });
    expect(by['1.0.0']!.changeFrom).toBeUndefined();
    expect(by['2.0.0']).toMatchObject({ changeKind: 'breaking', changeFrom: '1.0.0' });
    expect(by['2.0.0']!.changeReasons!.map((r) => r.rule)).toEqual(['parameter-removed', 'docs']);
    expect(by['2.1.0']).toMatchObject({ changeKind: 'non-breaking', changeFrom: '2.0.0' });

    // the catalog detail lists the same
    const { body: detail } = await pat.call<{ versions: V[] }>('GET', `/catalog/${id}`);
    expect(detail.versions.find((v) => v.version === '2.0.0')).toMatchObject({ changeKind: 'breaking', changeFrom: '1.0.0' });

    // any two visible versions compare
    const { body: changes } = await pat.call<{ kind: string; from: string; reasons: { rule: string }[] }>('GET', `/definitions/${id}/changes?from=1.0.0&to=2.1.0`);
    expect(changes.kind).toBe('breaking');
    expect(changes.from).toBe('1.0.0');
    expect(changes.reasons.map((r) => r.rule)).toEqual(['parameter-removed', 'parameter-added', 'docs']);
    await expectApiError(pat.call('GET', `/definitions/${id}/changes?from=1.0.0&to=9.0.0`), 404, 'VERSION_NOT_FOUND');
    await expectApiError(pat.call('GET', `/definitions/${id}/changes?from=one&to=2.0.0`), 422, 'VALIDATION_FAILED');
    // another tenant sees none of this tenant-local workflow's versions
    await expectApiError(s.as('carol').call('GET', `/definitions/${id}/changes?from=1.0.0&to=2.0.0`), 404, 'VERSION_NOT_FOUND');
  });

  it('requires a changelog at the publish request', async () => {
    const pat = s.as('pat');
    const { body: draft } = await pat.createDraft(spec(undefined, '1.0.0', {}, { changelog: '  ' }));
    const refused = await refusal(pat.requestPublish(draft.definitionId, '1.0.0'));
    expect(refused).toMatchObject({ status: 422, body: { code: 'CHANGELOG_REQUIRED', details: [{ path: '/spec/metadata/changelog', code: 'CHANGELOG_REQUIRED' }] } });
  });

  it('re-checks at publish: a version published below a draft since it was made can make its number disagree', async () => {
    const pat = s.as('pat');
    // 1.0.1 is drafted first (nothing published: initial), then 1.0.0 with a parameter 1.0.1 lacks
    const patch = spec(undefined, '1.0.1', {});
    const name = patch.metadata.name;
    const { body: draft } = await pat.createDraft(patch);
    const id = draft.definitionId;
    await pat.createDraft(spec(name, '1.0.0', { email: { type: 'string' } }));
    expect(await publish(id, '1.0.0')).toBe('published');
    expect(await publish(id, '1.0.1')).toBe('invalid');
    const { body: state } = await pat.publishState(id, '1.0.1');
    expect(state.error).toMatchObject({ code: 'VERSION_BUMP_MISMATCH', message: expect.stringMatching(/breaking change from 1\.0\.0/) });
  });

  it('re-checks at the end of review: the publish ends invalid, not failed', async () => {
    const pat = s.as('pat');
    // a global 1.0.1 waits for review; meanwhile a tenant-local 1.0.0 (no review) is published below it
    const reviewed = spec(undefined, '1.0.1', {}, { scope: 'global' });
    const name = reviewed.metadata.name;
    const { body: draft } = await pat.createDraft(reviewed);
    const id = draft.definitionId;
    await pat.requestPublish(id, '1.0.1');
    expect(await pat.waitForPublish(id, '1.0.1', ['awaiting_approval', 'published', 'invalid'])).toBe('awaiting_approval');
    await pat.createDraft(spec(name, '1.0.0', { email: { type: 'string' } }));
    await pat.requestPublish(id, '1.0.0');
    expect(await pat.waitForPublish(id, '1.0.0', ['published', 'awaiting_approval', 'invalid'])).toBe('published');
    await s.as('bob').decide(id, '1.0.1', 'approve', 'Reviewed.');
    expect(await pat.waitForPublish(id, '1.0.1', ['published', 'invalid'])).toBe('invalid');
    expect((await pat.publishState(id, '1.0.1')).body.error?.code).toBe('VERSION_BUMP_MISMATCH');
    const { body: def } = await pat.call<{ versions: { version: string; status: string }[] }>('GET', `/definitions/${id}`);
    expect(def.versions.find((v) => v.version === '1.0.1')?.status).not.toBe('published');
  });
});
