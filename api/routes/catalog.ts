import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { tenantScopeFilter, type CatalogDocument } from '../../platform/typesense.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, json } from '../responses.ts';
import { CatalogItem } from '../schemas.ts';

const CatalogQuery = z.strictObject({
  q: z.string().max(200).optional().meta({ param: { name: 'q', in: 'query' } }),
  page: z.coerce.number().int().min(1).max(1000).default(1).meta({ param: { name: 'page', in: 'query' } }),
  perPage: z.coerce.number().int().min(1).max(100).default(20).meta({ param: { name: 'perPage', in: 'query' } }),
});

const search = createRoute({
  method: 'get',
  path: '/catalog',
  tags: ['catalog'],
  summary: 'Search the published catalog your tenant may see',
  request: { query: CatalogQuery },
  responses: {
    200: json(
      z.object({ items: z.array(CatalogItem), found: z.number().int(), page: z.number().int(), perPage: z.number().int(), source: z.enum(['typesense']) }),
      'One page of results',
    ),
    ...commonErrors,
  },
});

export function catalogRoutes({ typesense, config }: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(search, async (c) => {
    const actor = c.get('actor');
    const { q, page, perPage } = c.req.valid('query');
    // The tenant filter is added here, server-side, whatever the caller asked for.
    const res = await typesense
      .collections<CatalogDocument>(config.TYPESENSE_COLLECTION)
      .documents()
      .search({
        q: q?.trim() || '*',
        query_by: 'name,title,description,tags',
        query_by_weights: '4,4,1,2',
        filter_by: `${tenantScopeFilter(actor.tenant)} && status:=published`,
        sort_by: q?.trim() ? '_text_match:desc,updated_at:desc' : 'updated_at:desc',
        page,
        per_page: perPage,
      });
    const items = (res.hits ?? []).map(({ document: d }) => ({
      id: d.id,
      name: d.name,
      ...(d.title ? { title: d.title } : {}),
      description: d.description,
      category: d.category,
      risk: d.risk as 'low',
      scope: d.scope,
      tenantId: d.tenant_id,
      ...(d.owner ? { owner: d.owner } : {}),
      ...(d.owner_team ? { ownerTeam: d.owner_team } : {}),
      latestVersion: d.latest_version,
      status: d.status,
      tags: d.tags,
      updatedAt: new Date(d.updated_at * 1000).toISOString(),
    }));
    return c.json({ items, found: res.found, page, perPage, source: 'typesense' as const }, 200);
  });
  return app;
}
