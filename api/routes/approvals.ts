import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { temporalWorkflowUrl } from '../../platform/temporal.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, json } from '../responses.ts';
import { readPendingApprovals } from '../read-models.ts';
import { guarded } from '../permissions.ts';

const PendingItem = z
  .object({
    workflowId: z.string(),
    definitionId: z.string(),
    version: z.string(),
    title: z.string(),
    risk: z.string(),
    scope: z.string(),
    tenantId: z.string(),
    requestedBy: z.object({ sub: z.string(), name: z.string().optional() }),
    requestedAt: z.string(),
    reviewReasons: z.array(z.string()),
    requiredApprovals: z.number().int(),
    canDecide: z.boolean(),
    temporalUrl: z.string(),
  })
  .meta({ id: 'PendingApproval' });

const pending = guarded('publish.read', {
  method: 'get',
  path: '/approvals/pending',
  tags: ['publishing'],
  summary: 'Publish requests of your tenant that wait for a decision',
  responses: {
    200: json(z.object({ items: z.array(PendingItem) }), 'Pending requests'),
    401: commonErrors[401],
  },
});

export function approvalRoutes({ sql, config }: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(pending, async (c) => {
    const actor = c.get('actor');
    const rows = await readPendingApprovals(sql, actor);
    const isReviewer = actor.roles.some((r) => r === 'reviewer' || r === 'publisher' || r === 'platform-admin');
    const items = rows.map((r) => ({
      workflowId: r.workflow_id,
      definitionId: r.definition_id,
      version: r.version,
      title: r.title ?? r.name,
      risk: r.risk,
      scope: r.scope,
      tenantId: r.tenant_id,
      requestedBy: { sub: r.requested_by, ...(r.requested_by_name ? { name: r.requested_by_name } : {}) },
      requestedAt: r.created_at.toISOString(),
      reviewReasons: r.decision?.reviewReasons ?? [],
      requiredApprovals: r.decision?.requiredApprovals ?? 1,
      canDecide: isReviewer && r.requested_by !== actor.sub,
      temporalUrl: temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, r.workflow_id, r.run_id),
    }));
    return c.json({ items }, 200);
  });
  return app;
}
