import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { canRunDirectly } from '../../domain/access.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import { compareSemver, SEMVER } from '../../domain/semver.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';
import type { Readiness as ReadinessShape } from '../../domain/secrets.ts';
import { visibleDefinitionSql } from '../../platform/access.ts';
import { presentSecretNames, secretRef } from '../../platform/secrets.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { guarded } from '../permissions.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { DefinitionIdParam } from '../schemas.ts';

/**
 * Is a version ready to run directly in the caller's tenant? Today that means: does the
 * tenant have every secret the spec declares. The run form asks before it starts a run, so
 * a missing secret is named up front instead of failing the run with SECRET_NOT_FOUND.
 * Only the caller's own tenant's definitions answer (another tenant's workflow runs from an
 * instance, whose install checks its bindings); the rest is 404, as if it did not exist.
 */
const SecretReadiness = z
  .object({
    name: z.string().meta({ description: 'the secret as the spec declares it' }),
    description: z.string().optional(),
    ref: z.string().meta({ description: "the reference a run resolves: your tenant's secret of that name", example: 'secret://acme/hris_token' }),
    present: z.boolean(),
  })
  .meta({ id: 'SecretReadiness' });

const Readiness = z
  .object({
    definitionId: z.string(),
    version: z.string(),
    ready: z.boolean().meta({ description: 'true when every declared secret is present' }),
    secrets: z.array(SecretReadiness),
  })
  .meta({ id: 'Readiness' });

const readiness = guarded('catalog.read', {
  method: 'get',
  path: '/definitions/{id}/readiness',
  tags: ['definitions'],
  summary: "Whether a version can run in your tenant: each secret its spec declares, and whether your tenant's store has it",
  request: {
    params: DefinitionIdParam,
    query: z.object({
      version: z
        .string()
        .regex(SEMVER, 'must be a semantic version')
        .optional()
        .meta({ param: { name: 'version', in: 'query' }, description: 'default: the latest published version', example: '1.0.0' }),
    }),
  },
  responses: {
    200: json(Readiness, 'Readiness of the version'),
    404: errorResponse("No such definition or version in your tenant (another tenant's workflow runs from an instance)"),
    409: errorResponse('NOT_PUBLISHED: no version given and none published'),
    ...commonErrors,
  },
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _readinessMatchesDomain: Same<z.infer<typeof Readiness>, ReadinessShape> = true;

export function readinessRoutes({ sql }: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(readiness, async (c) => {
    const { tenant } = c.get('actor');
    const { id } = c.req.valid('param');
    const [def] = await sql<{ tenant_id: string; latest_version: string | null }[]>`
      select tenant_id, latest_version from workflow_definition d where id = ${id} and ${visibleDefinitionSql(sql, tenant)}`;
    // one the caller may see but not run directly (another tenant's) answers as if it did not exist
    if (!def || !canRunDirectly(tenant, { ownerTenant: def.tenant_id })) throw notFound('DEFINITION_NOT_FOUND', 'no such definition in your tenant');
    const version = c.req.valid('query').version ?? def.latest_version ?? (await newestPublished(id));
    if (!version) throw conflict('NOT_PUBLISHED', `${id} has no published version yet`);
    const [v] = await sql<{ secrets: SpecV1['secrets'] | null }[]>`
      select spec->'secrets' as secrets from workflow_version where definition_id = ${id} and version = ${version}`;
    if (!v) throw notFound('VERSION_NOT_FOUND', `${id} has no version ${version}`);
    const declared = Array.isArray(v.secrets) ? v.secrets : [];
    const present = await presentSecretNames(sql, tenant, declared.map((s) => s.name));
    const secrets = declared.map((s) => ({
      name: s.name,
      ...(s.description ? { description: s.description } : {}),
      ref: secretRef(tenant, s.name),
      present: present.has(s.name),
    }));
    return c.json({ definitionId: id, version, ready: secrets.every((s) => s.present), secrets }, 200);
  });

  async function newestPublished(id: string): Promise<string | undefined> {
    const rows = await sql<{ version: string }[]>`select version from workflow_version where definition_id = ${id} and status = 'published'`;
    return rows.map((r) => r.version).sort(compareSemver).at(-1);
  }

  return app;
}
