import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogActivities } from '../../activities/catalog.ts';
import { createTypesense, ensureCatalogCollection, type CatalogDocument } from '../../platform/typesense.ts';
import { ensureSearchParentKey, tenantSearchKey } from '../../platform/search-keys.ts';
import { typesenseSearchBody, type CatalogSearchParams } from '../../api/catalog-search.ts';
import { openStack, type DemoUser, type Stack } from '../support/stack.ts';
import { providerSignedToken } from '../support/oidc.ts';
import { DEMO_USERS } from '../../domain/demo-users.ts';

let s: Stack;
/** the same API with Typesense unreachable: it answers from Postgres */
let dead: Stack;
let k: string; // a tag unique to this file: the Postgres read model is shared by all test files

interface Seed {
  key: string;
  tenant: 'acme' | 'globex';
  scope: 'global' | 'tenant-local';
  category: string;
  risk: string;
  status: string;
  team: string;
  tags: string[];
  description: string;
  ageMinutes: number;
}
const SEEDS: Seed[] = [
  { key: 'a1', tenant: 'acme', scope: 'tenant-local', category: 'HR', risk: 'low', status: 'published', team: 'people-ops', tags: ['payroll'], description: 'Quokka payroll export for acme', ageMinutes: 1 },
  { key: 'a2', tenant: 'acme', scope: 'global', category: 'Finance', risk: 'high', status: 'published', team: 'finops', tags: ['finance'], description: 'Quokka ledger close', ageMinutes: 2 },
  { key: 'a3', tenant: 'acme', scope: 'global', category: 'Finance', risk: 'medium', status: 'deprecated', team: 'finops', tags: ['finance'], description: 'Old ledger close', ageMinutes: 3 },
  { key: 'g1', tenant: 'globex', scope: 'tenant-local', category: 'HR', risk: 'low', status: 'published', team: 'people-ops', tags: ['payroll'], description: 'Quokka payroll export for globex', ageMinutes: 4 },
  { key: 'g2', tenant: 'globex', scope: 'global', category: 'Security', risk: 'critical', status: 'published', team: 'security', tags: ['security'], description: 'Access review campaign', ageMinutes: 5 },
];
const ids: Record<string, string> = {};

beforeAll(async () => {
  s = await openStack({ worker: false });
  dead = await openStack({ envOverrides: { TYPESENSE_URL: 'http://127.0.0.1:9' }, worker: false });
  k = `k-${s.suffix}`;
  await ensureCatalogCollection(s.typesense, s.config.TYPESENSE_COLLECTION);
  const { indexCatalogEntry } = createCatalogActivities({ sql: s.sql, typesense: s.typesense, collection: s.config.TYPESENSE_COLLECTION });
  for (const d of SEEDS) {
    const name = `cs-${d.key}-${s.suffix}`;
    const id = `${d.tenant}.${name}`;
    ids[d.key] = id;
    await s.sql`
      insert into workflow_definition (id, tenant_id, name, title, description, category, risk, scope, owner, owner_team, status, latest_version, created_by, updated_at)
      values (${id}, ${d.tenant}, ${name}, ${`Search test ${d.key}`}, ${d.description}, ${d.category}, ${d.risk}, ${d.scope}, ${'owner-' + d.key},
              ${d.team}, ${d.status}, '1.0.0', 'test', now() - make_interval(mins => ${d.ageMinutes}))`;
    for (const tag of [k, ...d.tags]) await s.sql`insert into workflow_tag (definition_id, tenant_id, tag) values (${id}, ${d.tenant}, ${tag})`;
    // a global entry is offered to every tenant by its template's profile (a tenant-local one has none)
    if (d.scope === 'global') {
      await s.sql`insert into workflow_template (id, definition_id, tenant_id, visibility, publisher) values (${id}, ${id}, ${d.tenant}, 'public-ecosystem', 'test')`;
    }
    expect(await indexCatalogEntry({ definitionId: id, workflowId: 'test', runId: 'test' })).toEqual({ indexed: true });
  }
});
afterAll(async () => {
  await dead?.close();
  if (s) {
    const all = Object.values(ids);
    await s.sql`delete from template_audience where template_id = any(${all}::text[])`;
    await s.sql`delete from workflow_template where id = any(${all}::text[])`;
    await s.sql`delete from workflow_tag where definition_id = any(${all}::text[])`;
    await s.sql`delete from workflow_definition where id = any(${all}::text[])`;
    await s.close();
  }
});

interface SearchBody {
  items: { id: string; tenantId: string; scope: string; certified: boolean; visibility: string; description?: string }[];
  found: number;
  page: number;
  perPage: number;
  facets: Record<'category' | 'risk' | 'scope' | 'ownerTeam' | 'tags' | 'status' | 'certified' | 'visibility' | 'publisher', { value: string; count: number }[]>;
  source: 'typesense' | 'postgres';
  degraded?: true;
}
const searchAs = async (stack: Stack, user: DemoUser, query: Record<string, string>) => {
  const res = await stack.as(user).call<SearchBody>('GET', `/catalog?${new URLSearchParams({ tags: k, ...query, ...(query.tags ? { tags: `${k},${query.tags}` } : {}) })}`);
  expect(res.status).toBe(200);
  return res.body;
};
const idSet = (b: SearchBody) => b.items.map((i) => i.id).sort();
const facet = (list: { value: string; count: number }[]) => Object.fromEntries(list.map((f) => [f.value, f.count]));
const keysOf = (...keys: string[]) => keys.map((x) => ids[x]!).sort();

describe('catalog search (Typesense)', () => {
  it('a tenant sees its own entries and other tenants\' global published ones, with facet counts in its scope', async () => {
    const acme = await searchAs(s, 'alice', {});
    expect(acme.source).toBe('typesense');
    expect(acme.degraded).toBeUndefined();
    expect(idSet(acme)).toEqual(keysOf('a1', 'a2', 'g2'));
    expect(acme.found).toBe(3);
    expect(facet(acme.facets.category)).toEqual({ HR: 1, Finance: 1, Security: 1 });
    expect(facet(acme.facets.scope)).toEqual({ global: 2, 'tenant-local': 1 });
    expect(facet(acme.facets.tags)).toEqual({ [k]: 3, payroll: 1, finance: 1, security: 1 });
    // status counts ignore the status filter (published by default): acme's own deprecated entry shows
    expect(facet(acme.facets.status)).toEqual({ published: 3, deprecated: 1 });
    expect(facet(acme.facets.ownerTeam)).toEqual({ 'people-ops': 1, finops: 1, security: 1 });
    expect(acme.items.every((i) => i.certified === false)).toBe(true);

    const globex = await searchAs(s, 'carol', {});
    expect(idSet(globex)).toEqual(keysOf('a2', 'g1', 'g2'));
    expect(facet(globex.facets.scope)).toEqual({ global: 2, 'tenant-local': 1 });
    // acme's deprecated global entry is not globex's to see, in the counts either
    expect(facet(globex.facets.status)).toEqual({ published: 3 });
  });

  it('facet counts are disjunctive: a facet\'s counts ignore its own filter, within the other filters and the tenant scope', async () => {
    for (const [source, stack] of [['typesense', () => s], ['postgres', () => dead]] as const) {
      const hr = await searchAs(stack(), 'alice', { category: 'HR' });
      expect(hr.source, source).toBe(source);
      expect(idSet(hr), source).toEqual(keysOf('a1'));
      expect(facet(hr.facets.category), source).toEqual({ HR: 1, Finance: 1, Security: 1 });
      expect(facet(hr.facets.risk), source).toEqual({ low: 1 });
      expect(facet(hr.facets.scope), source).toEqual({ 'tenant-local': 1 });
      expect(facet(hr.facets.ownerTeam), source).toEqual({ 'people-ops': 1 });
      expect(facet(hr.facets.status), source).toEqual({ published: 1 });
      expect(facet(hr.facets.tags), source).toEqual({ [k]: 1, payroll: 1 });

      // two one-value facets in use: each one's counts keep the other's filter
      const financeHigh = await searchAs(stack(), 'alice', { category: 'Finance', risk: 'high' });
      expect(idSet(financeHigh), source).toEqual(keysOf('a2'));
      expect(facet(financeHigh.facets.category), source).toEqual({ Finance: 1 });
      expect(facet(financeHigh.facets.risk), source).toEqual({ high: 1 });
      const deprecated = await searchAs(stack(), 'alice', { category: 'Finance', status: 'deprecated' });
      expect(idSet(deprecated), source).toEqual(keysOf('a3'));
      expect(facet(deprecated.facets.status), source).toEqual({ published: 1, deprecated: 1 });
      expect(facet(deprecated.facets.risk), source).toEqual({ medium: 1 });
      expect(facet(deprecated.facets.category), source).toEqual({ Finance: 1 });

      // another tenant's local HR entry never counts, though the category filter is ignored for the counts
      const globexHr = await searchAs(stack(), 'carol', { category: 'HR' });
      expect(idSet(globexHr), source).toEqual(keysOf('g1'));
      expect(facet(globexHr.facets.category), source).toEqual({ HR: 1, Finance: 1, Security: 1 });
      expect(facet(globexHr.facets.status), source).toEqual({ published: 1 });
      expect((await searchAs(stack(), 'carol', { category: 'Finance', status: 'deprecated' })).found, source).toBe(0);

      // tags are conjunctive (an entry must carry every tag): their counts apply the tag filter too
      const payroll = await searchAs(stack(), 'alice', { tags: 'payroll' });
      expect(idSet(payroll), source).toEqual(keysOf('a1'));
      expect(facet(payroll.facets.tags), source).toEqual({ [k]: 1, payroll: 1 });
      expect(facet(payroll.facets.category), source).toEqual({ HR: 1 });

      // the text query narrows every count
      const quokkaHr = await searchAs(stack(), 'alice', { q: 'quokka', category: 'HR' });
      expect(idSet(quokkaHr), source).toEqual(keysOf('a1'));
      expect(facet(quokkaHr.facets.category), source).toEqual({ HR: 1, Finance: 1 });
    }
  });

  it('another tenant\'s tenant-local entries stay hidden whatever the filters', async () => {
    const queries: Record<string, string>[] = [{ category: 'HR' }, { tags: 'payroll' }, { scope: 'tenant-local' }, { q: 'quokka payroll' }, { ownerTeam: 'people-ops' }];
    for (const query of queries) {
      const b = await searchAs(s, 'carol', query);
      expect(idSet(b), JSON.stringify(query)).toEqual(keysOf('g1'));
    }
    // another tenant's non-published global entry is hidden too; the owner sees it
    expect((await searchAs(s, 'carol', { status: 'deprecated' })).found).toBe(0);
    expect(idSet(await searchAs(s, 'alice', { status: 'deprecated' }))).toEqual(keysOf('a3'));
  });

  it('filters, sorts, paginates and tolerates typos', async () => {
    expect(idSet(await searchAs(s, 'alice', { risk: 'high' }))).toEqual(keysOf('a2'));
    expect(idSet(await searchAs(s, 'alice', { owner: 'owner-g2' }))).toEqual(keysOf('g2'));
    expect(idSet(await searchAs(s, 'alice', { category: 'Finance', scope: 'global' }))).toEqual(keysOf('a2'));
    expect((await searchAs(s, 'alice', { certified: 'true' })).found).toBe(0);
    expect((await searchAs(s, 'alice', { certified: 'false' })).found).toBe(3);
    const updated = await searchAs(s, 'alice', { sort: 'updated' });
    expect(updated.items.map((i) => i.id)).toEqual([ids.a1, ids.a2, ids.g2]);
    expect((await searchAs(s, 'alice', { sort: 'usage' })).found).toBe(3);
    const page2 = await searchAs(s, 'alice', { sort: 'updated', perPage: '1', page: '2' });
    expect(page2).toMatchObject({ found: 3, page: 2, perPage: 1 });
    expect(page2.items.map((i) => i.id)).toEqual([ids.a2]);
    expect(idSet(await searchAs(s, 'alice', { q: 'quokak' }))).toEqual(keysOf('a1', 'a2'));
    // a narrowed search narrows the facet counts too
    expect(facet((await searchAs(s, 'alice', { q: 'quokka' })).facets.category)).toEqual({ HR: 1, Finance: 1 });
  });

  it('a token the API has already verified is still refused once it expires (as you type, the signature is checked once)', async () => {
    const { sub, ...claims } = DEMO_USERS.find((u) => u.sub === 'alice')!;
    const token = await providerSignedToken(s.env, { sub, ...claims }, { exp: '2s' });
    const call = () => s.request('GET', `/api/catalog?tags=${k}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    const expired = await call();
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { code: string }).code).toBe('TOKEN_EXPIRED');
  });

  it('rejects invalid parameters', async () => {
    for (const query of ['perPage=101', 'sort=random', 'tags=Bad_Tag', 'category=%60x%60', 'certified=yes', 'tenant=globex']) {
      const res = await s.request('GET', `/api/catalog?${query}`, { user: 'alice' });
      expect(res.status, query).toBe(422);
    }
  });

  it('a tenant\'s scoped key used directly against Typesense cannot widen its filter', async () => {
    const parent = await ensureSearchParentKey(s.typesense, s.env.typesenseApiKey);
    const globex = createTypesense(s.env.typesenseUrl, tenantSearchKey(s.typesense, parent, 'globex'));
    const docs = globex.collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION).documents();
    for (const filter_by of ['tenant_id:=acme', `tenant_id:=acme && scope:=\`tenant-local\``, 'scope:=`tenant-local` || tenant_id:=acme', `status:=[published,deprecated]`]) {
      const res = await docs.search({ q: '*', query_by: 'name', filter_by, per_page: 100 });
      const seen = (res.hits ?? []).map((h) => h.document.id);
      expect(seen, filter_by).not.toContain(ids.a1);
      expect(seen, filter_by).not.toContain(ids.a3);
    }
    const all = await docs.search({ q: '*', query_by: 'name', per_page: 100 });
    expect((all.hits ?? []).map((h) => h.document.id).sort()).toEqual(keysOf('a2', 'g1', 'g2'));
    // the key is search-only
    await expect(globex.collections<CatalogDocument>(s.config.TYPESENSE_COLLECTION).documents().create({} as CatalogDocument)).rejects.toMatchObject({ httpStatus: 401 });
  });
});

describe('the API\'s own tenant filter', () => {
  it('keeps the tenant scope by itself: its Typesense searches sent with the admin key (no embedded filter) see no more', async () => {
    const queries: Record<string, string>[] = [{}, { category: 'HR' }, { status: 'deprecated' }, { scope: 'tenant-local' }, { q: 'quokka payroll' }, { category: 'Finance', status: 'deprecated' }];
    for (const query of queries) {
      const viaApi = await searchAs(s, 'carol', query);
      const params = {
        ...query,
        status: query.status ?? 'published',
        tags: [k],
        sort: 'relevance' as const,
        page: 1,
        perPage: 20,
      } as CatalogSearchParams;
      const res = await fetch(`${s.env.typesenseUrl}/multi_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-typesense-api-key': s.env.typesenseApiKey },
        body: typesenseSearchBody('globex', s.config.TYPESENSE_COLLECTION, params),
      });
      const { results } = (await res.json()) as { results: { found: number; hits?: { document: CatalogDocument }[]; facet_counts?: { field_name: string; counts: { value: string; count: number }[] }[] }[] };
      const label = JSON.stringify(query);
      const seen = results.flatMap((r) => (r.hits ?? []).map((h) => h.document.id));
      expect(seen, label).not.toContain(ids.a1);
      expect(seen, label).not.toContain(ids.a3);
      expect(results[0]!.found, label).toBe(viaApi.found);
      expect(seen.sort(), label).toEqual(idSet(viaApi));
      // every count of every search, the other statuses' included, stays within globex's scope
      const counted = Object.fromEntries(results.flatMap((r) => r.facet_counts ?? []).map((f) => [f.field_name, facet(f.counts)]));
      if (counted.category) expect(counted.category, label).toEqual(facet(viaApi.facets.category));
      if (counted.scope) expect(counted.scope, label).toEqual(facet(viaApi.facets.scope));
      if (counted.status) expect(counted.status, label).toEqual(Object.fromEntries(Object.entries(facet(viaApi.facets.status)).filter(([v]) => v !== params.status)));
    }
  });
});

describe('catalog search when Typesense is unreachable', () => {
  it('falls back to Postgres full-text search with the same tenant rule, filters and facets', async () => {
    const globex = await searchAs(dead, 'carol', {});
    expect(globex).toMatchObject({ source: 'postgres', degraded: true, found: 3 });
    expect(idSet(globex)).toEqual(keysOf('a2', 'g1', 'g2'));
    const viaTypesense = await searchAs(s, 'carol', {});
    for (const f of ['category', 'risk', 'scope', 'ownerTeam', 'tags', 'status'] as const) {
      expect(facet(globex.facets[f]), f).toEqual(facet(viaTypesense.facets[f]));
    }
    const queries: Record<string, string>[] = [{ category: 'HR' }, { tags: 'payroll' }, { scope: 'tenant-local' }, { q: 'quokka payroll' }];
    for (const query of queries) {
      expect(idSet(await searchAs(dead, 'carol', query)), JSON.stringify(query)).toEqual(keysOf('g1'));
    }
    expect(idSet(await searchAs(dead, 'alice', { q: 'quokka' }))).toEqual(keysOf('a1', 'a2'));
    expect((await searchAs(dead, 'carol', { status: 'deprecated' })).found).toBe(0);
    const page2 = await searchAs(dead, 'alice', { sort: 'updated', perPage: '1', page: '2' });
    expect(page2).toMatchObject({ found: 3, page: 2, perPage: 1, source: 'postgres' });
    expect(page2.items.map((i) => i.id)).toEqual([ids.a2]);
  });

  it('answers like Typesense: the same rows and facet counts for the same filters', async () => {
    const queries: Record<string, string>[] = [
      {},
      { category: 'HR' },
      { category: 'Finance', risk: 'high' },
      { status: 'deprecated' },
      { scope: 'global', ownerTeam: 'finops' },
      { tags: 'finance' },
      { q: 'quokka', category: 'Finance' },
      { certified: 'false', risk: 'low' },
    ];
    for (const user of ['alice', 'carol'] as const) {
      for (const query of queries) {
        const [pg, ts] = [await searchAs(dead, user, query), await searchAs(s, user, query)];
        const label = `${user} ${JSON.stringify(query)}`;
        expect([pg.source, ts.source], label).toEqual(['postgres', 'typesense']);
        expect(idSet(pg), label).toEqual(idSet(ts));
        expect(pg.found, label).toBe(ts.found);
        for (const f of ['category', 'risk', 'scope', 'ownerTeam', 'tags', 'status', 'certified'] as const) expect(facet(pg.facets[f]), `${label} ${f}`).toEqual(facet(ts.facets[f]));
      }
    }
  });

  it('counts certified entries, disjunctively, in Typesense and in the Postgres fallback', async () => {
    const { indexCatalogEntry } = createCatalogActivities({ sql: s.sql, typesense: s.typesense, collection: s.config.TYPESENSE_COLLECTION });
    await s.sql`update workflow_template set certification_state = 'certified', certified_at = now() where id = ${ids.a2!}`;
    await indexCatalogEntry({ definitionId: ids.a2!, workflowId: 'test-certify', runId: 'test' });
    try {
      for (const [source, stack] of [['typesense', () => s], ['postgres', () => dead]] as const) {
        const all = await searchAs(stack(), 'alice', {});
        expect(facet(all.facets.certified), source).toEqual({ true: 1, false: 2 });
        const certified = await searchAs(stack(), 'alice', { certified: 'true' });
        expect(idSet(certified), source).toEqual(keysOf('a2'));
        expect(certified.items.map((i) => i.certified), source).toEqual([true]);
        // its own filter is ignored for its counts; the other facets keep it
        expect(facet(certified.facets.certified), source).toEqual({ true: 1, false: 2 });
        expect(facet(certified.facets.category), source).toEqual({ Finance: 1 });
        expect(facet((await searchAs(stack(), 'alice', { risk: 'low', certified: 'false' })).facets.certified), source).toEqual({ false: 1 });
      }
    } finally {
      await s.sql`update workflow_template set certification_state = 'none', certified_at = null where id = ${ids.a2!}`;
      await indexCatalogEntry({ definitionId: ids.a2!, workflowId: 'test-uncertify', runId: 'test' });
    }
  });
});

describe('visibility profiles, publishing tenants and the Marketplace view', () => {
  // Entries of their own tag (the searches above never see them): every profile, both tenants.
  interface ProfileSeed {
    key: string;
    tenant: 'acme' | 'globex';
    scope: 'global' | 'tenant-local';
    status: string;
    /** no template: internal-only */
    template?: { visibility: 'internal-only' | 'partner-curated' | 'public-ecosystem'; audience?: string[] };
  }
  const PROFILE_SEEDS: ProfileSeed[] = [
    { key: 'p1', tenant: 'acme', scope: 'tenant-local', status: 'published' },
    { key: 'p2', tenant: 'acme', scope: 'global', status: 'published', template: { visibility: 'public-ecosystem' } },
    { key: 'p3', tenant: 'acme', scope: 'global', status: 'published', template: { visibility: 'partner-curated', audience: ['globex'] } },
    { key: 'p4', tenant: 'acme', scope: 'global', status: 'published', template: { visibility: 'partner-curated', audience: [] } },
    { key: 'p5', tenant: 'globex', scope: 'global', status: 'published', template: { visibility: 'public-ecosystem' } },
    { key: 'p6', tenant: 'globex', scope: 'global', status: 'published', template: { visibility: 'partner-curated', audience: ['acme'] } },
    { key: 'p7', tenant: 'globex', scope: 'global', status: 'published', template: { visibility: 'internal-only' } },
    { key: 'p8', tenant: 'acme', scope: 'global', status: 'deprecated', template: { visibility: 'public-ecosystem' } },
  ];
  let pk: string;
  const pid: Record<string, string> = {};
  const pKeys = (...keys: string[]) => keys.map((x) => pid[x]!).sort();
  const searchP = async (stack: Stack, user: DemoUser, query: Record<string, string>) => {
    const res = await stack.as(user).call<SearchBody>('GET', `/catalog?${new URLSearchParams({ ...query, tags: pk })}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    pk = `p-${s.suffix}`;
    const { indexCatalogEntry } = createCatalogActivities({ sql: s.sql, typesense: s.typesense, collection: s.config.TYPESENSE_COLLECTION });
    for (const d of PROFILE_SEEDS) {
      const name = `cs-${d.key}-${s.suffix}`;
      const id = `${d.tenant}.${name}`;
      pid[d.key] = id;
      await s.sql`
        insert into workflow_definition (id, tenant_id, name, description, category, risk, scope, owner, status, latest_version, created_by)
        values (${id}, ${d.tenant}, ${name}, ${`Profile test ${d.key}`}, 'IT', 'low', ${d.scope}, 'test', ${d.status}, '1.0.0', 'test')`;
      await s.sql`insert into workflow_tag (definition_id, tenant_id, tag) values (${id}, ${d.tenant}, ${pk})`;
      if (d.template) {
        await s.sql`insert into workflow_template (id, definition_id, tenant_id, visibility, publisher) values (${id}, ${id}, ${d.tenant}, ${d.template.visibility}, 'test')`;
        for (const t of d.template.audience ?? []) await s.sql`insert into template_audience (template_id, tenant_id, added_by) values (${id}, ${t}, 'test')`;
      }
      expect(await indexCatalogEntry({ definitionId: id, workflowId: 'test', runId: 'test' })).toEqual({ indexed: true });
    }
  });
  afterAll(async () => {
    const all = Object.values(pid);
    await s.sql`delete from template_audience where template_id = any(${all}::text[])`;
    await s.sql`delete from workflow_template where id = any(${all}::text[])`;
    await s.sql`delete from workflow_tag where definition_id = any(${all}::text[])`;
    await s.sql`delete from workflow_definition where id = any(${all}::text[])`;
  });

  it('each tenant sees its own entries and the ones offered to it: public, and partner-curated with it on the list', async () => {
    for (const [source, stack] of [['typesense', () => s], ['postgres', () => dead]] as const) {
      const acme = await searchP(stack(), 'alice', {});
      expect(acme.source, source).toBe(source);
      expect(idSet(acme), source).toEqual(pKeys('p1', 'p2', 'p3', 'p4', 'p5', 'p6'));
      expect(Object.fromEntries(acme.items.map((i) => [i.id, i.visibility])), source).toEqual({
        [pid.p1!]: 'internal-only',
        [pid.p2!]: 'public-ecosystem',
        [pid.p3!]: 'partner-curated',
        [pid.p4!]: 'partner-curated',
        [pid.p5!]: 'public-ecosystem',
        [pid.p6!]: 'partner-curated',
      });
      expect(facet(acme.facets.visibility), source).toEqual({ 'internal-only': 1, 'public-ecosystem': 2, 'partner-curated': 3 });
      expect(facet(acme.facets.publisher), source).toEqual({ acme: 4, globex: 2 });
      const globex = await searchP(stack(), 'carol', {});
      // not acme's tenant-local p1, nor p4 (curated for nobody yet)
      expect(idSet(globex), source).toEqual(pKeys('p2', 'p3', 'p5', 'p6', 'p7'));
      expect(facet(globex.facets.publisher), source).toEqual({ acme: 2, globex: 3 });
    }
  });

  it('filters by profile and publishing tenant, with disjunctive counts, in Typesense and in Postgres alike', async () => {
    for (const [source, stack] of [['typesense', () => s], ['postgres', () => dead]] as const) {
      const curated = await searchP(stack(), 'alice', { visibility: 'partner-curated' });
      expect(idSet(curated), source).toEqual(pKeys('p3', 'p4', 'p6'));
      // the profile's counts ignore its own filter; the publisher's keep it
      expect(facet(curated.facets.visibility), source).toEqual({ 'internal-only': 1, 'public-ecosystem': 2, 'partner-curated': 3 });
      expect(facet(curated.facets.publisher), source).toEqual({ acme: 2, globex: 1 });
      const byGlobex = await searchP(stack(), 'carol', { publisher: 'globex' });
      expect(idSet(byGlobex), source).toEqual(pKeys('p5', 'p6', 'p7'));
      expect(facet(byGlobex.facets.publisher), source).toEqual({ acme: 2, globex: 3 });
      expect(facet(byGlobex.facets.visibility), source).toEqual({ 'public-ecosystem': 1, 'partner-curated': 1, 'internal-only': 1 });
      const both = await searchP(stack(), 'carol', { publisher: 'acme', visibility: 'partner-curated' });
      expect(idSet(both), source).toEqual(pKeys('p3'));
      // another tenant's internal entries stay out whatever the filter asks
      expect((await searchP(stack(), 'alice', { publisher: 'globex', visibility: 'internal-only' })).found, source).toBe(0);
      expect((await searchP(stack(), 'carol', { publisher: 'acme', visibility: 'internal-only' })).found, source).toBe(0);
    }
  });

  it('separates "my workflows" from the Marketplace', async () => {
    for (const [source, stack] of [['typesense', () => s], ['postgres', () => dead]] as const) {
      expect(idSet(await searchP(stack(), 'alice', { view: 'mine' })), source).toEqual(pKeys('p1', 'p2', 'p3', 'p4'));
      // offered beyond their tenant: its own shared ones and those offered to it
      const market = await searchP(stack(), 'alice', { view: 'marketplace' });
      expect(idSet(market), source).toEqual(pKeys('p2', 'p3', 'p4', 'p5', 'p6'));
      expect(facet(market.facets.visibility), source).toEqual({ 'public-ecosystem': 2, 'partner-curated': 3 });
      expect(idSet(await searchP(stack(), 'carol', { view: 'marketplace' })), source).toEqual(pKeys('p2', 'p3', 'p5', 'p6'));
      expect(idSet(await searchP(stack(), 'carol', { view: 'mine' })), source).toEqual(pKeys('p5', 'p6', 'p7'));
      // the owner's deprecated shared entry is its own, not on offer to anyone else
      expect(idSet(await searchP(stack(), 'alice', { view: 'marketplace', status: 'deprecated' })), source).toEqual(pKeys('p8'));
      expect((await searchP(stack(), 'carol', { view: 'marketplace', status: 'deprecated' })).found, source).toBe(0);
    }
  });

  it('answers like Typesense from Postgres for every combination of the new filters', async () => {
    const queries: Record<string, string>[] = [
      { view: 'mine', visibility: 'public-ecosystem' },
      { view: 'marketplace', publisher: 'globex' },
      { view: 'marketplace', visibility: 'partner-curated', publisher: 'acme' },
      { visibility: 'internal-only' },
      { publisher: 'acme', status: 'deprecated' },
    ];
    for (const user of ['alice', 'carol'] as const) {
      for (const query of queries) {
        const [pg, ts] = [await searchP(dead, user, query), await searchP(s, user, query)];
        const label = `${user} ${JSON.stringify(query)}`;
        expect(idSet(pg), label).toEqual(idSet(ts));
        for (const f of ['visibility', 'publisher', 'status', 'scope'] as const) expect(facet(pg.facets[f]), `${label} ${f}`).toEqual(facet(ts.facets[f]));
      }
    }
  });

  it('rejects a publisher that is not a tenant id and an unknown view or profile', async () => {
    for (const query of ['publisher=Acme%20Corp', 'publisher=%60acme%60', 'view=all', 'visibility=public']) {
      expect((await s.request('GET', `/api/catalog?${query}`, { user: 'alice' })).status, query).toBe(422);
    }
  });
});
