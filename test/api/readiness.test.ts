import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../support/expect-api-error.ts';
import { passReview } from '../review/support.ts';
import { openStack, testSpec, type DemoUser, type Stack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

interface Readiness {
  definitionId: string;
  version: string;
  ready: boolean;
  secrets: { name: string; description?: string; ref: string; present: boolean }[];
}

/** secret names are per tenant and shared across the test run's database: unique per call */
const secretName = (label: string) => `${label}_${randomUUID().slice(0, 8)}`;

/** A spec whose one HTTP step uses every secret it declares. */
const specWithSecrets = (secrets: { name: string; description?: string }[], overrides: Parameters<typeof testSpec>[0] = {}) =>
  testSpec({
    ...overrides,
    extra: {
      secrets,
      steps: secrets.map((sec, i) => ({
        id: `call${i}`,
        task: 'http.request@1.0.0',
        with: { url: 'https://hris.example.internal/accounts', method: 'POST', authToken: `\${{ secrets.${sec.name} }}` },
      })),
    },
  });

async function publish(spec: ReturnType<typeof testSpec>, author: DemoUser = 'alice'): Promise<string> {
  const api = s.as(author);
  const { body: draft } = await api.createDraft(spec);
  await api.requestPublish(draft.definitionId, spec.metadata.version);
  const first = await api.waitForPublish(draft.definitionId, spec.metadata.version, ['published', 'awaiting_approval', 'denied', 'invalid']);
  if (first === 'awaiting_approval') {
    await s.as('bob').decide(draft.definitionId, spec.metadata.version, 'approve', 'Readiness test: reviewed.');
    expect(await api.waitForPublish(draft.definitionId, spec.metadata.version, ['published', 'rejected'])).toBe('published');
  } else {
    expect(first).toBe('published');
  }
  // a global entry reaches other tenants once its marketplace review passed
  if (spec.metadata.scope === 'global') await passReview(s, draft.definitionId, spec.metadata.version);
  return draft.definitionId;
}

const readiness = (user: DemoUser, id: string, version?: string) =>
  s.as(user).call<Readiness>('GET', `/definitions/${id}/readiness${version ? `?version=${version}` : ''}`);

const putSecret = async (user: DemoUser, name: string) => {
  const res = await s.request('PUT', `/api/secrets/${name}`, { user, body: JSON.stringify({ value: `v-${randomUUID()}` }) });
  expect(res.status).toBe(204);
};

describe('GET /definitions/{id}/readiness', () => {
  it("names each declared secret with the caller's reference and whether the tenant has it", async () => {
    const [token, key] = [secretName('hris_token'), secretName('billing_key')];
    const id = await publish(specWithSecrets([{ name: token, description: 'API token of the HRIS' }, { name: key }]));

    const none = await readiness('alice', id);
    expect(none.body).toEqual({
      definitionId: id,
      version: '1.0.0',
      ready: false,
      secrets: [
        { name: token, description: 'API token of the HRIS', ref: `secret://acme/${token}`, present: false },
        { name: key, ref: `secret://acme/${key}`, present: false },
      ],
    });

    // the same name in another tenant's store does not count
    await putSecret('gus', token);
    expect((await readiness('alice', id)).body.secrets.map((x) => x.present)).toEqual([false, false]);

    await putSecret('tina', token);
    const one = await readiness('bob', id, '1.0.0');
    expect(one.body.ready).toBe(false);
    expect(one.body.secrets.map((x) => [x.name, x.present])).toEqual([
      [token, true],
      [key, false],
    ]);

    await putSecret('pat', key);
    expect((await readiness('alice', id)).body).toMatchObject({ ready: true, secrets: [{ present: true }, { present: true }] });

    // deleting one makes it not ready again
    expect((await s.request('DELETE', `/api/secrets/${key}`, { user: 'tina' })).status).toBe(204);
    expect((await readiness('alice', id)).body.ready).toBe(false);
  });

  it('is ready at once for a spec that declares no secrets', async () => {
    const id = await publish(testSpec());
    expect((await readiness('alice', id)).body).toEqual({ definitionId: id, version: '1.0.0', ready: true, secrets: [] });
  });

  it("answers 404 for another tenant's workflow, even one it may see in the catalog", async () => {
    const token = secretName('shared_token');
    const local = await publish(specWithSecrets([{ name: token }]));
    const global = await publish(specWithSecrets([{ name: token }], { scope: 'global', risk: 'medium' }), 'pat');
    // globex sees the global one …
    expect((await s.as('carol').call('GET', `/definitions/${global}`)).status).toBe(200);
    // … but runs it only from an instance: readiness of a direct run is none of its business
    for (const id of [local, global]) {
      await expectApiError(readiness('carol', id), 404, 'DEFINITION_NOT_FOUND');
      await expectApiError(readiness('gus', id, '1.0.0'), 404, 'DEFINITION_NOT_FOUND');
    }
    await expectApiError(readiness('alice', `acme.no-such-${randomUUID().slice(0, 8)}`), 404, 'DEFINITION_NOT_FOUND');
  });

  it('refuses an unknown or malformed version, and a workflow with nothing published', async () => {
    const id = await publish(testSpec());
    await expectApiError(readiness('alice', id, '9.9.9'), 404, 'VERSION_NOT_FOUND');
    await expectApiError(readiness('alice', id, 'latest'), 422, 'VALIDATION_FAILED');

    const { body: draft } = await s.as('alice').createDraft(specWithSecrets([{ name: secretName('draft_token') }]));
    await expectApiError(readiness('alice', draft.definitionId), 409, 'NOT_PUBLISHED');
    // a draft version named explicitly answers: its author can prepare the secrets before publishing
    const named = await readiness('alice', draft.definitionId, '1.0.0');
    expect(named.body).toMatchObject({ version: '1.0.0', ready: false, secrets: [{ present: false }] });
  });
});
