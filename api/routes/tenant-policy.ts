/**
 * The tenant's policy settings, as the guardrails read them (policies/local_workflow.rego,
 * marketplace_workflow.rego): its home region and the region of each endpoint host pattern,
 * the risk cap on other tenants' workflows, the daily quota and business hours of critical
 * runs. Always the token's own tenant: there is no way to name another. Every value is
 * tenant input: bounded and validated here, and again by the table's checks.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { RISKS, type Risk } from '../../domain/spec.ts';
import type { BusinessHours } from '../../domain/policy-profiles.ts';
import { guardrailSettings } from '../../platform/guardrails.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { guarded } from '../permissions.ts';

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const ENDPOINT_REGIONS_MAX = 100;
/** A host pattern as the egress allow-list takes it (platform/migrations/00002): exact host or IP, `*.suffix`, or `*`. */
const HOST_PATTERN = /^(\*|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|[0-9a-f:.]+)$/;
const REGION_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const validTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const Region = z.string().max(40).regex(REGION_NAME, 'must be a region name such as eu-west-1 (lower case, at most 40 characters)');

const BusinessHoursBody = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, { message: 'each day at most once' })
      .meta({ description: 'the days critical runs may start (Mon..Sun)' }),
    start_hour: z.number().int().min(0).max(23),
    end_hour: z.number().int().min(1).max(24),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(validTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' }),
  })
  .refine((b) => b.start_hour < b.end_hour, { message: 'start_hour must be before end_hour', path: ['end_hour'] })
  .meta({ id: 'BusinessHours' });

export const PolicySettingsBody = z
  .strictObject({
    region: Region.nullable().meta({ description: 'the region personal data stays in (null: none set)' }),
    endpoint_regions: z
      .record(z.string().max(253).regex(HOST_PATTERN, 'must be a host pattern: a host name or IP, *.suffix, or *'), Region)
      .refine((o) => Object.keys(o).length <= ENDPOINT_REGIONS_MAX, { message: `at most ${ENDPOINT_REGIONS_MAX} host patterns` })
      .meta({ description: 'host pattern → the region its endpoints are in', example: { '*.eu.example.internal': 'eu-west-1' } }),
    max_external_risk: z.enum(RISKS).nullable().meta({ description: "the highest risk of another tenant's workflow you install or upgrade without an override (null: no cap)" }),
    critical_runs_per_day: z.number().int().min(0).max(100000).nullable().meta({ description: 'critical runs your tenant may start per day (null: no quota)' }),
    business_hours: BusinessHoursBody.nullable().meta({ description: 'when critical runs may start without an override (null: any time)' }),
  })
  .meta({ id: 'PolicySettings' });

const PolicySettingsView = z
  .object({
    tenant: z.string(),
    region: z.string().nullable(),
    endpoint_regions: z.record(z.string(), z.string()),
    max_external_risk: z.enum(RISKS).nullable(),
    critical_runs_per_day: z.number().int().nullable(),
    business_hours: z.object({ days: z.array(z.string()), start_hour: z.number().int(), end_hour: z.number().int(), timezone: z.string() }).nullable(),
  })
  .meta({ id: 'PolicySettingsView' });

const getSettings = guarded('tenant.policy.read', {
  method: 'get',
  path: '/tenant/policy-settings',
  tags: ['tenant'],
  summary: "Your tenant's policy settings (what the guardrails read)",
  responses: { 200: json(PolicySettingsView, 'The settings'), ...commonErrors },
});

const putSettings = guarded('tenant.policy.write', {
  method: 'put',
  path: '/tenant/policy-settings',
  tags: ['tenant'],
  summary: "Replace your tenant's policy settings (tenant admins)",
  description: 'Every field is required (null clears it); the egress allow-list is not part of these settings. Applies to the next guardrail decision of every lifecycle.',
  request: { body: { required: true, content: { 'application/json': { schema: PolicySettingsBody } } } },
  responses: { 200: json(PolicySettingsView, 'The settings as stored'), 403: errorResponse('ROLE_REQUIRED: needs a tenant admin'), ...commonErrors },
});

export function tenantPolicyRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  const read = async (tenant: string) => {
    const s = await guardrailSettings(sql, tenant);
    return {
      tenant,
      region: s.region,
      endpoint_regions: s.endpoint_regions,
      max_external_risk: s.max_external_risk,
      critical_runs_per_day: s.critical_runs_per_day,
      business_hours: s.business_hours,
    };
  };

  app.openapi(getSettings, async (c) => c.json(await read(c.get('actor').tenant), 200));

  app.openapi(putSettings, async (c) => {
    const tenant = c.get('actor').tenant;
    const b = c.req.valid('json');
    const endpointRegions = Object.fromEntries(Object.entries(b.endpoint_regions).map(([k, v]) => [k.toLowerCase(), v]));
    const hours: BusinessHours | null = b.business_hours
      ? { days: [...new Set(b.business_hours.days)], start_hour: b.business_hours.start_hour, end_hour: b.business_hours.end_hour, timezone: b.business_hours.timezone }
      : null;
    await sql`
      insert into tenant_setting (tenant_id, region, endpoint_regions, max_external_risk, critical_runs_per_day, business_hours)
      values (${tenant}, ${b.region}, ${sql.json(endpointRegions)}, ${b.max_external_risk as Risk | null}, ${b.critical_runs_per_day},
              ${hours ? sql.json(hours as never) : null})
      on conflict (tenant_id) do update set
        region = excluded.region, endpoint_regions = excluded.endpoint_regions, max_external_risk = excluded.max_external_risk,
        critical_runs_per_day = excluded.critical_runs_per_day, business_hours = excluded.business_hours, updated_at = now()`;
    return c.json(await read(tenant), 200);
  });

  return app;
}
