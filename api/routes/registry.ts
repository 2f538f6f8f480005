import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { workflowIds } from '../../domain/ids.ts';
import type { ChangeKind } from '../../domain/change-kind.ts';
import type { SourcePosition } from '../../domain/spec-source.ts';
import { notFound } from '../../domain/errors.ts';
import { taskRef, type TaskManifest } from '../../domain/manifest.ts';
import { adapterOwner, adapterVersions, assertMayRegister, checkManifest, checkStatusChangeAllowed, listAdapters } from '../../platform/registry.ts';
import { validateSpecDocument, issueDetail } from '../../platform/spec-validation.ts';
import { SA } from '../../platform/temporal.ts';
import { ADAPTER_STATUS_WORKFLOW_TYPE, REGISTER_ADAPTER_WORKFLOW_TYPE } from '../../workflows/contracts/index.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { mapTemporalErrors } from '../temporal-errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { DocumentBody, readDocument } from '../spec-input.ts';
import { guarded } from '../permissions.ts';
import { ChangeClassification } from '../schemas.ts';
import { CHANGE_CODES, reasonDetails, versionChange } from '../../platform/change-classification.ts';
import { definitionId } from '../../domain/ids.ts';

const Detail = z.object({ path: z.string(), message: z.string(), code: z.string().optional(), line: z.number().optional(), column: z.number().optional() });
const ValidationResult = z
  .object({
    valid: z.boolean(),
    errors: z.array(Detail),
    warnings: z.array(Detail),
    taskRefs: z.array(z.string()),
    change: ChangeClassification.optional().meta({
      description: "what the version changes against the latest published version below it of your tenant's definition of that name (absent when none is published below it)",
    }),
  })
  .meta({ id: 'SpecValidation' });

const AdapterVersion = z
  .object({
    name: z.string(),
    version: z.string(),
    status: z.enum(['active', 'deprecated', 'retired']),
    replacement: z.string().optional(),
    taskQueue: z.string(),
    digest: z.string(),
    registeredAt: z.string(),
    manifest: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AdapterVersion' });

const NameParam = z.object({ name: z.string().regex(/^[a-z][a-z0-9.-]*$/).meta({ param: { name: 'name', in: 'path' }, example: 'http.request' }) });

const validate = guarded('spec.validate', {
  method: 'post',
  path: '/specs/validate',
  tags: ['specs'],
  summary: 'Validate a workflow spec (JSON, or YAML/JSON source with line numbers) against its schema and the task registry',
  request: { body: { required: true, content: { 'application/json': { schema: DocumentBody('spec', { checked: false }) } } } },
  responses: { 200: json(ValidationResult, 'The validation result (errors and warnings)'), ...commonErrors },
});

const list = guarded('registry.read', {
  method: 'get',
  path: '/adapters',
  tags: ['task library'],
  summary: 'The task library: every registered adapter version',
  request: { query: z.object({ q: z.string().max(100).optional().meta({ param: { name: 'q', in: 'query' } }) }) },
  responses: { 200: json(z.object({ items: z.array(AdapterVersion) }), 'Adapters'), ...commonErrors },
});

const show = guarded('registry.read', {
  method: 'get',
  path: '/adapters/{name}',
  tags: ['task library'],
  summary: 'Every version of one adapter, newest first',
  request: { params: NameParam },
  responses: { 200: json(z.object({ name: z.string(), versions: z.array(AdapterVersion) }), 'The adapter'), 404: errorResponse('No such adapter'), ...commonErrors },
});

const register = guarded('registry.write', {
  method: 'post',
  path: '/adapters',
  tags: ['task library'],
  summary: 'Register an adapter version (publishers only); a registered version never changes',
  request: { body: { required: true, content: { 'application/json': { schema: DocumentBody('manifest') } } } },
  responses: {
    201: json(z.object({ ref: z.string(), digest: z.string(), created: z.boolean() }), 'Registered'),
    200: json(z.object({ ref: z.string(), digest: z.string(), created: z.boolean() }), 'Already registered with the same content'),
    403: errorResponse('Publisher role required, or the adapter name is owned by another tenant or the platform'),
    409: errorResponse('The version exists with different content'),
    ...commonErrors,
  },
});

const status = guarded('registry.write', {
  method: 'post',
  path: '/adapters/{name}/versions/{version}/status',
  tags: ['task library'],
  summary: "Deprecate or retire an adapter version (the owning tenant's publishers, or a platform admin)",
  request: {
    params: NameParam.extend({ version: z.string().meta({ param: { name: 'version', in: 'path' } }) }),
    body: {
      required: true,
      content: { 'application/json': { schema: z.strictObject({ status: z.enum(['active', 'deprecated', 'retired']), replacement: z.string().max(200).optional() }) } },
    },
  },
  responses: { 200: json(z.object({ name: z.string(), version: z.string(), status: z.string() }), 'Changed'), 403: errorResponse('Publisher role required, or the adapter is owned by another tenant or the platform'), 404: errorResponse('No such adapter'), ...commonErrors },
});

const position = (locate: ((p: string) => SourcePosition | undefined) | undefined, pointer: string) => {
  const at = locate?.(pointer);
  return at ? { line: at.line, column: at.column } : {};
};

export function registryRoutes({ sql, temporal, config }: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const toVersion = (r: Awaited<ReturnType<typeof adapterVersions>>[number]) => ({
    name: r.name,
    version: r.version,
    status: r.status,
    ...(r.replacement ? { replacement: r.replacement } : {}),
    taskQueue: r.manifest.spec.taskQueue ?? r.task_queue,
    digest: r.manifest_digest,
    registeredAt: r.created_at.toISOString(),
    manifest: r.manifest as unknown as Record<string, unknown>,
  });

  app.openapi(validate, async (c) => {
    const { doc, locate } = readDocument(c.req.valid('json'), 'spec');
    const v = await validateSpecDocument(sql, doc, locate);
    const prefix = locate ? '' : '/spec';
    const errors = v.errors.map((i) => issueDetail(i, prefix));
    // a valid spec is also compared with what its tenant published below its version
    const change = v.spec ? await versionChange(sql, definitionId(c.get('actor').tenant, v.spec.metadata.name), v.spec) : undefined;
    if (change?.mismatch) {
      errors.push({ path: `${prefix}/metadata/version`, code: CHANGE_CODES.bumpMismatch, message: change.mismatch, ...position(locate, '/metadata/version') });
      errors.push(...reasonDetails(change.reasons, prefix));
    }
    return c.json(
      {
        valid: v.valid && !change?.mismatch,
        errors,
        warnings: v.warnings.map((i) => issueDetail(i, prefix)),
        taskRefs: v.taskRefs,
        ...(change?.from ? { change: { kind: change.kind as ChangeKind, from: change.from, reasons: change.reasons } } : {}),
      },
      200,
    );
  });

  app.openapi(list, async (c) => c.json({ items: (await listAdapters(sql, c.req.valid('query').q)).map(toVersion) }, 200));

  app.openapi(show, async (c) => {
    const { name } = c.req.valid('param');
    const rows = await adapterVersions(sql, name);
    if (!rows.length) throw notFound('ADAPTER_NOT_FOUND', `no adapter "${name}"`);
    return c.json({ name, versions: rows.map(toVersion) }, 200);
  });

  app.openapi(register, async (c) => {
    const actor = c.get('actor');
    const manifest: TaskManifest = checkManifest(readDocument(c.req.valid('json'), 'manifest').doc);
    const ref = taskRef(manifest);
    // fast pre-check (the activity checks again): a name owned by another tenant or the platform is not ours
    assertMayRegister(manifest.metadata.name, await adapterOwner(sql, manifest.metadata.name), actor);
    const result = await mapTemporalErrors(() =>
      temporal.workflow.execute<(i: unknown) => Promise<{ created: boolean; digest: string }>>(REGISTER_ADAPTER_WORKFLOW_TYPE, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: workflowIds.registerAdapter(manifest.metadata.name, manifest.metadata.version),
        args: [{ manifest, actor }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: SA.tenantId, value: actor.tenant },
          { key: SA.lifecycle, value: 'adapter-register' },
        ],
      }),
    );
    return c.json({ ref, ...result }, result.created ? 201 : 200);
  });

  app.openapi(status, async (c) => {
    const actor = c.get('actor');
    const { name, version } = c.req.valid('param');
    const body = c.req.valid('json');
    // fast pre-check (the activity checks again): only the owner's publishers or a platform admin
    await checkStatusChangeAllowed(sql, name, version, actor);
    await mapTemporalErrors(() =>
      temporal.workflow.execute(ADAPTER_STATUS_WORKFLOW_TYPE, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: workflowIds.adapterStatus(name, version, body.status),
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ name, version, ...body, actor }],
        typedSearchAttributes: [
          { key: SA.tenantId, value: actor.tenant },
          { key: SA.lifecycle, value: 'adapter-status' },
        ],
      }),
    );
    return c.json({ name, version, status: body.status }, 200);
  });
  return app;
}
