import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ApiError, type apiClient } from './api-client.ts';
import type { Visibility } from '../domain/access.ts';
import { DEMO_TENANTS, DEMO_USERS } from '../domain/demo-users.ts';
import { definitionId } from '../domain/ids.ts';
import type { Environment, PublishOffer } from '../domain/marketplace.ts';
import { parseSource } from '../domain/spec-source.ts';

/**
 * The example pack (examples/pack.json), seeded through the API as its people would: the
 * example partner adapter, each demo tenant's secrets, every entry drafted → Request
 * Publish (with the marketplace profile asked) → reviewed, the curated lists kept by the
 * platform curator, and one installed instance per demo tenant. `npm start` runs it through
 * scripts/seed.ts; test/engine/examples-e2e.test.ts runs the very same code. Idempotent.
 */

/** One entry of examples/pack.json: a spec file, its author and (when review is required) its reviewer. */
export interface PackEntry {
  file: string;
  author: string;
  reviewer?: string;
  /** the marketplace profile the publish asks for (default: by scope); the publish policy decides */
  visibility?: Visibility;
  offer?: PublishOffer;
  /** partner-curated: the tenants the platform curator puts on its list */
  audience?: string[];
}

/** An install of a pack entry's template by a tenant admin of the installing tenant. */
export interface PackInstall {
  /** the pack entry (its file) whose template is installed */
  template: string;
  by: string;
  environment: Environment;
  parameters?: Record<string, unknown>;
  /** spec secret → the installing tenant's own secret name */
  secrets?: Record<string, string>;
}

/** What the seed needs of an example's spec. */
export interface ExampleSpec {
  metadata: { name: string; version: string; scope: string };
  secrets?: { name: string; description?: string }[];
}

export interface LoadedExample extends PackEntry {
  spec: ExampleSpec;
  /** the file's text, drafted as written (a broken example is reported with line and column) */
  source?: string;
}

export interface ExamplePack {
  examples: LoadedExample[];
  installs: PackInstall[];
}

type Client = ReturnType<typeof apiClient>;
export type ClientFor = (sub: string) => Promise<Client>;
export type SeedLog = (line: string) => void;

const EXAMPLES = new URL('../examples/', import.meta.url);

/** examples/pack.json with each entry's spec read and parsed. */
export async function loadExamplePack(): Promise<ExamplePack> {
  const pack = JSON.parse(await readFile(new URL('pack.json', EXAMPLES), 'utf8')) as { entries: PackEntry[]; installs?: PackInstall[] };
  const examples = await Promise.all(
    pack.entries.map(async (entry) => {
      const source = await readFile(new URL(entry.file, EXAMPLES), 'utf8');
      const parsed = parseSource(source);
      if ('error' in parsed) throw new Error(`examples/${entry.file}: ${parsed.error.message}`);
      return { ...entry, spec: parsed.doc as ExampleSpec, source };
    }),
  );
  return { examples, installs: pack.installs ?? [] };
}

const userOf = (sub: string) => {
  const user = DEMO_USERS.find((u) => u.sub === sub);
  if (!user) throw new Error(`examples/pack.json names unknown user ${sub}`);
  return user;
};
const tenantOf = (sub: string) => userOf(sub).tenant;

/** The definition (and template) id of a pack entry. */
export const exampleId = (ex: LoadedExample) => definitionId(tenantOf(ex.author), ex.spec.metadata.name);

/**
 * The secrets each demo tenant needs so that every example runs out of the box: those of its
 * own examples, and those of every global example (offered to all tenants, which run it
 * from an instance bound to secrets of their own).
 */
export function demoSecretNeeds(examples: readonly LoadedExample[]): Map<string, { name: string; description?: string }[]> {
  const needs = new Map<string, Map<string, { name: string; description?: string }>>(DEMO_TENANTS.map((t) => [t.id, new Map()]));
  for (const ex of examples) {
    const tenants = ex.spec.metadata.scope === 'global' ? DEMO_TENANTS.map((t) => t.id) : [tenantOf(ex.author)];
    for (const tenant of tenants) {
      for (const secret of ex.spec.secrets ?? []) needs.get(tenant)?.set(secret.name, secret);
    }
  }
  return new Map([...needs].map(([tenant, byName]) => [tenant, [...byName.values()]]));
}

/** A demo value: random per installation, generated at seed time, never committed or printed. */
const demoSecretValue = (tenant: string, name: string) => `demo-${tenant}-${name}-${randomBytes(18).toString('base64url')}`;

/**
 * Stores each secret a demo tenant needs and does not have yet, through the API as the
 * tenant's admin. Existing secrets are left alone: a value rotated since is not undone.
 */
export async function seedDemoSecrets(examples: readonly LoadedExample[], clientFor: ClientFor, log: SeedLog = () => {}) {
  const stored: { tenant: string; name: string }[] = [];
  for (const [tenant, secrets] of demoSecretNeeds(examples)) {
    if (!secrets.length) continue;
    const admin = DEMO_USERS.find((u) => u.tenant === tenant && u.roles.includes('tenant-admin'));
    if (!admin) throw new Error(`demo tenant ${tenant} has no tenant admin to store its secrets`);
    const api = await clientFor(admin.sub);
    const { body } = await api.call<{ items: { name: string }[] }>('GET', '/secrets');
    const have = new Set(body.items.map((i) => i.name));
    const missing = secrets.filter((x) => !have.has(x.name));
    for (const secret of missing) {
      await api.call('PUT', `/secrets/${secret.name}`, {
        value: demoSecretValue(tenant, secret.name),
        description: `${(secret.description ?? 'Needed by the example pack').slice(0, 400)} (demo value generated at seed time)`,
      });
      stored.push({ tenant, name: secret.name });
    }
    log(`[seed] ${tenant} secrets ${secrets.map((x) => x.name).join(', ')}: ${missing.length ? `stored ${missing.map((x) => x.name).join(', ')}` : 'all present'}`);
  }
  return stored;
}

/** Polls `read` until `done` holds, for at most `timeoutMs`. */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs / 1000}s (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Drafts, requests publish (with the entry's profile) and reviews one entry; its status after. */
async function publishEntry(ex: LoadedExample, clientFor: ClientFor, log: SeedLog): Promise<'published' | 'awaiting_approval' | 'skipped'> {
  const api = await clientFor(ex.author);
  const id = exampleId(ex);
  const { version } = ex.spec.metadata;
  const existing = await api.getDefinition(id).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
  if (existing?.body.latestVersion === version) return 'skipped';
  await api.call('POST', '/definitions', ex.source !== undefined ? { source: ex.source } : { spec: ex.spec });
  await api
    .call('POST', `/definitions/${id}/publish-requests`, { version, ...(ex.visibility ? { visibility: ex.visibility } : {}), ...(ex.offer ? { offer: ex.offer } : {}) })
    .catch((e: unknown) => (e instanceof ApiError && e.code === 'ALREADY_PUBLISHED' ? undefined : Promise.reject(e)));
  let status = await api.waitForPublish(id, version, ['awaiting_approval', 'published', 'denied', 'invalid', 'rejected']);
  if (status === 'awaiting_approval' && ex.reviewer) {
    await (await clientFor(ex.reviewer)).decide(id, version, 'approve', 'Example pack: reviewed for the demo installation.');
    status = await api.waitForPublish(id, version, ['published', 'rejected']);
  }
  if (status !== 'published' && status !== 'awaiting_approval') throw new Error(`seeding ${id}@${version} ended ${status}`);
  log(`[seed] ${id}@${version}: ${status}${ex.visibility ? ` (${ex.visibility})` : ''}`);
  return status;
}

/** The platform curator puts the entry's tenants on its curated list (the curate lifecycle), unless they are. */
async function curateEntry(ex: LoadedExample, clientFor: ClientFor, log: SeedLog) {
  if (!ex.audience) return;
  const curator = DEMO_USERS.find((u) => u.roles.includes('platform-curator'));
  if (!curator) throw new Error('the example pack curates a list, but no demo user is a platform curator');
  const api = await clientFor(curator.sub);
  const id = exampleId(ex);
  // published by an older pack with another profile (a data dir seeded before): no list to keep
  const { body: template } = await api.call<{ visibility: Visibility }>('GET', `/templates/${id}`);
  if (template.visibility !== 'partner-curated') {
    log(`[seed] ${id} is ${template.visibility}, not partner-curated: no curated list to keep`);
    return;
  }
  const wanted = [...ex.audience].sort().join(',');
  const listed = async () => (await api.call<{ tenants: { tenantId: string }[] }>('GET', `/templates/${id}/audience`)).body.tenants.map((t) => t.tenantId).sort().join(',');
  if ((await listed()) === wanted) return;
  await api.call('PUT', `/templates/${id}/audience`, { tenants: ex.audience });
  await until(`the curated list of ${id}`, listed, (l) => l === wanted);
  log(`[seed] ${id}: curated for ${ex.audience.join(', ')}`);
}

/** A tenant admin installs a pack entry's template into an environment, unless a live instance is there. */
async function installEntry(install: PackInstall, examples: readonly LoadedExample[], clientFor: ClientFor, log: SeedLog) {
  const ex = examples.find((e) => e.file === install.template);
  if (!ex) throw new Error(`examples/pack.json installs ${install.template}, which is not one of its entries`);
  const templateId = exampleId(ex);
  const api = await clientFor(install.by);
  const tenant = tenantOf(install.by);
  const { body } = await api.call<{ items: { id: string; environment: string }[] }>('GET', `/instances?templateId=${encodeURIComponent(templateId)}`);
  const live = body.items.find((i) => i.environment === install.environment);
  if (live) return log(`[seed] ${tenant}: ${templateId} already installed in ${install.environment} (${live.id})`);
  const { body: started } = await api.call<{ instanceId: string }>('POST', '/installs', {
    templateId,
    environment: install.environment,
    ...(install.parameters ? { parameters: install.parameters } : {}),
    ...(install.secrets ? { secrets: install.secrets } : {}),
  });
  const done = await until(
    `the install of ${templateId} by ${tenant}`,
    // the lifecycle writes its read model a moment after the request is accepted
    (): Promise<{ status: string; error?: { code: string; message: string } }> =>
      api
        .call<{ status: string; error?: { code: string; message: string } }>('GET', `/installs/${started.instanceId}`)
        .then((r) => r.body)
        .catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? { status: 'requested' } : Promise.reject(e))),
    (s) => ['installed', 'denied', 'invalid', 'rejected', 'failed'].includes(s.status),
  );
  if (done.status !== 'installed') throw new Error(`seeding the install of ${templateId} by ${tenant} ended ${done.status}: ${done.error?.code} ${done.error?.message}`);
  log(`[seed] ${tenant}: installed ${templateId} in ${install.environment} as ${started.instanceId}`);
}

/**
 * Seeds the example pack: the partner adapter (registered by the publisher pat), the demo
 * tenants' secrets, every entry published with the profile it asks for, the curated lists,
 * then the installs. Published entries are skipped, a registered manifest, stored secrets,
 * a curated list already right and a live instance stay as they are.
 */
export async function seedExamplePack(pack: ExamplePack, clientFor: ClientFor, log: SeedLog = () => {}) {
  {
    const api = await clientFor('pat');
    const source = await readFile(new URL('partner-adapter/manifest.yaml', EXAMPLES), 'utf8');
    const r = await api.call<{ ref: string; created: boolean }>('POST', '/adapters', { source });
    log(`[seed] partner adapter ${r.body.ref}: ${r.body.created ? 'registered' : 'already registered'}`);
  }
  await seedDemoSecrets(pack.examples, clientFor, log);

  let published = 0;
  let pending = 0;
  for (const ex of pack.examples) {
    const status = await publishEntry(ex, clientFor, log);
    if (status === 'awaiting_approval') pending++;
    else published++;
  }
  for (const ex of pack.examples) await curateEntry(ex, clientFor, log);
  for (const install of pack.installs) await installEntry(install, pack.examples, clientFor, log);
  log(`[seed] example pack: ${published} published, ${pending} awaiting approval, ${pack.installs.length} installs`);
  return { published, pending };
}
