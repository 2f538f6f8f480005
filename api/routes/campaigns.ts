import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { DefinitionIdParam, VersionParam } from '../schemas.ts';
import { guarded } from '../permissions.ts';
import { listCampaigns, readCampaign, readTenantUsage } from '../campaign-read-models.ts';
import { notFound } from '../../domain/errors.ts';
import { CHANGE_KINDS } from '../../domain/change-kind.ts';
import type { CampaignProgress as CampaignProgressShape } from '../../domain/upgrade.ts';
import type { TenantUsage as TenantUsageShape } from '../../domain/templates.ts';

const CampaignWave = z
  .object({
    index: z.number().int(),
    instances: z.number().int(),
    upgraded: z.number().int(),
    rolledBack: z.number().int().meta({ description: 'upgrades that rolled themselves back (smoke run or watch window failed)' }),
    failed: z.number().int(),
    skipped: z.number().int().meta({ description: 'blocked, rejected, already upgraded, or not started once the wave stopped' }),
    reverted: z.number().int().meta({ description: 'upgraded, then rolled back by the campaign because the wave failed' }),
    status: z.enum(['pending', 'running', 'passed', 'failed', 'rolled_back']),
  })
  .meta({ id: 'CampaignWave' });

const CampaignProgress = z
  .object({
    campaignId: z.string(),
    definitionId: z.string(),
    toVersion: z.string(),
    changeKind: z.enum(CHANGE_KINDS),
    status: z.enum(['selecting', 'running', 'rolling_back', 'completed', 'halted', 'nothing_to_do']),
    eligible: z.number().int().meta({ description: 'instances whose policy allows the version (a count, never which)' }),
    waves: z.array(CampaignWave),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'CampaignProgress' });

const CampaignList = z.object({ items: z.array(CampaignProgress) }).meta({ id: 'CampaignList' });

const TenantUsage = z
  .object({
    tenantId: z.string(),
    templates: z.array(
      z.object({
        templateId: z.string(),
        title: z.string().optional(),
        publisherTenant: z.string(),
        latestVersion: z.string().meta({ description: 'the newest published version your tenant may install' }),
        versions: z.array(z.object({ version: z.string(), instances: z.number().int() })),
        instances: z.array(
          z.object({
            id: z.string(),
            environment: z.string(),
            version: z.string(),
            status: z.string(),
            upgradePolicy: z.string(),
            lagging: z.boolean(),
          }),
        ),
        lagging: z.number().int(),
      }),
    ),
    lagging: z.number().int().meta({ description: 'your installed instances not on their template\'s newest version' }),
  })
  .meta({ id: 'TenantUsage' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _progress: Same<z.infer<typeof CampaignProgress>, CampaignProgressShape> = true;
const _usage: Same<z.infer<typeof TenantUsage>, TenantUsageShape> = true;

const notYours = errorResponse('No such template of your tenant (or no campaign for that version)');

const list = guarded('campaign.read', {
  method: 'get',
  path: '/templates/{id}/campaigns',
  tags: ['upgrades'],
  summary: 'Upgrade campaigns of your template, newest version first (counts only)',
  description:
    'For the publishing tenant only (anyone else: 404). A campaign upgrades every instance whose policy allows a published ' +
    'non-breaking or patch version, in waves; it reports counts, never which tenants or instances.',
  request: { params: z.object({ id: DefinitionIdParam.shape.id }) },
  responses: { 200: json(CampaignList, 'The campaigns'), 404: notYours, ...commonErrors },
});

const one = guarded('campaign.read', {
  method: 'get',
  path: '/templates/{id}/campaigns/{version}',
  tags: ['upgrades'],
  summary: 'The upgrade campaign of one version of your template: progress per wave',
  request: { params: VersionParam },
  responses: { 200: json(CampaignProgress, 'The campaign'), 404: notYours, ...commonErrors },
});

const usage = guarded('usage.read', {
  method: 'get',
  path: '/usage',
  tags: ['marketplace'],
  summary: 'Your tenant\'s installed templates: versions, instances and what lags behind',
  description: 'Your own tenant\'s instances only (installed: active, disabled or uninstalling), each with its upgrade policy.',
  responses: { 200: json(TenantUsage, 'Usage'), ...commonErrors },
});

export function campaignRoutes({ sql }: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(list, async (c) => {
    const items = await listCampaigns(sql, c.get('actor'), c.req.valid('param').id);
    if (!items) throw notFound('TEMPLATE_NOT_FOUND', 'no such template');
    return c.json({ items }, 200);
  });

  app.openapi(one, async (c) => {
    const { id, version } = c.req.valid('param');
    const campaign = await readCampaign(sql, c.get('actor'), id, version);
    if (!campaign) throw notFound('CAMPAIGN_NOT_FOUND', `no campaign for ${id}@${version}`);
    return c.json(campaign, 200);
  });

  app.openapi(usage, async (c) => c.json(await readTenantUsage(sql, c.get('actor')), 200));

  return app;
}
