import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Sql } from './db.ts';
import { ApiError, type apiClient } from './api-client.ts';
import { DEMO_TENANTS, DEMO_USERS } from '../domain/demo-users.ts';
import { definitionId } from '../domain/ids.ts';
import { parseSource } from '../domain/spec-source.ts';

/**
 * Egress allow-lists of the demo tenants (tenant_setting.egress_allow). acme may also call
 * this machine (the example partner endpoint and test fixtures listen on 127.0.0.1);
 * globex only reaches its internal domain.
 */
export const DEMO_EGRESS_ALLOW: Record<string, string[]> = {
  acme: ['*.example.internal', 'localhost', '127.0.0.1'],
  globex: ['*.example.internal'],
};

/**
 * Reference data every installation needs: the tenants of the demo users and their egress
 * allow-lists. Idempotent; an allow-list changed since is left alone.
 */
export async function seedTenants(sql: Sql): Promise<void> {
  for (const t of DEMO_TENANTS) {
    await sql`insert into tenant (id, name) values (${t.id}, ${t.name}) on conflict (id) do nothing`;
    const allow = DEMO_EGRESS_ALLOW[t.id] ?? [];
    await sql`insert into tenant_setting (tenant_id, egress_allow) values (${t.id}, ${allow}::text[]) on conflict (tenant_id) do nothing`;
  }
}

/** One entry of examples/pack.json: a spec file, its author and (when review is required) its reviewer. */
export interface PackEntry {
  file: string;
  author: string;
  reviewer?: string;
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

const EXAMPLES = new URL('../examples/', import.meta.url);

/** examples/pack.json with each entry's spec read and parsed. */
export async function loadExamplePack(): Promise<LoadedExample[]> {
  const pack = JSON.parse(await readFile(new URL('pack.json', EXAMPLES), 'utf8')) as { entries: PackEntry[] };
  return Promise.all(
    pack.entries.map(async (entry) => {
      const source = await readFile(new URL(entry.file, EXAMPLES), 'utf8');
      const parsed = parseSource(source);
      if ('error' in parsed) throw new Error(`examples/${entry.file}: ${parsed.error.message}`);
      return { ...entry, spec: parsed.doc as ExampleSpec, source };
    }),
  );
}

const tenantOf = (sub: string) => {
  const user = DEMO_USERS.find((u) => u.sub === sub);
  if (!user) throw new Error(`examples/pack.json names unknown user ${sub}`);
  return user.tenant;
};

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

type Client = ReturnType<typeof apiClient>;
export type SeedLog = (line: string) => void;

/**
 * Stores each secret a demo tenant needs and does not have yet, through the API as the
 * tenant's admin. Existing secrets are left alone: a value rotated since is not undone.
 */
export async function seedDemoSecrets(examples: readonly LoadedExample[], clientFor: (sub: string) => Promise<Client>, log: SeedLog = () => {}) {
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

/**
 * Seeds the example pack through the API, as its authors, reviewers and tenant admins would:
 * the example partner adapter (registered by the publisher pat), the demo tenants' secrets,
 * then each entry drafted → Request Publish → (approved with a rationale) → published.
 * Idempotent: published entries are skipped, a registered manifest and stored secrets stay.
 */
export async function seedExamplePack(examples: readonly LoadedExample[], clientFor: (sub: string) => Promise<Client>, log: SeedLog = () => {}) {
  {
    const api = await clientFor('pat');
    const source = await readFile(new URL('partner-adapter/manifest.yaml', EXAMPLES), 'utf8');
    const r = await api.call<{ ref: string; created: boolean }>('POST', '/adapters', { source });
    log(`[seed] partner adapter ${r.body.ref}: ${r.body.created ? 'registered' : 'already registered'}`);
  }
  await seedDemoSecrets(examples, clientFor, log);

  let published = 0;
  let pending = 0;
  for (const ex of examples) {
    const api = await clientFor(ex.author);
    const id = definitionId(tenantOf(ex.author), ex.spec.metadata.name);
    const { version } = ex.spec.metadata;
    const existing = await api.getDefinition(id).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
    if (existing?.body.latestVersion === version) {
      published++;
      continue;
    }
    await api.call('POST', '/definitions', ex.source !== undefined ? { source: ex.source } : { spec: ex.spec });
    await api.requestPublish(id, version).catch((e: unknown) => (e instanceof ApiError && e.code === 'ALREADY_PUBLISHED' ? undefined : Promise.reject(e)));
    let status = await api.waitForPublish(id, version, ['awaiting_approval', 'published', 'denied', 'invalid', 'rejected']);
    if (status === 'awaiting_approval' && ex.reviewer) {
      const reviewer = await clientFor(ex.reviewer);
      await reviewer.decide(id, version, 'approve', 'Example pack: reviewed for the demo installation.');
      status = await api.waitForPublish(id, version, ['published', 'rejected']);
    }
    if (status === 'published') published++;
    else if (status === 'awaiting_approval') pending++;
    else throw new Error(`seeding ${id}@${version} ended ${status}`);
    log(`[seed] ${id}@${version}: ${status}`);
  }
  log(`[seed] example pack: ${published} published, ${pending} awaiting approval`);
  return { published, pending };
}
