import { OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { CatalogDetail, CatalogItem, DefinitionIdParam, TrustSummaryBody } from '../schemas.ts';
import { CATALOG_VIEWS, CatalogSearch } from '../catalog-search.ts';
import { VISIBILITY_PROFILES } from '../../domain/access.ts';
import { TENANT_ID } from '../../domain/ids.ts';
import { readCatalogDetail } from '../catalog-detail.ts';
import { notFound } from '../../domain/errors.ts';
import { HEALTH_WINDOW_DAYS } from '../../domain/catalog.ts';
import { temporalWorkflowUrl } from '../../platform/temporal.ts';
import { healthRollupLifecycle } from '../../workflows/contracts/index.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { guarded } from '../permissions.ts';

const param = (name: string) => ({ param: { name, in: 'query' as const } });
/** Filter values go into Typesense filter expressions inside backticks: no backticks. */
const filterValue = (name: string) => z.string().min(1).max(100).regex(/^[^`]+$/, 'must not contain backticks').optional().meta(param(name));

const CatalogQuery = z.strictObject({
  q: z.string().max(200).optional().meta(param('q')),
  category: filterValue('category'),
  risk: z.enum(['low', 'medium', 'high', 'critical']).optional().meta(param('risk')),
  scope: z.enum(['global', 'tenant-local']).optional().meta(param('scope')),
  owner: filterValue('owner'),
  ownerTeam: filterValue('ownerTeam'),
  status: z.enum(['draft', 'in_review', 'published', 'deprecated', 'archived']).default('published').meta(param('status')),
  tags: z
    .string()
    .max(400)
    .regex(/^[a-z0-9][a-z0-9-]{0,39}(,[a-z0-9][a-z0-9-]{0,39})*$/, 'must be a comma-separated list of tags')
    .optional()
    .meta({ ...param('tags'), description: 'comma-separated; an entry must carry every tag' }),
  certified: z.enum(['true', 'false']).optional().meta(param('certified')),
  reviewed: z.enum(['true', 'false']).optional().meta({ ...param('reviewed'), description: 'the latest version passed its marketplace review' }),
  reviewOverdue: z.enum(['true', 'false']).optional().meta({ ...param('reviewOverdue'), description: 'the certification expired ("review overdue")' }),
  signed: z.enum(['true', 'false']).optional().meta({ ...param('signed'), description: "the latest version's signature verifies with its publisher's key" }),
  visibility: z.enum(VISIBILITY_PROFILES).optional().meta(param('visibility')),
  publisher: z.string().regex(TENANT_ID, 'must be a tenant id').optional().meta({ ...param('publisher'), description: 'the publishing (owning) tenant' }),
  view: z.enum(CATALOG_VIEWS).optional().meta({
    ...param('view'),
    description: '`mine`: your tenant\'s own entries; `marketplace`: entries offered beyond their tenant (partner-curated, public-ecosystem) that your tenant may see. Absent: both.',
  }),
  sort: z.enum(['relevance', 'updated', 'usage']).default('relevance').meta(param('sort')),
  page: z.coerce.number().int().min(1).max(1000).default(1).meta(param('page')),
  perPage: z.coerce.number().int().min(1).max(100).default(20).meta(param('perPage')),
});

const FacetCounts = z.array(z.object({ value: z.string(), count: z.number().int() }));

const CatalogListItem = CatalogItem.extend({
  certified: z.boolean(),
  trust: TrustSummaryBody,
  visibility: z.enum(VISIBILITY_PROFILES).meta({ description: 'the marketplace profile of its template (internal-only without one)' }),
}).meta({ id: 'CatalogListItem' });

const CatalogSearchResponse = z
  .object({
    items: z.array(CatalogListItem),
    found: z.number().int(),
    page: z.number().int(),
    perPage: z.number().int(),
    facets: z.object({
      category: FacetCounts,
      risk: FacetCounts,
      scope: FacetCounts,
      ownerTeam: FacetCounts,
      tags: FacetCounts,
      status: FacetCounts,
      certified: FacetCounts.meta({ description: 'values "true" and "false"' }),
      visibility: FacetCounts,
      publisher: FacetCounts.meta({ description: 'publishing tenants' }),
      reviewed: FacetCounts.meta({ description: 'values "true" and "false"' }),
      reviewOverdue: FacetCounts.meta({ description: 'values "true" and "false"' }),
      signed: FacetCounts.meta({ description: 'values "true" and "false"' }),
    }),
    source: z.enum(['typesense', 'postgres']).meta({ description: '`postgres` when Typesense was unavailable (full-text search, no typo tolerance)' }),
    degraded: z.literal(true).optional(),
  })
  .meta({ id: 'CatalogSearchResponse' });

const search = guarded('catalog.read', {
  method: 'get',
  path: '/catalog',
  tags: ['catalog'],
  summary: 'Search the catalog your tenant may see: your own entries and the published ones offered to your tenant',
  request: { query: CatalogQuery },
  responses: {
    200: json(CatalogSearchResponse, 'One page of results, with facet counts within your tenant scope: the counts of category, risk, scope, ownerTeam, status, certified, visibility and publisher ignore that facet\'s own filter (the alternatives stay visible); tag counts apply every filter'),
    ...commonErrors,
  },
});

const detail = guarded('catalog.read', {
  method: 'get',
  path: '/catalog/{id}',
  tags: ['catalog'],
  summary: 'One catalog entry: parameters, approval requirements, versions, approvals, trust, health and provenance',
  description:
    'Visible under the same rule as the search: your tenant\'s entries and global published ones. ' +
    'An entry you may not see answers 404 exactly like one that does not exist. Publish approvals are listed for the owning tenant only.',
  request: { params: DefinitionIdParam },
  responses: {
    200: json(CatalogDetail, 'The entry'),
    404: errorResponse('No such entry (or not visible to your tenant)'),
    ...commonErrors,
  },
});
// Only ids with a dot (every definition id has one) reach the detail, so sibling routes
// such as /catalog/reindex or /catalog/health-rollups are never taken for an id. The
// OpenAPI document shows the plain path; Hono matches the constrained one.
const detailMatch = { ...detail, path: '/catalog/{id{[^/]+\\.[^/]+}}', hide: true } as unknown as typeof detail;

const HealthRollupStarted = z
  .object({ workflowId: z.string(), runId: z.string(), temporalUrl: z.string() })
  .meta({ id: 'HealthRollupStarted' });

const startHealthRollup = guarded('catalog.admin', {
  method: 'post',
  path: '/catalog/health-rollups',
  tags: ['catalog', 'operations'],
  summary: 'Start a catalog health rollup now (platform admins)',
  description:
    'The worker\'s schedule runs one every HEALTH_ROLLUP_INTERVAL; this starts one at once, with its own workflow id. ' +
    'Overlapping rollups are safe: their writes take turns (each batch holds the catalog write lock while it writes its ' +
    'snapshots and provenance and imports the documents, and commits only then), a rollup whose window ends earlier never ' +
    'writes over a later one\'s figures, and an entry whose figures did not change is not written again.',
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.strictObject({
            windowDays: z.number().int().min(1).max(365).optional().meta({ description: `days of runs to look at (default ${HEALTH_WINDOW_DAYS})` }),
          }),
        },
      },
    },
  },
  responses: {
    202: json(HealthRollupStarted, 'Health rollup started'),
    403: errorResponse('Not a platform admin'),
    ...commonErrors,
  },
});

export function catalogRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const catalog = new CatalogSearch(deps);
  app.openapi(search, async (c) => {
    const actor = c.get('actor');
    const { tags, certified, reviewed, reviewOverdue, signed, ...rest } = c.req.valid('query');
    const flag = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true');
    // The tenant comes from the token, never from the query.
    const result = await catalog.search(actor.tenant, {
      ...rest,
      tags: tags ? [...new Set(tags.split(','))] : [],
      ...(certified ? { certified: certified === 'true' } : {}),
      ...(reviewed ? { reviewed: flag(reviewed)! } : {}),
      ...(reviewOverdue ? { reviewOverdue: flag(reviewOverdue)! } : {}),
      ...(signed ? { signed: flag(signed)! } : {}),
    });
    return c.json(result as z.infer<typeof CatalogSearchResponse>, 200);
  });

  const { sql, config } = deps;
  const link = (workflowId: string, runId: string | undefined) => temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, workflowId, runId);

  app.openAPIRegistry.registerPath(detail);
  app.openapi(detailMatch, async (c) => {
    const entry = await readCatalogDetail(sql, c.get('actor'), c.req.valid('param').id, link);
    if (!entry) throw notFound('DEFINITION_NOT_FOUND', 'no such definition');
    return c.json(entry, 200);
  });

  app.openapi(startHealthRollup, async (c) => {
    const { windowDays } = c.req.valid('json');
    const { workflowId, runId, temporalUrl } = await lifecycleStarter(deps).start(healthRollupLifecycle, windowDays ? { windowDays } : {}, { key: randomUUID() });
    return c.json({ workflowId, runId, temporalUrl }, 202);
  });
  return app;
}
