import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, json } from '../responses.ts';
import { CatalogItem } from '../schemas.ts';
import { CatalogSearch } from '../catalog-search.ts';

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
  sort: z.enum(['relevance', 'updated', 'usage']).default('relevance').meta(param('sort')),
  page: z.coerce.number().int().min(1).max(1000).default(1).meta(param('page')),
  perPage: z.coerce.number().int().min(1).max(100).default(20).meta(param('perPage')),
});

const FacetCounts = z.array(z.object({ value: z.string(), count: z.number().int() }));

const CatalogListItem = CatalogItem.extend({ certified: z.boolean() }).meta({ id: 'CatalogListItem' });

const CatalogSearchResponse = z
  .object({
    items: z.array(CatalogListItem),
    found: z.number().int(),
    page: z.number().int(),
    perPage: z.number().int(),
    facets: z.object({ category: FacetCounts, risk: FacetCounts, scope: FacetCounts, ownerTeam: FacetCounts, tags: FacetCounts, status: FacetCounts }),
    source: z.enum(['typesense', 'postgres']).meta({ description: '`postgres` when Typesense was unavailable (full-text search, no typo tolerance)' }),
    degraded: z.literal(true).optional(),
  })
  .meta({ id: 'CatalogSearchResponse' });

const search = createRoute({
  method: 'get',
  path: '/catalog',
  tags: ['catalog'],
  summary: 'Search the catalog your tenant may see: global published entries and your own',
  request: { query: CatalogQuery },
  responses: {
    200: json(CatalogSearchResponse, 'One page of results, with facet counts within your tenant scope: the counts of category, risk, scope, ownerTeam and status ignore that facet\'s own filter (the alternatives stay visible); tag counts apply every filter'),
    ...commonErrors,
  },
});

export function catalogRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const catalog = new CatalogSearch(deps);
  app.openapi(search, async (c) => {
    const actor = c.get('actor');
    const { tags, certified, ...rest } = c.req.valid('query');
    // The tenant comes from the token, never from the query.
    const result = await catalog.search(actor.tenant, {
      ...rest,
      tags: tags ? [...new Set(tags.split(','))] : [],
      ...(certified ? { certified: certified === 'true' } : {}),
    });
    return c.json(result as z.infer<typeof CatalogSearchResponse>, 200);
  });
  return app;
}
