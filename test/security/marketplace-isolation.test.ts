// Cross-tenant isolation over every marketplace endpoint, derived from the OpenAPI document:
// tenant A (acme) holds an internal-only template, a partner-curated one whose list does
// not name globex, a draft, a publish awaiting approval, an instance with a run waiting at
// an approval step, an install awaiting approval and a secret. Tenant B's users (globex:
// gus tenant-admin, carol author, dave reviewer + tenant-admin) call every operation with
// A's ids in its path: each is refused (403 ROLE_REQUIRED, when the role is missing) or
// invisible (404), never answered, never with A's data in the body, and A's rows are the
// same afterwards. Operations on the caller's own collection (lists, a new draft, a secret
// of the same name) answer with B's own data only. Then the positive half: a partner-curated
// template is visible and installable exactly by the tenants on its list — a third tenant
// (initech) is on it first, then the curator moves it to globex, and initech runs the whole
// matrix and sees nothing. A database of this file's own: it adds a tenant.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import { isPermitted, type Permission } from '../../domain/access.ts';
import type { Actor } from '../../domain/actor.ts';
import { createSecretStore, secretRef } from '../../platform/secrets.ts';
import { providerSignedToken } from '../support/oidc.ts';
import { openStack, prepareDatabase, testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { waitForRun, waitingAt } from '../engine/support.ts';
import { call, install, publishTemplate, requestInstall, waitForInstall } from '../marketplace/support.ts';

let s: Stack;
const sfx = randomUUID().slice(0, 8);

/** The prefixes of the marketplace's operations: each operation under them needs a case below. */
const PREFIXES = ['/templates', '/installs', '/instances', '/secrets', '/runs', '/definitions', '/catalog', '/approvals', '/usage', '/receipts'];

/** A's resources, filled by beforeAll. */
const A = {
  internal: '',
  curated: '',
  draft: '',
  pendingPublish: '',
  instance: '',
  pendingInstall: '',
  run: '',
  runWorkflow: '',
  secretName: `acme_iso_${sfx}`,
  secretValue: `ACME-ISO-SECRET-${randomUUID()}`,
  paramValue: `acme-param-${randomUUID()}`,
  endpoint: `https://hooks.example.internal/acme-iso-${sfx}`,
  /** A's receipts (publish of its internal and curated versions, install, curate) */
  receipts: [] as string[],
};
const B_SECRET_VALUE = `GLOBEX-ISO-SECRET-${randomUUID()}`;
/** What globex may see: A's public template, and its own workflow, instance, run and secret. */
const B = { publicOfA: '', own: '', instance: '', run: '', secretName: `globex_own_${sfx}` };

/** Everything of A's that must never reach another tenant (unless the request itself named it). */
const needles = () => [
  A.internal,
  A.curated,
  A.draft,
  A.pendingPublish,
  A.instance,
  A.pendingInstall,
  `install/${A.instance}`,
  `install/${A.pendingInstall}`,
  A.run,
  A.runWorkflow,
  A.secretName,
  secretRef('acme', A.secretName),
  A.secretValue,
  Buffer.from(A.secretValue).toString('base64'),
  A.paramValue,
  A.endpoint,
];

/** A tenant-local template with a required parameter, an endpoint and a secret; its runs wait at a gate first. */
const internalSpec = () =>
  testSpec({
    name: `iso-internal-${sfx}`,
    scope: 'tenant-local',
    extra: {
      parameters: {
        type: 'object',
        required: ['note', 'endpoint'],
        properties: { note: { type: 'string' }, endpoint: { type: 'string', format: 'uri' } },
      },
      secrets: [{ name: 'api_token', description: 'token of the endpoint' }],
      steps: [
        { id: 'gate', task: 'approval@1.0.0', with: { message: 'Go on?', approvers: { roles: ['tenant-admin'] } } },
        { id: 'call', task: 'http.request@1.0.0', with: { url: '${{ params.endpoint }}', method: 'POST', authToken: '${{ secrets.api_token }}', body: { note: '${{ params.note }}' } } },
      ],
    },
  });

/** A global high-risk template without bindings: installing it waits for a second tenant admin. */
const curatedSpec = () =>
  testSpec({
    name: `iso-curated-${sfx}`,
    scope: 'global',
    risk: 'high',
    extra: {
      parameters: { type: 'object', properties: {} },
      steps: [{ id: 'shape', task: 'transform@1.0.0', with: { expression: "'ok'", data: {} } }],
    },
  });

// ---- callers ----

interface Caller {
  name: string;
  token: string;
  actor: Pick<Actor, 'roles'>;
}

const demoCaller = (user: DemoUser): Caller => ({ name: user, token: s.tokens[user], actor: DEMO_USERS.find((u) => u.sub === user)! });
let ivan: Caller;

interface Answer {
  status: number;
  code?: string;
  text: string;
}

async function send(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await s.app.request(`http://test/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // an event stream of a live run would never end: its opening is the answer
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, text: '<event-stream>' };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: res.status, ...(code ? { code } : {}), text };
}

// ---- the matrix ----

/**
 * `hidden`: the operation names one of A's resources — a caller with the permission gets 404.
 * `own`: it acts on the caller's own tenant (a list, a new draft, a secret of the same name) —
 * it answers 2xx, with none of A's data. A caller without the permission gets 403 ROLE_REQUIRED either way.
 */
interface Case {
  kind: 'hidden' | 'own';
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
}

const hidden = (params: Record<string, string>, body?: unknown, query?: string): Case => ({ kind: 'hidden', params, ...(body !== undefined ? { body } : {}), ...(query ? { query } : {}) });
const own = (query?: string, body?: unknown, params?: Record<string, string>): Case => ({ kind: 'own', ...(query ? { query } : {}), ...(body !== undefined ? { body } : {}), ...(params ? { params } : {}) });

/** Every operation under PREFIXES, keyed "METHOD /path" as the OpenAPI document names it. */
function cases(): Record<string, Case[]> {
  const templates = [{ id: A.internal }, { id: A.curated }];
  const definitions = [{ id: A.internal }, { id: A.curated }, { id: A.draft }, { id: A.pendingPublish }];
  const versions = definitions.map((d) => ({ ...d, version: '1.0.0' }));
  const installs = [{ instanceId: A.instance }, { instanceId: A.pendingInstall }];
  const rationale = 'Looks fine to me.';
  return {
    // templates
    'GET /templates': [own('view=marketplace'), own('view=mine'), own('view=marketplace&publisher=acme'), own(`q=${encodeURIComponent(`iso-internal-${sfx}`)}`)],
    'GET /templates/{id}': templates.map((p) => hidden(p)),
    'GET /templates/{id}/usage': templates.map((p) => hidden(p)),
    // upgrade campaigns: the publishing tenant's only; a tenant's usage is its own
    'GET /templates/{id}/campaigns': templates.map((p) => hidden(p)),
    'GET /templates/{id}/campaigns/{version}': templates.map((p) => hidden({ ...p, version: '1.0.0' })),
    'GET /usage': [own()],
    'GET /templates/{id}/audience': templates.map((p) => hidden(p)),
    'PUT /templates/{id}/audience': templates.map((p) => hidden(p, { tenants: ['globex'] })),
    'POST /templates/{id}/install-check': templates.map((p) => hidden(p, { environment: 'dev', parameters: { note: 'x', endpoint: A.endpoint } })),
    // installs
    'POST /installs': templates.map((p) => hidden({}, { templateId: p.id, environment: 'prod' })),
    'GET /installs': [own()],
    'GET /installs/{instanceId}': installs.map((p) => hidden(p)),
    'POST /installs/{instanceId}/approvals': installs.map((p) => hidden(p, { decision: 'approve', rationale })),
    'POST /installs/{instanceId}/override': installs.map((p) => hidden(p, { rule: 'marketplace.external-risk-cap', rationale })),
    // instances
    'GET /instances': [own(), own('status=all'), own(`templateId=${A.internal}`)],
    'GET /instances/{id}': [hidden({ id: A.instance }), hidden({ id: A.pendingInstall })],
    'POST /instances/{id}/runs': [hidden({ id: A.instance }, { params: {} })],
    'POST /instances/{id}/disable': [hidden({ id: A.instance })],
    'POST /instances/{id}/enable': [hidden({ id: A.instance })],
    'DELETE /instances/{id}': [hidden({ id: A.instance }, undefined, 'inFlight=cancel'), hidden({ id: A.pendingInstall })],
    'PATCH /instances/{id}': [hidden({ id: A.instance }, { upgradePolicy: 'minor' })],
    // upgrades
    'POST /instances/{id}/upgrade-check': [hidden({ id: A.instance }, {})],
    'POST /instances/{id}/upgrades': [hidden({ id: A.instance }, {}), hidden({ id: A.instance }, { toVersion: '1.0.0' })],
    'GET /instances/{id}/upgrades': [hidden({ id: A.instance })],
    'GET /instances/{id}/upgrades/{version}': [hidden({ id: A.instance, version: '1.0.0' })],
    'POST /instances/{id}/upgrades/{version}/approvals': [hidden({ id: A.instance, version: '1.0.0' }, { decision: 'approve', rationale })],
    'POST /instances/{id}/upgrades/{version}/override': [hidden({ id: A.instance, version: '1.0.0' }, { rule: 'marketplace.external-risk-cap', rationale })],
    // secrets: the name is A's, the secret written is the caller's own (secrets are per tenant)
    'GET /secrets': [own()],
    'DELETE /secrets/{name}': [hidden({ name: A.secretName })],
    'PUT /secrets/{name}': [own(undefined, { value: B_SECRET_VALUE, description: 'same name, another tenant' }, { name: A.secretName })],
    // runs
    'GET /runs': [own(), own(`definitionId=${A.internal}`)],
    'GET /runs/{runId}': [hidden({ runId: A.run })],
    'GET /runs/{runId}/events': [hidden({ runId: A.run })],
    'POST /runs/{runId}/steps/{stepId}/approvals': [hidden({ runId: A.run, stepId: 'gate' }, { decision: 'approve', rationale })],
    'POST /runs/{runId}/cancel': [hidden({ runId: A.run }, { reason: 'not yours' })],
    'POST /runs/{runId}/override': [hidden({ runId: A.run }, { rule: 'local.critical-business-hours', rationale })],
    // definitions: a draft of the same name is the caller's own
    'POST /definitions': [own(undefined, { spec: internalSpec() })],
    'GET /definitions/{id}': definitions.map((p) => hidden(p)),
    'GET /definitions/{id}/changes': definitions.map((d) => hidden(d, undefined, 'from=1.0.0&to=1.0.1')),
    'GET /definitions/{id}/versions/{version}': versions.map((p) => hidden(p)),
    'GET /definitions/{id}/versions/{version}/signature': versions.map((p) => hidden(p)),
    'GET /definitions/{id}/readiness': definitions.map((p) => hidden(p)),
    'POST /definitions/{id}/runs': definitions.map((p) => hidden(p, { params: { note: 'x', endpoint: A.endpoint } })),
    'POST /definitions/{id}/publish-requests': definitions.map((p) => hidden(p, { version: '1.0.0' })),
    'GET /definitions/{id}/publish-requests/{version}': versions.map((p) => hidden(p)),
    'POST /definitions/{id}/publish-requests/{version}/approvals': versions.map((p) => hidden(p, { decision: 'approve', rationale })),
    'POST /definitions/{id}/publish-requests/{version}/override': versions.map((p) => hidden(p, { rule: 'local.approval-before-side-effects', rationale })),
    // marketplace reviews: a tenant reads the reviews of versions it may see, and requests its own
    'POST /definitions/{id}/versions/{version}/review-requests': versions.map((p) => hidden(p, { visibility: 'public-ecosystem' })),
    'GET /definitions/{id}/versions/{version}/review': versions.map((p) => hidden(p)),
    'GET /definitions/{id}/versions/{version}/review/evidence-bundle': versions.map((p) => hidden(p)),
    'POST /definitions/{id}/versions/{version}/review/{kind}/decisions': versions.map((p) => hidden({ ...p, kind: 'security' }, { decision: 'approve', rationale })),
    // certification: only platform certifiers start one; a tenant reads those of versions it may see
    'POST /definitions/{id}/versions/{version}/certifications': versions.map((p) => hidden(p, { rationale })),
    'GET /definitions/{id}/versions/{version}/certification': versions.map((p) => hidden(p)),
    // catalog and approvals
    'GET /catalog': [own(), own(`q=${encodeURIComponent(`iso-curated-${sfx}`)}`), own('owner=acme')],
    'GET /catalog/{id}': definitions.map((p) => hidden(p)),
    'GET /catalog/reindex': [own()],
    'POST /catalog/reindex': [own()],
    'POST /catalog/health-rollups': [own()],
    'GET /approvals/pending': [own()],
    // receipts: the caller's own, and publish receipts of versions it may see
    'GET /receipts': [own(), own('lifecycle=install'), own(`subject=${encodeURIComponent(`${A.internal}@1.0.0`)}`), own(`workflowId=${encodeURIComponent(`install/${A.instance}`)}`)],
    'GET /receipts/{id}': A.receipts.map((id) => hidden({ id })),
  };
}

interface Operation {
  key: string;
  method: string;
  path: string;
  permission: Permission;
}

async function operations(): Promise<Operation[]> {
  const res = await s.app.request('http://test/api/openapi.json');
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { 'x-permission'?: Permission }>> };
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
      expect(op['x-permission'], `${method} ${path} declares its permission`).toBeDefined();
      ops.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, permission: op['x-permission']! });
    }
  }
  return ops;
}

const fill = (path: string, params: Record<string, string> = {}) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });

/** Secret writes last: a secret of A's name then exists in the caller's tenant (and in its lists). */
const order = (op: Operation) => (op.key === 'PUT /secrets/{name}' ? 1 : 0);

/**
 * Runs every case of every operation as each caller and returns what went wrong (empty: all
 * refused, invisible or the caller's own), so one failure does not hide the others.
 */
async function runMatrix(callers: Caller[]): Promise<{ failures: string[]; calls: number }> {
  const ops = await operations();
  const table = cases();
  const failures: string[] = [];
  let calls = 0;
  for (const op of [...ops].sort((a, b) => order(a) - order(b))) {
    for (const c of table[op.key] ?? []) {
      for (const caller of callers) {
        const path = `${fill(op.path, c.params)}${c.query ? `?${c.query}` : ''}`;
        const answer = await send(caller.token, op.method, path, c.body);
        calls++;
        const where = `${caller.name}: ${op.method} ${path} → ${answer.status} ${answer.code ?? ''}`;
        const permitted = isPermitted(caller.actor, op.permission);
        if (!permitted) {
          if (answer.status !== 403 || answer.code !== 'ROLE_REQUIRED') failures.push(`${where} (expected 403 ROLE_REQUIRED: lacks ${op.permission})`);
        } else if (c.kind === 'hidden') {
          if (answer.status !== 404 || answer.code === 'ROUTE_NOT_FOUND') failures.push(`${where} (expected 404: A's resource)`);
        } else if (answer.status < 200 || answer.status > 299) {
          failures.push(`${where} (expected 2xx: the caller's own)`);
        }
        const asked = `${path}\n${JSON.stringify(c.body ?? null)}`;
        for (const needle of needles()) {
          if (!asked.includes(needle) && answer.text.includes(needle)) failures.push(`${where}: the body holds A's ${needle}`);
        }
      }
    }
  }
  return { failures, calls };
}

/** A's rows in every tenant-owned table (and the curated lists of A's templates), to compare before and after. */
async function snapshotOfA(): Promise<Record<string, unknown>> {
  const tables = ['workflow_definition', 'workflow_tag', 'workflow_version', 'workflow_template', 'workflow_instance', 'install_request', 'publish_request', 'approval', 'review_request', 'provenance_receipt', 'secret', 'run', 'tenant_setting'];
  const snap: Record<string, unknown> = {};
  for (const table of tables) {
    const [row] = await s.sql<{ rows: unknown }[]>`
      select coalesce(jsonb_agg(to_jsonb(t) order by to_jsonb(t)::text), '[]'::jsonb) as rows from ${s.sql(table)} t where tenant_id = 'acme'`;
    snap[table] = row!.rows;
  }
  const [aud] = await s.sql<{ rows: unknown }[]>`
    select coalesce(jsonb_agg(to_jsonb(t) order by to_jsonb(t)::text), '[]'::jsonb) as rows from template_audience t where template_id like 'acme.%'`;
  snap.template_audience = aud!.rows;
  return snap;
}

const acmeSecret = () => createSecretStore(s.sql, s.env.secretsKey).resolve(secretRef('acme', A.secretName), 'acme');

async function curate(tenants: string[]) {
  const started = await call<{ workflowId: string; runId: string }>(s, 'cora', 'PUT', `/templates/${A.curated}/audience`, { tenants });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const result = (await s.client.workflow.getHandle(started.body.workflowId, started.body.runId).result()) as { status: string; audience: string[] };
  expect(result).toMatchObject({ status: 'applied', audience: tenants });
}

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`isolation_${sfx}`) });
  // a third tenant and one user of it (a token signed by the embedded provider for an account it does not have)
  await s.sql`insert into tenant (id, name) values ('initech', 'Initech')`;
  await s.sql`insert into tenant_setting (tenant_id, egress_allow) values ('initech', ${['*.example.internal']}::text[])`;
  ivan = {
    name: 'ivan@initech',
    token: await providerSignedToken(s.env, { sub: 'ivan', tenant: 'initech', roles: ['tenant-admin', 'author', 'publisher', 'reviewer'], team: 'it', name: 'Ivan Initech' }),
    actor: { roles: ['tenant-admin', 'author', 'publisher', 'reviewer'] },
  };

  expect((await call(s, 'tina', 'PUT', `/secrets/${A.secretName}`, { value: A.secretValue, description: 'acme only' })).status).toBe(204);

  // internal-only: a tenant-local, low-risk workflow published by its author
  const internal = internalSpec();
  A.internal = (await s.as('alice').createDraft(internal)).body.definitionId;
  await s.as('alice').requestPublish(A.internal, '1.0.0');
  expect(await s.as('alice').waitForPublish(A.internal, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');

  // partner-curated, high risk: offered by the publisher, reviewed, curated list = initech only
  A.curated = await publishTemplate(s, curatedSpec(), { visibility: 'partner-curated', offer: { summary: 'Curated for partners', environments: ['dev', 'staging', 'prod'] } });
  await curate(['initech']);

  // a draft, and a publish awaiting approval (medium risk)
  A.draft = (await s.as('alice').createDraft(testSpec({ name: `iso-draft-${sfx}` }))).body.definitionId;
  A.pendingPublish = (await s.as('alice').createDraft(testSpec({ name: `iso-pending-${sfx}`, risk: 'medium' }))).body.definitionId;
  await s.as('alice').requestPublish(A.pendingPublish, '1.0.0');
  expect(await s.as('alice').waitForPublish(A.pendingPublish, '1.0.0', ['awaiting_approval', 'published', 'denied', 'invalid'])).toBe('awaiting_approval');

  // what globex does see, so that its lists are not empty: A's public template, and its own
  // workflow installed, run and given a secret
  B.publicOfA = await publishTemplate(s, testSpec({ name: `iso-public-${sfx}`, scope: 'global' }));
  B.own = (await s.as('carol').createDraft(testSpec({ name: `iso-globex-${sfx}` }))).body.definitionId;
  await s.as('carol').requestPublish(B.own, '1.0.0');
  expect(await s.as('carol').waitForPublish(B.own, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
  B.instance = await install(s, 'gus', { templateId: B.own, environment: 'dev' });
  const own = await call<{ runId: string }>(s, 'gus', 'POST', `/instances/${B.instance}/runs`, { params: { email: 'g@globex.example' } });
  expect(own.status, JSON.stringify(own.body)).toBe(202);
  B.run = own.body.runId;
  expect((await waitForRun(s, 'gus', B.run)).status).toBe('completed');
  expect((await call(s, 'gus', 'PUT', `/secrets/${B.secretName}`, { value: `globex-${randomUUID()}` })).status).toBe(204);

  // tina installs A's own internal template, with A's secret and a parameter of A's, and starts a run that waits at its gate
  A.instance = await install(s, 'tina', { templateId: A.internal, environment: 'dev', parameters: { note: A.paramValue, endpoint: A.endpoint }, secrets: { api_token: A.secretName } });
  const started = await call<{ runId: string; workflowId: string }>(s, 'tina', 'POST', `/instances/${A.instance}/runs`, { params: {} });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  Object.assign(A, { run: started.body.runId, runWorkflow: started.body.workflowId });
  await waitForRun(s, 'tina', A.run, waitingAt('gate'), 60_000);

  // an install awaiting a second acme tenant admin (high risk)
  A.pendingInstall = await requestInstall(s, 'tina', { templateId: A.curated, environment: 'staging' });
  expect((await waitForInstall(s, 'tina', A.pendingInstall, ['awaiting_approval', 'installed', 'denied', 'invalid', 'failed'])).status).toBe('awaiting_approval');

  A.receipts = (
    await s.sql<{ id: string }[]>`
      select id from provenance_receipt where tenant_id = 'acme'
        and subject in (${`${A.internal}@1.0.0`}, ${`${A.curated}@1.0.0`}, ${`instance:${A.instance}`}, ${A.curated})`
  ).map((r) => r.id);
  expect(A.receipts.length).toBeGreaterThanOrEqual(4);
}, 240_000);

afterAll(async () => {
  await s?.close();
});

describe("another tenant against every marketplace operation on A's resources", () => {
  it('every operation under the marketplace prefixes has a case, and every case an operation', async () => {
    const documented = new Set((await operations()).map((o) => o.key));
    const covered = new Set(Object.keys(cases()));
    expect([...documented].filter((k) => !covered.has(k)), 'operations without a case: add one to cases()').toEqual([]);
    expect([...covered].filter((k) => !documented.has(k)), 'cases of operations that no longer exist').toEqual([]);
  });

  it("globex's users are refused or shown nothing, and A's rows do not change", async () => {
    const before = await snapshotOfA();
    const { failures, calls } = await runMatrix((['gus', 'carol', 'dave'] as const).map(demoCaller));
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(150);
    expect(await snapshotOfA()).toEqual(before);
  }, 180_000);

  it("the lists it was shown are globex's own (and what is offered to it), not empty", async () => {
    const text = async (path: string) => (await send(s.tokens.gus, 'GET', path)).text;
    expect(await text('/templates?view=marketplace')).toContain(B.publicOfA);
    expect(await text('/templates?view=mine')).toContain(B.own);
    expect(await text('/installs')).toContain(B.instance);
    expect(await text('/instances')).toContain(B.instance);
    expect(await text('/runs')).toContain(B.run);
    expect(await text('/secrets')).toContain(B.secretName);
    const catalog = await text('/catalog?perPage=100');
    expect(catalog).toContain(B.publicOfA);
    expect(catalog).toContain(B.own);
  });

  it('the matrix can fail: A itself is answered, with its data', async () => {
    // the same kind of request as the owner: the cases name real resources
    const tina = await send(s.tokens.tina, 'GET', `/instances/${A.instance}`);
    expect(tina.status).toBe(200);
    expect(tina.text).toContain(A.paramValue);
    expect(tina.text).toContain(secretRef('acme', A.secretName));
    expect((await send(s.tokens.alice, 'GET', `/templates/${A.internal}`)).status).toBe(200);
    expect((await send(s.tokens.tina, 'GET', `/installs/${A.pendingInstall}`)).text).toContain('awaiting_approval');
    expect((await send(s.tokens.tina, 'GET', '/secrets')).text).toContain(A.secretName);
  });

  it("A's run still waits at its gate, A's install still waits, A's secret keeps its value", async () => {
    const run = await waitForRun(s, 'tina', A.run, waitingAt('gate'));
    expect(run.status).toBe('running');
    expect(run.steps.find((st) => st.id === 'gate')!.approval?.approvals).toEqual([]);
    const pending = await waitForInstall(s, 'tina', A.pendingInstall, ['awaiting_approval', 'installed', 'failed', 'rejected']);
    expect(pending).toMatchObject({ status: 'awaiting_approval', approvals: [] });
    expect((await s.sql`select status from workflow_instance where id = ${A.instance}`)[0]).toEqual({ status: 'active' });

    // secrets are namespaced per tenant: B's PUT of the same name made B's own secret
    expect(await acmeSecret()).toBe(A.secretValue);
    expect(await createSecretStore(s.sql, s.env.secretsKey).resolve(secretRef('globex', A.secretName), 'globex')).toBe(B_SECRET_VALUE);
    // and a reference to A's secret is never resolved for B
    await expect(createSecretStore(s.sql, s.env.secretsKey).resolve(secretRef('acme', A.secretName), 'globex')).rejects.toThrow();
  });
});

describe('a partner-curated template is visible and installable exactly by the tenants on its list', () => {
  const marketIds = async (token: string) => {
    const res = await send(token, 'GET', '/templates?view=marketplace&perPage=100');
    expect(res.status).toBe(200);
    return (JSON.parse(res.text) as { items: { id: string }[] }).items.map((i) => i.id);
  };
  const installCheck = (token: string) => send(token, 'POST', `/templates/${A.curated}/install-check`, { environment: 'prod' });

  it('while the list names initech: initech sees it and may install it, globex does not', async () => {
    expect(await marketIds(ivan.token)).toContain(A.curated);
    expect((await send(ivan.token, 'GET', `/templates/${A.curated}`)).status).toBe(200);
    const check = await installCheck(ivan.token);
    expect(check.status).toBe(200);
    expect(JSON.parse(check.text)).toMatchObject({ allow: true, approvalsRequired: 1 });
    expect(await marketIds(s.tokens.gus)).not.toContain(A.curated);
    expect((await installCheck(s.tokens.gus)).status).toBe(404);
  });

  it('once the curator moves it to globex: globex sees and installs it, initech gets 404 everywhere', async () => {
    await curate(['globex']);

    // globex: the marketplace, the template, the catalog entry, the preview, then the install itself
    for (const user of ['gus', 'carol'] as const) {
      expect(await marketIds(s.tokens[user]), user).toContain(A.curated);
      const t = await send(s.tokens[user], 'GET', `/templates/${A.curated}`);
      expect(t.status, user).toBe(200);
      expect(JSON.parse(t.text)).toMatchObject({ id: A.curated, visibility: 'partner-curated', publisherTenant: 'acme' });
      expect((await send(s.tokens[user], 'GET', `/catalog/${A.curated}`)).status, user).toBe(200);
    }
    const check = await installCheck(s.tokens.gus);
    expect(check.status).toBe(200);
    expect(JSON.parse(check.text)).toMatchObject({ allow: true, deny: [], approvalsRequired: 1, problems: [] });
    // staging: prod takes certified marketplace versions only (marketplace.prod-needs-certification)
    const id = await requestInstall(s, 'gus', { templateId: A.curated, environment: 'staging' });
    expect((await waitForInstall(s, 'gus', id, ['awaiting_approval', 'installed', 'denied', 'invalid', 'failed'])).status).toBe('awaiting_approval');
    expect((await call(s, 'dave', 'POST', `/installs/${id}/approvals`, { decision: 'approve', rationale: 'Curated for us; reviewed.' })).status).toBe(200);
    expect((await waitForInstall(s, 'gus', id)).status).toBe('installed');
    const mine = await send(s.tokens.gus, 'GET', '/instances');
    expect((JSON.parse(mine.text) as { items: { id: string; templateId: string }[] }).items).toEqual(expect.arrayContaining([expect.objectContaining({ id, templateId: A.curated })]));

    // initech: off the list, so the template is gone for it, everywhere
    expect(await marketIds(ivan.token)).not.toContain(A.curated);
    for (const path of [`/templates/${A.curated}`, `/templates/${A.curated}/usage`, `/templates/${A.curated}/audience`, `/catalog/${A.curated}`, `/definitions/${A.curated}`, `/definitions/${A.curated}/versions/1.0.0`]) {
      expect((await send(ivan.token, 'GET', path)).status, path).toBe(404);
    }
    expect((await installCheck(ivan.token)).status).toBe(404);
    const denied = await send(ivan.token, 'POST', '/installs', { templateId: A.curated, environment: 'prod' });
    expect({ status: denied.status, code: denied.code }).toEqual({ status: 404, code: 'TEMPLATE_NOT_FOUND' });
    const search = await send(ivan.token, 'GET', `/catalog?q=${encodeURIComponent(`iso-curated-${sfx}`)}`);
    expect(search.text).not.toContain(A.curated);
  });

  it('initech, off every list, runs the whole matrix and sees nothing of A', async () => {
    const before = await snapshotOfA();
    const { failures } = await runMatrix([ivan]);
    expect(failures).toEqual([]);
    expect(await snapshotOfA()).toEqual(before);
    expect(await acmeSecret()).toBe(A.secretValue);
  }, 120_000);
});
