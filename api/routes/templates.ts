import { OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { DefinitionIdParam, TrustSummaryBody, VersionChange } from '../schemas.ts';
import { guarded } from '../permissions.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { listTemplates, readTemplate, readTemplateAudience, readTemplateUsage, readTemplateAccess } from '../template-read-models.ts';
import { canCurate, VISIBILITY_PROFILES } from '../../domain/access.ts';
import { conflict, inputError, notFound, type ErrorDetail } from '../../domain/errors.ts';
import { TENANT_ID } from '../../domain/ids.ts';
import { ENVIRONMENTS } from '../../domain/marketplace.ts';
import { MAX_AUDIENCE, TEMPLATE_VIEWS, type TemplateAudience as TemplateAudienceShape, type TemplateDetail as TemplateDetailShape, type TemplateListItem as TemplateListItemShape, type TemplateUsage as TemplateUsageShape } from '../../domain/templates.ts';
import { curateTemplateLifecycle } from '../../workflows/contracts/index.ts';

const param = (name: string) => ({ param: { name, in: 'query' as const } });
const TemplateIdParam = z.object({ id: DefinitionIdParam.shape.id });
const TenantId = z.string().regex(TENANT_ID, 'must be a tenant id such as globex');
const Visibility = z.enum(VISIBILITY_PROFILES);

const TemplateListItem = z
  .object({
    id: z.string(),
    definitionId: z.string(),
    name: z.string(),
    title: z.string().optional(),
    description: z.string(),
    summary: z.string().optional(),
    category: z.string(),
    risk: z.string(),
    publisherTenant: z.string(),
    publisher: z.string().meta({ description: 'who published the newest version' }),
    visibility: Visibility,
    latestVersion: z.string(),
    environments: z.array(z.enum(ENVIRONMENTS)),
    regions: z.array(z.string()).meta({ description: 'empty: any region' }),
    certified: z.boolean(),
    trust: TrustSummaryBody,
    installs: z.number().int().meta({ description: 'tenants with an installed instance of it (a count, never who)' }),
    myInstances: z
      .array(z.object({ id: z.string(), environment: z.string(), version: z.string(), status: z.string() }))
      .meta({ description: 'your tenant\'s instances of it (being installed, installed, disabled or uninstalling)' }),
  })
  .meta({ id: 'TemplateListItem' });

const TemplateList = z.object({ items: z.array(TemplateListItem), found: z.number().int() }).meta({ id: 'TemplateList' });

const TemplateBindings = z
  .object({
    parameters: z.array(
      z.object({
        name: z.string(),
        required: z.boolean(),
        default: z.unknown().optional(),
        type: z.string().optional(),
        description: z.string().optional(),
        endpoint: z.boolean().meta({ description: 'a URL: checked against the installing tenant\'s egress allow-list' }),
      }),
    ),
    secrets: z.array(z.object({ name: z.string(), description: z.string().optional() })).meta({ description: 'each bound to a secret of the installing tenant' }),
  })
  .meta({ id: 'TemplateBindings' });

const TemplateDetail = TemplateListItem.extend({
  bindings: TemplateBindings,
  versions: z
    .array(z.object({ version: z.string(), publishedAt: z.string(), digest: z.string(), visibility: Visibility, ...VersionChange }))
    .meta({ description: 'the published versions your tenant may see, newest first' }),
  audience: z.array(z.string()).optional().meta({ description: 'the curated list: for the owning tenant and platform curators only' }),
  temporalUrl: z.string().optional().meta({ description: 'the publish lifecycle of the newest version' }),
}).meta({ id: 'TemplateDetail' });

const TemplateUsage = z
  .object({
    templateId: z.string(),
    visibility: Visibility,
    versions: z.array(
      z.object({
        version: z.string(),
        installingTenants: z.number().int(),
        instances: z.number().int(),
        runs: z.number().int(),
        failedRuns: z.number().int(),
        failureRate: z.number().optional().meta({ description: '(failed + timed out) / runs that finished and were not cancelled; absent when none did' }),
      }),
    ),
    latestVersion: z.string().meta({ description: 'the newest published version' }),
    instances: z.number().int().meta({ description: 'installed instances (active, disabled or uninstalling) of every tenant: a count' }),
    lagging: z.number().int().meta({ description: 'installed instances not on the newest version: a count' }),
    installers: z.array(z.string()).optional().meta({ description: 'partner-curated only: the installing tenants' }),
  })
  .meta({ id: 'TemplateUsage' });

const TemplateAudience = z
  .object({
    templateId: z.string(),
    visibility: Visibility,
    tenants: z.array(z.object({ tenantId: z.string(), addedBy: z.string(), addedAt: z.string() })),
    lastChange: z
      .object({ by: z.string(), at: z.string(), workflowId: z.string(), runId: z.string(), temporalUrl: z.string() })
      .optional()
      .meta({ description: 'the curate lifecycle that last changed the list' }),
  })
  .meta({ id: 'TemplateAudience' });

const CurateStarted = z.object({ workflowId: z.string(), runId: z.string(), temporalUrl: z.string() }).meta({ id: 'CurateStarted' });

// The schemas and the shared types must describe the same JSON (checked by the compiler).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _list: Same<z.infer<typeof TemplateListItem>, TemplateListItemShape> = true;
const _detail: Same<z.infer<typeof TemplateDetail>, TemplateDetailShape> = true;
const _usage: Same<z.infer<typeof TemplateUsage>, TemplateUsageShape> = true;
const _audience: Same<z.infer<typeof TemplateAudience>, TemplateAudienceShape> = true;

const notVisible = errorResponse('No such template (or not visible to your tenant)');

const list = guarded('template.read', {
  method: 'get',
  path: '/templates',
  tags: ['marketplace'],
  summary: 'Marketplace templates: offered to your tenant, or your tenant\'s own',
  description:
    '`view=marketplace` (default): the published templates offered to your tenant by their profile — public-ecosystem ones, ' +
    'partner-curated ones whose list holds your tenant — and your own shared ones. `view=mine`: your tenant\'s templates, whatever their profile.',
  request: {
    query: z.strictObject({
      view: z.enum(TEMPLATE_VIEWS).default('marketplace').meta(param('view')),
      visibility: Visibility.optional().meta(param('visibility')),
      publisher: TenantId.optional().meta({ ...param('publisher'), description: 'the publishing tenant' }),
      q: z.string().max(200).optional().meta(param('q')),
      page: z.coerce.number().int().min(1).max(1000).default(1).meta(param('page')),
      perPage: z.coerce.number().int().min(1).max(100).default(20).meta(param('perPage')),
    }),
  },
  responses: { 200: json(TemplateList, 'One page of templates'), ...commonErrors },
});

const detail = guarded('template.read', {
  method: 'get',
  path: '/templates/{id}',
  tags: ['marketplace'],
  summary: 'One template: what an installer binds, the versions you may see, its publish',
  request: { params: TemplateIdParam },
  responses: { 200: json(TemplateDetail, 'The template'), 404: notVisible, ...commonErrors },
});

const usage = guarded('template.read', {
  method: 'get',
  path: '/templates/{id}/usage',
  tags: ['marketplace'],
  summary: 'How your template is used: per version, installing tenants, instances, runs and failures; what lags',
  description:
    'For the publishing tenant only (anyone else: 404). Aggregates of the installers\' instances and runs; installers are named only ' +
    'for a partner-curated template. Never their parameters, secrets, endpoints, run ids or payloads.',
  request: { params: TemplateIdParam },
  responses: { 200: json(TemplateUsage, 'Usage'), 404: notVisible, ...commonErrors },
});

const getAudience = guarded('template.read', {
  method: 'get',
  path: '/templates/{id}/audience',
  tags: ['marketplace'],
  summary: 'The curated list of a template (its publishing tenant and the platform curators)',
  request: { params: TemplateIdParam },
  responses: { 200: json(TemplateAudience, 'The curated list'), 404: notVisible, ...commonErrors },
});

const putAudience = guarded('template.curate', {
  method: 'put',
  path: '/templates/{id}/audience',
  tags: ['marketplace'],
  summary: 'Set the curated list of a partner-curated template (starts the curate lifecycle)',
  description:
    'The whole list: tenants not named are removed. The curate lifecycle writes it in one transaction with its receipt, then ' +
    'rebuilds the entry\'s search document with the lifecycle as its provenance. At most ' + MAX_AUDIENCE + ' tenants; each must exist; ' +
    'the publishing tenant is never on it (it always sees its own template).',
  request: {
    params: TemplateIdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .strictObject({ tenants: z.array(TenantId).max(MAX_AUDIENCE) })
            .refine((b) => new Set(b.tenants).size === b.tenants.length, { message: 'must not name a tenant twice', path: ['tenants'] }),
        },
      },
    },
  },
  responses: {
    202: json(CurateStarted, 'Curate lifecycle started'),
    404: notVisible,
    409: errorResponse('TEMPLATE_NOT_PARTNER_CURATED: only a partner-curated template has a curated list'),
    ...commonErrors,
  },
});

export function templateRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const lifecycles = lifecycleStarter(deps);

  app.openapi(list, async (c) => c.json(await listTemplates(sql, c.get('actor'), c.req.valid('query')), 200));

  app.openapi(detail, async (c) => {
    const t = await readTemplate(sql, c.get('actor'), c.req.valid('param').id, lifecycles.link);
    if (!t) throw notFound('TEMPLATE_NOT_FOUND', 'no such template');
    return c.json(t as z.infer<typeof TemplateDetail>, 200);
  });

  app.openapi(usage, async (c) => {
    const u = await readTemplateUsage(sql, c.get('actor'), c.req.valid('param').id);
    if (!u) throw notFound('TEMPLATE_NOT_FOUND', 'no such template');
    return c.json(u, 200);
  });

  app.openapi(getAudience, async (c) => {
    const a = await readTemplateAudience(sql, c.get('actor'), c.req.valid('param').id, lifecycles.link);
    if (!a) throw notFound('TEMPLATE_NOT_FOUND', 'no such template');
    return c.json(a, 200);
  });

  app.openapi(putAudience, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const { tenants } = c.req.valid('json');
    const t = await readTemplateAccess(sql, actor, id);
    // a curator keeps any tenant's partner-curated list; other templates only exist for it if it may see them
    if (!t || !(t.visible || canCurate(actor, t))) throw notFound('TEMPLATE_NOT_FOUND', 'no such template');
    if (!canCurate(actor, t)) throw conflict('TEMPLATE_NOT_PARTNER_CURATED', `${id} is ${t.visibility}: only a partner-curated template has a curated list`);
    // checked again by the lifecycle, in its transaction; here the caller learns which entries are wrong
    const details: ErrorDetail[] = [];
    const known = new Set((await sql<{ id: string }[]>`select id from tenant where id = any(${tenants}::text[])`).map((r) => r.id));
    tenants.forEach((tenant, i) => {
      if (tenant === t.ownerTenant) details.push({ path: `/tenants/${i}`, message: 'the publishing tenant always sees its own template', code: 'AUDIENCE_OWNER' });
      else if (!known.has(tenant)) details.push({ path: `/tenants/${i}`, message: `no tenant ${tenant}`, code: 'TENANT_UNKNOWN' });
    });
    if (details.length) throw inputError(details[0]!.code!, 'the list names tenants that cannot be on it', details);
    const started = await lifecycles.start(curateTemplateLifecycle, { templateId: id, tenants, actor }, { key: randomUUID() });
    return c.json({ workflowId: started.workflowId, runId: started.runId, temporalUrl: started.temporalUrl }, 202);
  });

  return app;
}
