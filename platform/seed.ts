import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Sql } from './db.ts';
import { ApiError, type apiClient } from './api-client.ts';
import { DEMO_TENANTS, DEMO_USERS } from '../domain/demo-users.ts';
import { definitionId } from '../domain/ids.ts';
import { parseSource } from '../domain/spec-source.ts';
import type { Visibility } from '../domain/access.ts';
import type { Environment } from '../domain/marketplace.ts';

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

/**
 * How an entry is offered in the marketplace: the profile its publish asks for (the publish
 * policy decides) and the offer installers see; for partner-curated, the curated list a
 * platform curator keeps.
 */
export interface PackMarketplace {
  visibility: Visibility;
  offer?: { summary?: string; environments?: Environment[]; regions?: string[] };
  curatedList?: { curator: string; tenants: string[] };
}

/** An instance a demo tenant's admin installs from the entry's template, in the admin's own tenant. */
export interface PackInstall {
  by: string;
  environment: Environment;
  region?: string;
  parameters?: Record<string, unknown>;
  /** spec secret → a secret of the installing tenant's own */
  secrets?: Record<string, string>;
}

/** One entry of examples/pack.json: a spec file, its author and (when review is required) its reviewer. */
export interface PackEntry {
  file: string;
  author: string;
  reviewer?: string;
  marketplace?: PackMarketplace;
  installs?: PackInstall[];
}

/** What the seed needs of an example's spec. */
export interface ExampleSpec {
  metadata: { name: string; version: string; scope: string };
  parameters?: { properties?: Record<string, { format?: string; default?: unknown }> };
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

/** Where the example partner systems answer (`npm start`: examples/partner-systems on 127.0.0.1). */
export interface SeedOptions {
  partnerSystems?: string;
}

/**
 * Lets the demo tenants reach the example partner systems: their host on each demo tenant's
 * egress allow-list, their port among its egress ports (an instance's endpoints are checked
 * with their port when it is installed). For `npm start` only — the seeded tenants of a real
 * installation reach no loopback address. Idempotent.
 */
export async function allowPartnerSystems(sql: Sql, url: string): Promise<void> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  for (const t of DEMO_TENANTS) {
    await sql`
      update tenant_setting set
        egress_allow = case when ${host} = any(egress_allow) then egress_allow else array_append(egress_allow, ${host}) end,
        egress_ports = case when ${port} = any(egress_ports) then egress_ports else array_append(egress_ports, ${port}) end
      where tenant_id = ${t.id}`;
  }
}

/**
 * The spec's endpoint parameters (a URI with a default) moved to `base`: the default's
 * origin replaced, its path kept — what an instance of an example binds to reach the
 * example partner systems.
 */
export function endpointsAt(spec: ExampleSpec, base: string): Record<string, string> {
  const origin = base.replace(/\/+$/, '');
  return Object.fromEntries(
    Object.entries(spec.parameters?.properties ?? {})
      .filter(([, p]) => p.format === 'uri' && typeof p.default === 'string' && URL.canParse(p.default))
      .map(([name, p]) => {
        const path = new URL(p.default as string).pathname;
        return [name, `${origin}${path === '/' ? '' : path}`];
      }),
  );
}

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
export async function seedExamplePack(examples: readonly LoadedExample[], clientFor: (sub: string) => Promise<Client>, log: SeedLog = () => {}, opts: SeedOptions = {}) {
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
    const offer = ex.marketplace ? { visibility: ex.marketplace.visibility, ...(ex.marketplace.offer ? { offer: ex.marketplace.offer } : {}) } : {};
    await api
      .call('POST', `/definitions/${id}/publish-requests`, { version, ...offer })
      .catch((e: unknown) => (e instanceof ApiError && e.code === 'ALREADY_PUBLISHED' ? undefined : Promise.reject(e)));
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
  const marketplace = await seedMarketplace(examples, clientFor, log, opts);
  return { published, pending, ...marketplace };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds of its answer; the seed has no Temporal client, only the API. */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await sleep(200);
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
const INSTALL_SETTLED = ['awaiting_approval', 'installed', 'denied', 'invalid', 'rejected', 'failed'];

/**
 * The marketplace side of the pack, through the API as its users would: the curated lists of
 * partner-curated templates (set by the platform curator), then the instances each demo
 * tenant's admin installs, with the tenant's own secrets bound. Idempotent: a list already
 * right is left alone, and a live instance of the template in that environment is kept
 * (INSTANCE_EXISTS is the answer that says so).
 */
export async function seedMarketplace(examples: readonly LoadedExample[], clientFor: (sub: string) => Promise<Client>, log: SeedLog = () => {}, opts: SeedOptions = {}) {
  const reviewed = await seedReviews(examples, clientFor, log);
  let curated = 0;
  const instances = { installed: [] as string[], kept: [] as string[], pending: [] as string[] };
  for (const ex of examples) {
    const id = definitionId(tenantOf(ex.author), ex.spec.metadata.name);
    const market = ex.marketplace;
    if (market) {
      const { body: t } = await (await clientFor(ex.author)).call<{ visibility: Visibility }>('GET', `/templates/${id}`);
      // a version published before the pack named a profile keeps the one it got
      if (t.visibility !== market.visibility) log(`[seed] ${id}: offered as ${t.visibility} (published so earlier); the pack asks ${market.visibility}`);
      if (market.curatedList && t.visibility === 'partner-curated') {
        const curator = await clientFor(market.curatedList.curator);
        const audience = () => curator.call<{ tenants: { tenantId: string }[] }>('GET', `/templates/${id}/audience`).then((r) => r.body.tenants.map((x) => x.tenantId));
        const wanted = market.curatedList.tenants;
        if (!sameSet(await audience(), wanted)) {
          await curator.call('PUT', `/templates/${id}/audience`, { tenants: wanted });
          await until(`the curated list of ${id}`, audience, (have) => sameSet(have, wanted));
          curated++;
        }
        log(`[seed] ${id}: partner-curated for ${wanted.join(', ')}`);
      }
    }
    for (const inst of ex.installs ?? []) {
      const api = await clientFor(inst.by);
      const tenant = tenantOf(inst.by);
      // bound to the example partner systems where they run, so that the instance runs as seeded
      const parameters = { ...(opts.partnerSystems ? endpointsAt(ex.spec, opts.partnerSystems) : {}), ...inst.parameters };
      const body = {
        templateId: id,
        environment: inst.environment,
        ...(inst.region ? { region: inst.region } : {}),
        ...(Object.keys(parameters).length ? { parameters } : {}),
        ...(inst.secrets ? { secrets: inst.secrets } : {}),
      };
      const started = await api.call<{ instanceId: string }>('POST', '/installs', body).catch((e: unknown) => {
        if (e instanceof ApiError && e.code === 'INSTANCE_EXISTS') return undefined;
        throw e;
      });
      if (!started) {
        const { body: live } = await api.call<{ items: { id: string; environment: string }[] }>('GET', `/instances?templateId=${encodeURIComponent(id)}`);
        const kept = live.items.find((i) => i.environment === inst.environment)?.id ?? `${id} (${inst.environment})`;
        instances.kept.push(kept);
        log(`[seed] ${tenant} instance ${kept}: kept`);
        continue;
      }
      const { instanceId } = started.body;
      const done = await until(
        `the install of ${id} into ${tenant} (${inst.environment})`,
        () =>
          api
            .call<{ status: string; error?: { code: string; message: string } }>('GET', `/installs/${instanceId}`)
            .then((r) => r.body)
            // its read model is written by the lifecycle's first step: until then it is not there
            .catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? { status: 'requested' as string, error: undefined } : Promise.reject(e))),
        (v) => INSTALL_SETTLED.includes(v.status),
      );
      if (done.status === 'installed') instances.installed.push(instanceId);
      else if (done.status === 'awaiting_approval') instances.pending.push(instanceId);
      else throw new Error(`installing ${id} into ${tenant} ended ${done.status}${done.error ? `: ${done.error.code} ${done.error.message}` : ''}`);
      log(`[seed] ${tenant} instance ${instanceId}: ${done.status}`);
    }
  }
  log(`[seed] marketplace: ${curated} curated list(s) set, ${instances.installed.length} instance(s) installed, ${instances.kept.length} kept`);
  return { curated, instances, reviewed };
}

/** The demo platform reviewers of each review kind (two security reviewers for a critical version's quorum). */
export const DEMO_PLATFORM_REVIEWERS: Record<string, string[]> = { security: ['sam', 'sky'], performance: ['perry'], docs: ['dora'] };

interface SeedReviewView {
  status: string;
  reason?: string;
  reviews: { kind: string; status: string; quorum: number; decisions: { reviewer: { sub: string } }[] }[];
}

/**
 * The marketplace reviews of the pack's marketplace entries, through the API as the platform
 * reviewers would: each kind approved by the demo reviewers once its evidence is gathered.
 * Idempotent: a passed review is left alone, a decision already made is not made again, and
 * a version without a review (published before reviews existed) or whose review failed or
 * expired is re-requested by its author.
 */
export async function seedReviews(examples: readonly LoadedExample[], clientFor: (sub: string) => Promise<Client>, log: SeedLog = () => {}) {
  const reviewed: string[] = [];
  for (const ex of examples) {
    const visibility = ex.marketplace?.visibility;
    if (!visibility || visibility === 'internal-only') continue;
    const id = definitionId(tenantOf(ex.author), ex.spec.metadata.name);
    const { version } = ex.spec.metadata;
    const path = `/definitions/${id}/versions/${version}/review`;
    const sam = await clientFor('sam');
    const read = () =>
      sam
        .call<SeedReviewView>('GET', path)
        .then((r) => r.body)
        .catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
    for (let attempt = 0; ; attempt++) {
      let review = await read();
      if (review?.status === 'passed') break;
      if (attempt > 2) throw new Error(`the review of ${id}@${version} did not pass: ${review?.status} ${review?.reason ?? ''}`);
      if (!review || review.status === 'failed' || review.status === 'expired') {
        await (await clientFor(ex.author))
          .call('POST', `/definitions/${id}/versions/${version}/review-requests`, { visibility })
          .catch((e: unknown) => (e instanceof ApiError && e.code === 'ALREADY_REVIEWED' ? undefined : Promise.reject(e)));
        review = await until(`the review of ${id}@${version}`, read, (r) => !!r && r.status !== 'failed' && r.status !== 'expired');
      }
      const open = await until(`the evidence of ${id}@${version}`, read, (r) => !!r && (r.status === 'passed' || (r.reviews.length === 3 && r.reviews.every((k) => k.status !== 'gathering'))));
      for (const k of open!.reviews.filter((x) => x.status === 'open' || x.status === 'escalated')) {
        const decided = new Set(k.decisions.map((d) => d.reviewer.sub));
        for (const reviewer of (DEMO_PLATFORM_REVIEWERS[k.kind] ?? []).slice(0, k.quorum).filter((r) => !decided.has(r))) {
          await (await clientFor(reviewer))
            .call('POST', `${path}/${k.kind}/decisions`, { decision: 'approve', rationale: `Example pack: ${k.kind} evidence reviewed for the demo installation.` })
            .catch((e: unknown) => (e instanceof ApiError && (e.code === 'REVIEW_NOT_OPEN' || e.code === 'ALREADY_DECIDED') ? undefined : Promise.reject(e)));
        }
      }
      await until(`the outcome of the review of ${id}@${version}`, read, (r) => !!r && ['passed', 'failed', 'expired'].includes(r.status));
    }
    reviewed.push(id);
    log(`[seed] ${id}@${version}: reviewed for ${visibility}`);
  }
  return reviewed;
}
