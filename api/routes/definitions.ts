import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { SpecV1 } from '../../domain/spec-types.ts';
import { assertValid, validateSpecDocument } from '../../platform/spec-validation.ts';
import { assertBumpAgrees, assertChangelog, versionChange } from '../../platform/change-classification.ts';
import { contentDigest } from '../../platform/digest.ts';
import { classifyChange } from '../../domain/change-kind.ts';
import { DocumentBody, readDocument } from '../spec-input.ts';
import { definitionId, workflowIds } from '../../domain/ids.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import type { PublishState } from '../../domain/publish.ts';
import {
  APPROVAL_CODES,
  draftLifecycle,
  publishLifecycle,
  approveUpdate,
  publishStateQuery,
  rejectUpdate,
} from '../../workflows/contracts/index.ts';
import { OverrideRequestBody, overrideResponses } from '../guardrail-schemas.ts';
import { sendOverride } from '../policy-override.ts';
import { temporalWorkflowUrl } from '../../platform/temporal.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { visibleVersionSql } from '../../platform/access.ts';
import { mapTemporalErrors, updateOpenWorkflow } from '../temporal-errors.ts';
import { ApprovalBody, ChangeClassification, DefinitionDetail, DefinitionIdParam, PublishRequestState, VersionParam } from '../schemas.ts';
import { readPublishRequest, readVisibleDefinition } from '../read-models.ts';
import { guarded } from '../permissions.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { VISIBILITY_PROFILES } from '../../domain/access.ts';
import { ENVIRONMENTS, REGION } from '../../domain/marketplace.ts';

/** A finished lifecycle takes no more decisions (the workflow validator says the same while it runs). */
const TERMINAL = new Set(['published', 'rejected', 'denied', 'invalid']);

const errors = { ...commonErrors, 404: errorResponse('Not found (or not visible to your tenant)') } as const;

const DraftCreated = z
  .object({
    definitionId: z.string(),
    version: z.string(),
    digest: z.string(),
    created: z.boolean(),
    workflowId: z.string(),
    temporalUrl: z.string(),
  })
  .meta({ id: 'DraftCreated' });

const createDraft = guarded('definition.draft', {
  method: 'post',
  path: '/definitions',
  tags: ['definitions'],
  summary: 'Create a draft version from a workflow spec document',
  request: { body: { required: true, content: { 'application/json': { schema: DocumentBody('spec') } } } },
  responses: {
    ...errors,
    201: json(DraftCreated, 'Draft created'),
    200: json(DraftCreated, 'The same draft already existed (idempotent)'),
    422: errorResponse(
      'The spec is invalid (SPEC_INVALID), or its version number disagrees with the change computed against the latest published version below it (VERSION_BUMP_MISMATCH: the first detail says why, the others are the reasons, code = rule)',
    ),
    403: errorResponse('Missing role'),
    409: errorResponse('The version exists with different content'),
  },
});

const getDefinition = guarded('catalog.read', {
  method: 'get',
  path: '/definitions/{id}',
  tags: ['definitions'],
  summary: 'A definition with its versions',
  request: { params: DefinitionIdParam },
  responses: { 200: json(DefinitionDetail, 'The definition'), ...errors },
});

const VersionDetail = z
  .object({
    definitionId: z.string(),
    version: z.string(),
    status: z.string(),
    digest: z.string(),
    spec: z.record(z.string(), z.unknown()).meta({ description: 'the workflow spec (secrets appear as declarations and references only)' }),
    publishedAt: z.string().optional(),
  })
  .meta({ id: 'VersionDetail' });

const getVersion = guarded('catalog.read', {
  method: 'get',
  path: '/definitions/{id}/versions/{version}',
  tags: ['definitions'],
  summary: 'One version of a definition, with its spec',
  request: { params: VersionParam },
  responses: { 200: json(VersionDetail, 'The version'), ...errors },
});

const ChangesQuery = z.object({
  from: VersionParam.shape.version.meta({ param: { name: 'from', in: 'query' }, example: '1.0.0' }),
  to: VersionParam.shape.version.meta({ param: { name: 'to', in: 'query' }, example: '2.0.0' }),
});

const getChanges = guarded('catalog.read', {
  method: 'get',
  path: '/definitions/{id}/changes',
  tags: ['definitions'],
  summary: 'What version `to` changes against version `from`: the computed change kind and its reasons',
  request: { params: DefinitionIdParam, query: ChangesQuery },
  responses: { 200: json(ChangeClassification, 'The classification of `to` against `from`'), ...errors },
});

const requestPublish = guarded('definition.publish', {
  method: 'post',
  path: '/definitions/{id}/publish-requests',
  tags: ['publishing'],
  summary: 'Request Publish: start the publish lifecycle of a draft version',
  request: {
    params: DefinitionIdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            version: VersionParam.shape.version,
            note: z.string().max(2000).optional(),
            visibility: z.enum(VISIBILITY_PROFILES).optional().meta({
              description:
                'the marketplace profile asked for (default: public-ecosystem for a global spec, internal-only for a tenant-local one); the publish policy decides',
            }),
            offer: z
              .strictObject({
                summary: z.string().min(1).max(280).optional(),
                environments: z.array(z.enum(ENVIRONMENTS)).min(1).max(3).optional(),
                regions: z.array(z.string().regex(REGION, 'must be a region such as eu-west-1')).max(20).optional(),
              })
              .optional()
              .meta({ description: 'what installers see of the template: summary, supported environments and regions (none = any region)' }),
          }),
        },
      },
    },
  },
  responses: {
    202: json(z.object({ workflowId: z.string(), runId: z.string(), temporalUrl: z.string(), status: z.string() }), 'Publish lifecycle started (or already running)'),
    ...errors,
    409: errorResponse('Already published'),
    422: errorResponse('The version has no changelog (CHANGELOG_REQUIRED): every published version says what changed in metadata.changelog'),
  },
});

const getPublishRequest = guarded('publish.read', {
  method: 'get',
  path: '/definitions/{id}/publish-requests/{version}',
  tags: ['publishing'],
  summary: 'State of a publish lifecycle',
  request: { params: VersionParam },
  responses: { 200: json(PublishRequestState, 'Current state'), ...errors },
});

const decide = guarded('publish.decide', {
  method: 'post',
  path: '/definitions/{id}/publish-requests/{version}/approvals',
  tags: ['publishing'],
  summary: 'Approve Template: approve or reject a publish request, with rationale',
  request: {
    params: VersionParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({ decision: z.enum(['approve', 'reject']).default('approve'), rationale: z.string().max(4000) }),
        },
      },
    },
  },
  responses: {
    200: json(z.object({ approval: ApprovalBody, status: z.string() }), 'Decision accepted'),
    403: errorResponse('Self-approval, wrong tenant or missing role'),
    409: errorResponse('Not awaiting approval, or already decided by you'),
    ...errors,
  },
});

const overridePublish = guarded('publish.decide', {
  method: 'post',
  path: '/definitions/{id}/publish-requests/{version}/override',
  tags: ['publishing'],
  summary: 'Override a soft-mandatory guardrail that holds a publish, with rationale',
  description:
    "A publish held by a soft-mandatory guardrail (status awaiting_override) goes on once each held rule is overridden by a role the rule names (guardrails.override_roles), never the requester. The actor is the token's; the override is recorded in the lifecycle's history and the publish receipt.",
  request: { params: VersionParam, body: { required: true, content: { 'application/json': { schema: OverrideRequestBody } } } },
  responses: {
    ...errors,
    200: overrideResponses[200],
    403: overrideResponses[403],
    409: overrideResponses[409],
    422: overrideResponses[422],
  },
});

export function definitionRoutes(deps: ApiDeps) {
  const { temporal, config, sql } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const lifecycles = lifecycleStarter(deps);
  const url = (workflowId: string, runId: string | undefined) => temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, workflowId, runId);

  app.openapi(createDraft, async (c) => {
    const actor = c.get('actor');
    const { doc, locate } = readDocument(c.req.valid('json'), 'spec');
    const spec: SpecV1 = assertValid(await validateSpecDocument(sql, doc, locate), locate ? '' : '/spec');
    const id = definitionId(actor.tenant, spec.metadata.name);
    // refused before a lifecycle starts (the activity checks again): a number that disagrees
    // with the change computed against the latest published version below it
    const [same] = await sql`select 1 from workflow_version where definition_id = ${id} and version = ${spec.metadata.version} and digest = ${contentDigest(spec)}`;
    if (!same) assertBumpAgrees(await versionChange(sql, id, spec), spec.metadata.version, locate ? '' : '/spec');
    const workflowId = workflowIds.draft(id, spec.metadata.version);
    // start, then wait: the handle names the execution (its history link needs the run id)
    const handle = await mapTemporalErrors(() =>
      lifecycles.start(draftLifecycle, { spec, actor, definitionId: id }).then((s) => s.handle),
    );
    const draft = await mapTemporalErrors(() => handle.result());
    const body = {
      definitionId: draft.definitionId,
      version: draft.version,
      digest: draft.digest,
      created: draft.created,
      workflowId,
      temporalUrl: url(workflowId, handle.firstExecutionRunId),
    };
    return c.json(body, draft.created ? 201 : 200);
  });

  app.openapi(getDefinition, async (c) => {
    const def = await readVisibleDefinition(sql, c.get('actor'), c.req.valid('param').id);
    if (!def) throw notFound('DEFINITION_NOT_FOUND', 'no such definition');
    return c.json(def, 200);
  });

  app.openapi(getVersion, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    // as readVisibleDefinition (domain/access.ts canSeeVersion)
    const [v] = await sql<{ status: string; digest: string; spec: Record<string, unknown>; published_at: Date | null }[]>`
      select v.status, v.digest, v.spec, v.published_at
      from workflow_version v join workflow_definition d on d.id = v.definition_id
      where v.definition_id = ${id} and v.version = ${version}
        and ${visibleVersionSql(sql, actor.tenant)}`;
    if (!v) throw notFound('VERSION_NOT_FOUND', `no version ${version} of ${id}`);
    return c.json(
      {
        definitionId: id,
        version,
        status: v.status,
        digest: v.digest,
        spec: v.spec,
        ...(v.published_at ? { publishedAt: v.published_at.toISOString() } : {}),
      },
      200,
    );
  });

  app.openapi(getChanges, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const { from, to } = c.req.valid('query');
    // both versions as the caller may see them (canSeeVersion); one it may not see is absent
    const rows = await sql<{ version: string; spec: SpecV1 }[]>`
      select v.version, v.spec
      from workflow_version v join workflow_definition d on d.id = v.definition_id
      where v.definition_id = ${id} and v.version in ${sql([from, to])}
        and ${visibleVersionSql(sql, actor.tenant)}`;
    const spec = (version: string) => {
      const row = rows.find((r) => r.version === version);
      if (!row) throw notFound('VERSION_NOT_FOUND', `no version ${version} of ${id}`);
      return row.spec;
    };
    const previous = spec(from);
    const { kind, reasons } = classifyChange(previous, spec(to));
    return c.json({ kind, from, reasons }, 200);
  });

  app.openapi(requestPublish, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const { version, note, visibility, offer } = c.req.valid('json');
    const [v] = await sql<{ status: string; spec: SpecV1 }[]>`
      select v.status, v.spec from workflow_version v join workflow_definition d on d.id = v.definition_id
      where v.definition_id = ${id} and v.version = ${version} and d.tenant_id = ${actor.tenant}`;
    if (!v) throw notFound('VERSION_NOT_FOUND', `${id}@${version} does not exist in your tenant`);
    if (v.status === 'published') throw conflict('ALREADY_PUBLISHED', `${id}@${version} is already published`);
    // what the lifecycle would refuse at its first step anyway, said without starting it
    assertChangelog(v.spec, '/spec');
    const workflowId = workflowIds.publish(id, version);
    const { handle } = await lifecycles.start(publishLifecycle, {
      definitionId: id,
      version,
      requestedBy: actor,
      ...(note ? { note } : {}),
      ...(visibility ? { visibility } : {}),
      ...(offer ? { offer } : {}),
    });
    const runId = handle.firstExecutionRunId;
    return c.json({ workflowId, runId, temporalUrl: url(workflowId, runId), status: 'started' }, 202);
  });

  app.openapi(getPublishRequest, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const row = await readPublishRequest(sql, actor, id, version);
    if (!row) throw notFound('PUBLISH_REQUEST_NOT_FOUND', `no publish request for ${id}@${version}`);
    // The workflow is the authority on live state; the read model answers when no worker can.
    const live = await temporal.workflow
      .getHandle(row.workflowId)
      .query(publishStateQuery)
      .catch(() => undefined);
    const state: PublishState = live ?? row.state;
    return c.json({ ...state, workflowId: row.workflowId, runId: row.runId, temporalUrl: url(row.workflowId, row.runId) }, 200);
  });

  app.openapi(decide, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const { decision, rationale } = c.req.valid('json');
    const row = await readPublishRequest(sql, actor, id, version);
    if (!row) throw notFound('PUBLISH_REQUEST_NOT_FOUND', `no publish request for ${id}@${version}`);
    if (TERMINAL.has(row.state.status)) {
      throw conflict(APPROVAL_CODES.notAwaiting, `this publish request is ${row.state.status}, not awaiting approval`);
    }
    const handle = temporal.workflow.getHandle(row.workflowId);
    // the lifecycle may have closed (failed, or decided) since the read model was written
    const approval = await updateOpenWorkflow(
      () => handle.executeUpdate(decision === 'approve' ? approveUpdate : rejectUpdate, { args: [{ approver: actor, rationale }] }),
      APPROVAL_CODES.notAwaiting,
      'this publish request is no longer awaiting approval',
    );
    const state = await handle.query(publishStateQuery).catch(() => undefined);
    return c.json({ approval, status: state?.status ?? 'unknown' }, 200);
  });

  app.openapi(overridePublish, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const { rule, rationale } = c.req.valid('json');
    const row = await readPublishRequest(sql, actor, id, version);
    if (!row) throw notFound('PUBLISH_REQUEST_NOT_FOUND', `no publish request for ${id}@${version}`);
    const handle = temporal.workflow.getHandle(row.workflowId);
    const live = await handle.query(publishStateQuery).catch(() => undefined);
    const status = live?.status ?? row.state.status;
    if (status !== 'awaiting_override') throw conflict('NOT_HELD', `this publish request is ${status}, not held for a policy override`);
    const guardrails = await sendOverride(handle, actor, { rule, rationale }, 'this publish request is no longer held for a policy override');
    const state = await handle.query(publishStateQuery).catch(() => undefined);
    return c.json({ guardrails, status: state?.status ?? 'unknown' }, 200);
  });

  return app;
}
