// The access-model agreement matrix (ADR 0005): the visibility rule is written once in
// domain/access.ts and translated once in platform/access.ts, into a SQL predicate and a
// Typesense filter (which each tenant's scoped search key embeds). Here the three are asked
// the same question — which entries and versions may this tenant see? — on a generated
// matrix of tenants × visibility profiles × definition statuses × version statuses and
// visibilities, in a database and a Typesense collection of this file's own, and must give
// the same answer for every tenant.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canSee, canSeeVersion, VISIBILITY_PROFILES, type Offering, type OfferedVersion, type Visibility } from '../../domain/access.ts';
import { visibleDefinitionSql, visibleDocumentFilter, visibleVersionSql } from '../../platform/access.ts';
import { ensureSearchParentKey, tenantSearchKey } from '../../platform/search-keys.ts';
import { createTypesense, ensureCatalogCollection, type CatalogDocument } from '../../platform/typesense.ts';
import { loadCatalogDocuments } from '../../activities/catalog.ts';
import { openStack, prepareDatabase, type Stack } from '../support/stack.ts';

const TENANTS = ['acme', 'globex', 'initech', 'umbrella'] as const;
type Tenant = (typeof TENANTS)[number];

/** The tenants after `owner`, in a ring: an audience relative to the owner. */
const others = (owner: Tenant) => {
  const i = TENANTS.indexOf(owner);
  return [1, 2, 3].map((k) => TENANTS[(i + k) % TENANTS.length]!);
};

/**
 * The profile variants. Audience rows are written for the non-curated profiles too (a
 * template once partner-curated, then published with another profile keeps its rows): the
 * rule must ignore them.
 */
const PROFILES = {
  'no-template': () => undefined,
  internal: (o: Tenant) => ({ visibility: 'internal-only' as const, audience: others(o).slice(0, 1) }),
  public: (o: Tenant) => ({ visibility: 'public-ecosystem' as const, audience: others(o).slice(0, 1) }),
  'curated-empty': () => ({ visibility: 'partner-curated' as const, audience: [] }),
  'curated-next': (o: Tenant) => ({ visibility: 'partner-curated' as const, audience: others(o).slice(0, 1) }),
  'curated-skip': (o: Tenant) => ({ visibility: 'partner-curated' as const, audience: others(o).slice(1, 2) }),
  'curated-two': (o: Tenant) => ({ visibility: 'partner-curated' as const, audience: others(o).slice(0, 2) }),
  'curated-all': (o: Tenant) => ({ visibility: 'partner-curated' as const, audience: others(o) }),
} satisfies Record<string, (o: Tenant) => { visibility: Visibility; audience: string[] } | undefined>;
type ProfileName = keyof typeof PROFILES;

const DEFINITION_STATUSES = ['draft', 'in_review', 'published', 'deprecated', 'archived'] as const;
const VERSION_STATUSES = ['draft', 'in_review', 'published', 'rejected'] as const;

interface Entry {
  id: string;
  owner: Tenant;
  profile: ProfileName;
  status: (typeof DEFINITION_STATUSES)[number];
  offering: Offering;
  versions: (OfferedVersion & { version: string })[];
}

function matrix(): Entry[] {
  const entries: Entry[] = [];
  for (const owner of TENANTS) {
    for (const profile of Object.keys(PROFILES) as ProfileName[]) {
      for (const status of DEFINITION_STATUSES) {
        const template = PROFILES[profile](owner);
        const versions: Entry['versions'] = [];
        let minor = 0;
        for (const vs of VERSION_STATUSES) {
          for (const visibility of VISIBILITY_PROFILES) versions.push({ version: `1.${minor++}.0`, status: vs, visibility });
        }
        entries.push({
          id: `${owner}.m-${profile}-${status.replace('_', '-')}`,
          owner,
          profile,
          status,
          offering: { ownerTenant: owner, status, visibility: template?.visibility ?? 'internal-only', audience: template?.audience ?? [] },
          versions,
        });
      }
    }
  }
  return entries;
}

const ENTRIES = matrix();
const ids = (xs: Iterable<string>) => [...xs].sort();
const DIGEST = `sha256:${'0'.repeat(64)}`;

let s: Stack;
let collection: string;

beforeAll(async () => {
  const databaseUrl = await prepareDatabase(`access_matrix_${randomUUID().slice(0, 8)}`);
  s = await openStack({ databaseUrl, worker: false });
  for (const t of TENANTS) await s.sql`insert into tenant (id, name) values (${t}, ${t}) on conflict (id) do nothing`;
  for (const e of ENTRIES) {
    const name = e.id.slice(e.owner.length + 1);
    const spec = { apiVersion: 'maestro.dev/v1', kind: 'Workflow', metadata: { name, version: '1.0.0' } };
    await s.sql.begin(async (tx) => {
      await tx`
        insert into workflow_definition (id, tenant_id, name, description, category, risk, scope, status, latest_version, created_by)
        values (${e.id}, ${e.owner}, ${name}, ${`matrix entry ${e.id}`}, 'HR', 'low', 'global', ${e.status}, '1.0.0', 'matrix')`;
      for (const v of e.versions) {
        await tx`
          insert into workflow_version (definition_id, tenant_id, version, status, visibility, review_state, spec, digest, created_by, published_at)
          values (${e.id}, ${e.owner}, ${v.version}, ${v.status}, ${v.visibility}, ${v.visibility === 'internal-only' ? 'none' : 'passed'}, ${tx.json(spec)}, ${DIGEST}, 'matrix',
                  ${v.status === 'published' ? new Date() : null})`;
      }
      const template = PROFILES[e.profile](e.owner);
      if (template) {
        await tx`
          insert into workflow_template (id, definition_id, tenant_id, visibility, publisher, latest_version)
          values (${e.id}, ${e.id}, ${e.owner}, ${template.visibility}, 'matrix', '1.0.0')`;
        for (const t of template.audience) await tx`insert into template_audience (template_id, tenant_id, added_by) values (${e.id}, ${t}, 'matrix')`;
      }
    });
  }
  // the search documents, built from these rows exactly as the catalog lifecycles build them
  collection = await ensureCatalogCollection(s.typesense, s.config.TYPESENSE_COLLECTION);
  const docs = await loadCatalogDocuments(s.sql, { afterId: '', limit: 10_000 });
  const imported = await s.typesense.collections<CatalogDocument>(collection).documents().import(docs, { action: 'upsert' });
  expect(imported.every((r) => r.success)).toBe(true);
});

afterAll(async () => s?.close());

/** Every document a search returns, page by page. */
async function searchAll(client: ReturnType<typeof createTypesense>, filter_by?: string): Promise<string[]> {
  const seen: string[] = [];
  for (let page = 1; ; page++) {
    const res = await client
      .collections<CatalogDocument>(collection)
      .documents()
      .search({ q: '*', query_by: 'name', per_page: 250, page, ...(filter_by ? { filter_by } : {}) });
    const hits = (res.hits ?? []).map((h) => h.document.id);
    seen.push(...hits);
    if (hits.length < 250) return ids(seen);
  }
}

const byRule = (tenant: string, rule: (t: string, e: Entry) => boolean) => ids(ENTRIES.filter((e) => rule(tenant, e)).map((e) => e.id));
const domainDefinitions = (tenant: string) => byRule(tenant, (t, e) => canSee(t, e.offering));
const domainVersions = (tenant: string) =>
  ids(ENTRIES.flatMap((e) => e.versions.filter((v) => canSeeVersion(tenant, e.offering, v)).map((v) => `${e.id}@${v.version}`)));

async function sqlDefinitions(tenant: string) {
  const rows = await s.sql<{ id: string }[]>`select d.id from workflow_definition d where ${visibleDefinitionSql(s.sql, tenant)}`;
  return ids(rows.map((r) => r.id));
}

async function sqlVersions(tenant: string) {
  const rows = await s.sql<{ id: string }[]>`
    select v.definition_id || '@' || v.version as id
    from workflow_version v join workflow_definition d on d.id = v.definition_id
    where ${visibleVersionSql(s.sql, tenant, 'v', 'd')}`;
  return ids(rows.map((r) => r.id));
}

describe('the access-model agreement matrix', () => {
  it('covers every combination of owner, profile, definition status, version status and version visibility', async () => {
    const combos = new Set(ENTRIES.map((e) => `${e.owner}/${e.profile}/${e.status}`));
    expect(combos.size).toBe(TENANTS.length * Object.keys(PROFILES).length * DEFINITION_STATUSES.length);
    for (const e of ENTRIES) {
      expect(new Set(e.versions.map((v) => `${v.status}/${v.visibility}`)).size, e.id).toBe(VERSION_STATUSES.length * VISIBILITY_PROFILES.length);
    }
    // and the database and the collection hold exactly that matrix
    const [d] = await s.sql<{ n: number }[]>`select count(*)::int as n from workflow_definition`;
    expect(d?.n).toBe(ENTRIES.length);
    const [v] = await s.sql<{ n: number }[]>`select count(*)::int as n from workflow_version`;
    expect(v?.n).toBe(ENTRIES.length * VERSION_STATUSES.length * VISIBILITY_PROFILES.length);
    expect(await searchAll(s.typesense)).toEqual(ids(ENTRIES.map((e) => e.id)));
  });

  it('each tenant sees a non-trivial subset of the others\' entries, and no two tenants see the same', () => {
    const seen = TENANTS.map((t) => domainDefinitions(t));
    for (const [i, t] of TENANTS.entries()) {
      const foreign = seen[i]!.filter((id) => !id.startsWith(`${t}.`));
      // more than its own, less than everything
      expect(foreign.length, t).toBeGreaterThan(0);
      expect(seen[i]!.length, t).toBeLessThan(ENTRIES.length);
      // public and curated entries of others, but never a draft of theirs or an internal one
      expect(foreign.some((id) => id.includes('-public-')), t).toBe(true);
      expect(foreign.some((id) => id.includes('-curated-')), t).toBe(true);
      expect(foreign.some((id) => !id.endsWith('-published')), t).toBe(false);
      expect(foreign.some((id) => id.includes('-internal-') || id.includes('-no-template-')), t).toBe(false);
      // and the curated entries it misses exist: the list matters
      expect(ENTRIES.some((e) => e.owner !== t && e.status === 'published' && e.profile.startsWith('curated') && !seen[i]!.includes(e.id)), t).toBe(true);
    }
    expect(new Set(seen.map((x) => x.join(','))).size).toBe(TENANTS.length);
  });

  it('a rule that forgets one dimension disagrees with the SQL predicate: the matrix would catch it', async () => {
    const wrong: Record<string, (t: string, e: Entry) => boolean> = {
      'ignores the status': (t, e) => e.owner === t || e.offering.visibility === 'public-ecosystem' || (e.offering.visibility === 'partner-curated' && e.offering.audience.includes(t)),
      'ignores the audience': (t, e) => e.owner === t || (e.status === 'published' && e.offering.visibility !== 'internal-only'),
      'ignores the profile': (t, e) => e.owner === t || (e.status === 'published' && (e.offering.visibility === 'public-ecosystem' || e.offering.audience.includes(t))),
      'only global and own (before profiles)': (t, e) => e.owner === t || e.status === 'published',
    };
    const bySql = Object.fromEntries(await Promise.all(TENANTS.map(async (t) => [t, await sqlDefinitions(t)] as const)));
    for (const [name, rule] of Object.entries(wrong)) {
      expect(TENANTS.some((t) => byRule(t, rule).join(',') !== bySql[t]!.join(',')), name).toBe(true);
    }
  });

  for (const tenant of TENANTS) {
    it(`${tenant}: the domain rule, the SQL predicate, the Typesense filter and the scoped key admit the same entries`, async () => {
      const expected = domainDefinitions(tenant);
      expect(await sqlDefinitions(tenant)).toEqual(expected);
      // the filter as the API sends it, with the admin key
      expect(await searchAll(s.typesense, visibleDocumentFilter(tenant))).toEqual(expected);
      // the tenant's scoped key, with no filter of its own: the embedded filter alone
      const parent = await ensureSearchParentKey(s.typesense, s.env.typesenseApiKey);
      const scoped = createTypesense(s.env.typesenseUrl, tenantSearchKey(s.typesense, parent, tenant));
      expect(await searchAll(scoped)).toEqual(expected);
    });

    it(`${tenant}: the domain rule and the SQL predicate admit the same versions`, async () => {
      const expected = domainVersions(tenant);
      const own = expected.filter((id) => id.startsWith(`${tenant}.`));
      // its own versions all, others' only published and shared ones of entries it sees
      expect(own.length).toBe(ENTRIES.filter((e) => e.owner === tenant).length * VERSION_STATUSES.length * VISIBILITY_PROFILES.length);
      expect(expected.length).toBeGreaterThan(own.length);
      expect(await sqlVersions(tenant)).toEqual(expected);
    });
  }
});
