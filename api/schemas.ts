import { z } from 'zod';
import { DEFINITION_ID } from '../domain/ids.ts';
import { SEMVER } from '../domain/semver.ts';
import { CATEGORIES, RISKS, SCOPES } from '../domain/spec.ts';
import { ROLES } from '../domain/actor.ts';

/** Schemas declared once: validation, the OpenAPI document and the tests use these. */
export const DefinitionIdParam = z.object({
  id: z.string().regex(DEFINITION_ID, 'must be a definition id such as acme.hr-onboarding').meta({ param: { name: 'id', in: 'path' }, example: 'acme.hr-onboarding' }),
});
export const VersionParam = DefinitionIdParam.extend({
  version: z.string().regex(SEMVER, 'must be a semantic version').meta({ param: { name: 'version', in: 'path' }, example: '1.0.0' }),
});

export const ActorBody = z
  .object({ sub: z.string(), tenant: z.string(), roles: z.array(z.enum(ROLES)), team: z.string().optional(), name: z.string().optional() })
  .meta({ id: 'Actor' });

export const DecisionBody = z
  .object({
    allow: z.boolean(),
    reviewRequired: z.boolean(),
    requiredApprovals: z.number().int(),
    deny: z.array(z.string()),
    reviewReasons: z.array(z.string()),
  })
  .meta({ id: 'PublishDecision' });

export const ApprovalBody = z
  .object({ approver: ActorBody, rationale: z.string(), decision: z.enum(['approve', 'reject']), at: z.string() })
  .meta({ id: 'Approval' });

export const PublishStatusEnum = z.enum(['validating', 'deciding', 'awaiting_approval', 'publishing', 'published', 'rejected', 'denied', 'invalid']);

export const PublishRequestState = z
  .object({
    workflowId: z.string(),
    runId: z.string().optional(),
    definitionId: z.string(),
    version: z.string(),
    status: PublishStatusEnum,
    requestedBy: ActorBody,
    decision: DecisionBody.optional(),
    approvals: z.array(ApprovalBody),
    digest: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    temporalUrl: z.string(),
  })
  .meta({ id: 'PublishRequest' });

export const CatalogItem = z
  .object({
    id: z.string(),
    name: z.string(),
    title: z.string().optional(),
    description: z.string(),
    category: z.enum(CATEGORIES).or(z.string()),
    risk: z.enum(RISKS),
    scope: z.enum(SCOPES),
    tenantId: z.string(),
    owner: z.string().optional(),
    ownerTeam: z.string().optional(),
    latestVersion: z.string(),
    status: z.string(),
    tags: z.array(z.string()),
    updatedAt: z.string(),
  })
  .meta({ id: 'CatalogItem' });

export const DefinitionDetail = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    title: z.string().optional(),
    description: z.string(),
    category: z.string(),
    risk: z.string(),
    scope: z.string(),
    owner: z.string().optional(),
    ownerTeam: z.string().optional(),
    status: z.string(),
    latestVersion: z.string().optional(),
    tags: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    versions: z.array(
      z.object({
        version: z.string(),
        status: z.string(),
        digest: z.string(),
        changelog: z.string().optional(),
        createdBy: z.string(),
        createdAt: z.string(),
        publishedAt: z.string().optional(),
        provenance: z.object({ workflowId: z.string(), runId: z.string() }).optional(),
      }),
    ),
    approvals: z.array(
      z.object({
        version: z.string(),
        approver: z.string(),
        approverTenant: z.string(),
        decision: z.string(),
        rationale: z.string(),
        decidedAt: z.string(),
        workflowId: z.string(),
        runId: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'DefinitionDetail' });
