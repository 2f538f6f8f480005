import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { DomainError, notFound } from '../../domain/errors.ts';
import { createSecretStore, listSecrets, type SecretStore } from '../../platform/secrets.ts';
import { SECRET_DESCRIPTION_MAX, SECRET_NAME, SECRET_NAME_RULE, SECRET_VALUE_MAX_BYTES, type SecretListItem } from '../../domain/secrets.ts';
import { requireRuntimeSecrets } from '../../platform/runtime-secrets.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { guarded } from '../permissions.ts';

/**
 * Tenant secrets. Unlike every other change in this API, a secret is written straight to
 * the store here and NOT through a Temporal workflow: workflow and activity arguments are
 * recorded in the workflow's history (encrypted by the codec, but readable by anyone with
 * the codec key, kept for the namespace's retention and copied into exports and replays),
 * and a secret value must never be there. Histories only ever carry references
 * (`secret://<tenant>/<name>`), resolved by the adapter activity at the moment of use.
 * See docs/adr/0002-secrets.md. Values are never echoed, logged or returned.
 */
const NameParam = z.object({
  name: z
    .string()
    .regex(SECRET_NAME, SECRET_NAME_RULE)
    .meta({ param: { name: 'name', in: 'path' }, example: 'hris-token' }),
});

const SecretSummary = z
  .object({
    name: z.string(),
    ref: z.string().meta({ description: 'the reference to use in specs and runs', example: 'secret://acme/hris-token' }),
    description: z.string().optional(),
    createdBy: z.string().optional().meta({ description: 'who stored the first value (absent for secrets stored before this was recorded)' }),
    createdAt: z.string(),
    updatedBy: z.string().optional().meta({ description: 'who wrote the current value' }),
    updatedAt: z.string(),
    rotatedAt: z.string().optional().meta({ description: 'when the value was last replaced; absent while it is the first value' }),
  })
  .meta({ id: 'SecretSummary' });

const SecretWrite = z
  .strictObject({
    value: z.string().min(1).max(SECRET_VALUE_MAX_BYTES),
    description: z
      .string()
      .max(SECRET_DESCRIPTION_MAX)
      .optional()
      .meta({ description: 'what the secret is for; omitted keeps the current description, "" clears it' }),
  })
  .meta({ id: 'SecretWrite' });

const put = guarded('secret.write', {
  method: 'put',
  path: '/secrets/{name}',
  tags: ['secrets'],
  summary: 'Create a secret of your tenant, or rotate it (replace its value); the value is never returned',
  description:
    'Replacing the value of an existing secret is a rotation: `rotatedAt` and `updatedBy` record it. The value is encrypted at rest and never returned, echoed or logged.',
  request: {
    params: NameParam,
    body: { required: true, content: { 'application/json': { schema: SecretWrite } } },
  },
  responses: {
    204: { description: 'Stored (encrypted at rest): created or rotated' },
    403: errorResponse('tenant-admin or publisher role required'),
    503: errorResponse('No SECRETS_KEY configured'),
    ...commonErrors,
  },
});

const list = guarded('secret.read', {
  method: 'get',
  path: '/secrets',
  tags: ['secrets'],
  summary: "Your tenant's secrets: names, references and metadata (description, who and when), never values",
  responses: { 200: json(z.object({ items: z.array(SecretSummary) }), 'Secrets'), 401: commonErrors[401] },
});

const remove = guarded('secret.write', {
  method: 'delete',
  path: '/secrets/{name}',
  tags: ['secrets'],
  summary: 'Delete a secret of your tenant (tenant-admin or publisher); runs that reference it then fail with SECRET_NOT_FOUND',
  request: { params: NameParam },
  responses: { 204: { description: 'Deleted' }, 403: errorResponse('tenant-admin or publisher role required'), 404: errorResponse('No such secret'), ...commonErrors },
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _summaryMatchesDomain: Same<z.infer<typeof SecretSummary>, SecretListItem> = true;

export function secretRoutes({ sql, config }: ApiDeps) {
  const key = requireRuntimeSecrets(config).secretsKey;
  const configured = key ? createSecretStore(sql, key) : undefined;
  const store = (): SecretStore => {
    if (!configured) throw new DomainError('unavailable', 'SECRET_STORE_UNAVAILABLE', 'the secret store is not configured on this installation (SECRETS_KEY)');
    return configured;
  };
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(put, async (c) => {
    const actor = c.get('actor');
    const { value, description } = c.req.valid('json');
    await store().put(actor.tenant, c.req.valid('param').name, value, { actor: actor.sub, ...(description !== undefined ? { description } : {}) });
    return c.body(null, 204);
  });

  // listing decrypts nothing, so it answers even where no SECRETS_KEY is configured
  app.openapi(list, async (c) => {
    const items = await listSecrets(sql, c.get('actor').tenant);
    return c.json(
      {
        items: items.map(({ createdAt, updatedAt, rotatedAt, ...rest }) => ({
          ...rest,
          createdAt: createdAt.toISOString(),
          updatedAt: updatedAt.toISOString(),
          ...(rotatedAt ? { rotatedAt: rotatedAt.toISOString() } : {}),
        })),
      },
      200,
    );
  });

  app.openapi(remove, async (c) => {
    const actor = c.get('actor');
    const { name } = c.req.valid('param');
    if (!(await store().delete(actor.tenant, name))) throw notFound('SECRET_NOT_FOUND', `your tenant has no secret "${name}"`);
    return c.body(null, 204);
  });
  return app;
}
