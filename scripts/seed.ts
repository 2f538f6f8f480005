// Seeds the example pack through the API, as its authors and reviewers would: draft →
// Request Publish → (approve with rationale) → published; and registers the example
// partner adapter (examples/partner-adapter/manifest.yaml) as the publisher pat, as a
// partner would. Idempotent: published entries are skipped, and registering the same
// manifest again is a no-op. Usage: node --import tsx scripts/seed.ts [baseUrl]
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../platform/config.ts';
import { demoUserToken } from '../platform/oidc/demo-tokens.ts';
import { apiClient, ApiError } from '../platform/api-client.ts';
import { DEMO_USERS } from '../domain/demo-users.ts';
import { definitionId } from '../domain/ids.ts';
import { parseSource } from '../domain/spec-source.ts';

interface PackEntry {
  file: string;
  author: string;
  reviewer?: string;
}

const config = loadConfig();
const baseUrl = process.argv[2] ?? `http://127.0.0.1:${config.PORT}`;
const packUrl = new URL('../examples/pack.json', import.meta.url);
const pack = JSON.parse(await readFile(packUrl, 'utf8')) as { entries: PackEntry[] };

const clientFor = async (sub: string) => {
  const actor = DEMO_USERS.find((u) => u.sub === sub);
  if (!actor) throw new Error(`examples/pack.json names unknown user ${sub}`);
  // signed in at the embedded OpenID provider, as each of them would
  return { actor, api: apiClient(baseUrl, await demoUserToken(config, sub)) };
};

{
  const { api } = await clientFor('pat');
  const source = await readFile(new URL('../examples/partner-adapter/manifest.yaml', import.meta.url), 'utf8');
  const r = await api.call<{ ref: string; created: boolean }>('POST', '/adapters', { source });
  console.log(`[seed] partner adapter ${r.body.ref}: ${r.body.created ? 'registered' : 'already registered'}`);
}

let published = 0;
let pending = 0;
for (const entry of pack.entries) {
  const source = await readFile(new URL(`../examples/${entry.file}`, import.meta.url), 'utf8');
  const parsed = parseSource(source);
  if ('error' in parsed) throw new Error(`examples/${entry.file}: ${parsed.error.message}`);
  const spec = parsed.doc as { metadata: { name: string; version: string } };
  const { actor, api } = await clientFor(entry.author);
  const id = definitionId(actor.tenant, spec.metadata.name);
  const version = spec.metadata.version;
  const existing = await api.getDefinition(id).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
  if (existing?.body.latestVersion === version) {
    published++;
    continue;
  }
  await api.call('POST', '/definitions', { source });
  await api.requestPublish(id, version).catch((e: unknown) => (e instanceof ApiError && e.code === 'ALREADY_PUBLISHED' ? undefined : Promise.reject(e)));
  let status = await api.waitForPublish(id, version, ['awaiting_approval', 'published', 'denied', 'invalid', 'rejected']);
  if (status === 'awaiting_approval' && entry.reviewer) {
    const reviewer = await clientFor(entry.reviewer);
    await reviewer.api.decide(id, version, 'approve', 'Example pack: reviewed for the demo installation.');
    status = await api.waitForPublish(id, version, ['published', 'rejected']);
  }
  if (status === 'published') published++;
  else if (status === 'awaiting_approval') pending++;
  else throw new Error(`seeding ${id}@${version} ended ${status}`);
  console.log(`[seed] ${id}@${version}: ${status}`);
}
console.log(`[seed] example pack: ${published} published, ${pending} awaiting approval`);
