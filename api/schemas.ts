import { z } from 'zod';
import { DEFINITION_ID } from '../domain/ids.ts';
import { SEMVER } from '../domain/semver.ts';
import { CATEGORIES, RISKS, SCOPES } from '../domain/spec.ts';
import { ROLES } from '../domain/actor.ts';
import type { CatalogDetail as CatalogDetailShape } from '../domain/catalog.ts';
import type { TrustSummary as TrustSummaryShape } from '../domain/trust.ts';
import { CHANGE_KINDS, CHANGE_RULES, RECORDED_CHANGE_KINDS, type ChangeClassification as ChangeClassificationShape, type ChangeRule } from '../domain/change-kind.ts';
import { GuardrailDecisionBody, PolicyOverrideBody } from './guardrail-schemas.ts';

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

export const PublishStatusEnum = z.enum(['validating', 'deciding', 'awaiting_override', 'awaiting_approval', 'publishing', 'published', 'rejected', 'denied', 'invalid']);

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
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        details: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional().meta({ description: 'a guardrail denial: one per denying rule (path /policy/<rule id>), its reasons and fix' }),
      })
      .optional(),
    guardrails: GuardrailDecisionBody.optional().meta({ description: 'the guardrails\' latest decision (awaiting_override: the rules held and the roles that may override them)' }),
    overrides: z.array(PolicyOverrideBody).optional(),
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

/** The fields of a definition that its detail (GET /definitions/{id}) and its catalog detail share. */
const DefinitionFields = {
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
};

export const ChangeReasonSchema = z
  .object({
    rule: z.enum(Object.keys(CHANGE_RULES) as [ChangeRule, ...ChangeRule[]]).meta({ description: 'a stable rule id (docs/adr/0006-change-classification-and-migrations.md)' }),
    kind: z.enum(CHANGE_KINDS),
    pointer: z.string().meta({ description: 'JSON Pointer into the new spec (the old one for something removed)' }),
    message: z.string(),
  })
  .meta({ id: 'ChangeReason' });

export const ChangeClassification = z
  .object({
    kind: z.enum(CHANGE_KINDS).meta({ description: 'the most severe kind among the reasons' }),
    from: z.string().meta({ description: 'the version compared against' }),
    reasons: z.array(ChangeReasonSchema),
  })
  .meta({ id: 'ChangeClassification' });

/** What a published version records of its change (absent on drafts and on versions published before classification). */
export const VersionChange = {
  changeKind: z.enum(RECORDED_CHANGE_KINDS).optional().meta({ description: 'computed at publish against the latest published version below it; initial for the first' }),
  changeFrom: z.string().optional().meta({ description: 'the version it was compared with' }),
  changeReasons: z.array(ChangeReasonSchema).optional(),
};

const VersionFields = {
  version: z.string(),
  status: z.string(),
  digest: z.string(),
  changelog: z.string().optional(),
  ...VersionChange,
  createdBy: z.string(),
  createdAt: z.string(),
  publishedAt: z.string().optional(),
};

const PublishApproval = z.object({
  version: z.string(),
  approver: z.string(),
  approverTenant: z.string(),
  decision: z.string(),
  rationale: z.string(),
  decidedAt: z.string(),
  workflowId: z.string(),
  runId: z.string().optional(),
});

export const DefinitionDetail = z
  .object({
    ...DefinitionFields,
    versions: z.array(z.object({ ...VersionFields, provenance: z.object({ workflowId: z.string(), runId: z.string() }).optional() })),
    approvals: z.array(PublishApproval),
  })
  .meta({ id: 'DefinitionDetail' });

// ---- the catalog detail (GET /api/catalog/{id}): the JSON of domain/catalog.ts CatalogDetail ----

const Link = z.string().meta({ description: 'the workflow history in the Temporal Web UI' });

const CatalogLifecycleEnum = z.enum(['publish', 'health-rollup', 'reindex', 'curate']);

export const CatalogProvenanceEntry = z
  .object({
    lifecycle: CatalogLifecycleEnum,
    workflowId: z.string(),
    runId: z.string(),
    reason: z.string().optional().meta({ example: 'health: 12 runs in 30 days, 8% failed' }),
    at: z.string(),
    temporalUiUrl: Link,
  })
  .meta({ id: 'CatalogProvenanceEntry' });

const KeyOwnerBody = z
  .union([z.object({ kind: z.literal('platform'), id: z.literal('platform') }), z.object({ kind: z.literal('publisher'), id: z.string() })])
  .meta({ id: 'KeyOwner' });

/** domain/trust.ts TrustSummary: catalog rows and detail, template list and detail. */
export const TrustSummaryBody = z
  .object({
    signed: z
      .object({ keyId: z.string(), owner: KeyOwnerBody, verified: z.boolean().meta({ description: "verified against your tenant's trust roots, with the publisher as the key's owner" }) })
      .nullable()
      .meta({ description: 'null: the version carries no signature' }),
    review: z.object({
      state: z.enum(['none', 'pending', 'passed', 'failed', 'expired']),
      reviewers: z.array(z.string()).meta({ description: 'the platform reviewers who approved' }),
      reviewedAt: z.string().optional(),
      requestId: z.string().optional(),
    }),
    certification: z.object({
      status: z.enum(['none', 'checking', 'certified', 'refused', 'overdue', 'superseded', 'revoked']),
      certifiedBy: z.string().optional(),
      certifiedAt: z.string().optional(),
      expiresAt: z.string().optional(),
      overdue: z.boolean().meta({ description: '"review overdue": the certification expired and awaits recertification' }),
    }),
  })
  .meta({ id: 'TrustSummary' });

export const CatalogTrust = z
  .object({
    ...TrustSummaryBody.shape,
    author: z.string().optional().meta({ description: 'who wrote the version a run uses' }),
    ownerTeam: z.string().optional(),
    reviewer: z
      .string()
      .optional()
      .meta({ description: 'who approved the latest published version; shown to the owning tenant only (others see the `reviewed` badge and lastReviewedAt)' }),
    lastReviewedAt: z.string().optional(),
    certified: z.boolean(),
    certificationState: z.enum(['none', 'certified', 'stale', 'revoked']),
    badges: z.array(z.string()).meta({ example: ['reviewed', 'healthy'] }),
    warnings: z.array(z.string()).meta({ example: ['high risk: every run waits for approval (managerApproval)'] }),
  })
  .meta({ id: 'CatalogTrust' });

export const CatalogHealth = z
  .object({
    windowDays: z.number().int(),
    runCount: z.number().int().meta({ description: 'runs started in the window, from every tenant' }),
    lastRunStatus: z.string().optional(),
    lastRunAt: z.string().optional().meta({ description: 'when the newest run finished (or started, while it runs)' }),
    failureRate: z.number().optional().meta({ description: '(failed + timed out) / runs in the window that finished and were not cancelled; absent when none did' }),
    avgDurationMs: z.number().int().optional().meta({ description: 'over the completed runs in the window' }),
    computedAt: z.string().optional().meta({ description: 'end of the window of the health rollup that computed these figures; absent: never rolled up' }),
  })
  .meta({ id: 'CatalogHealth' });

export const CatalogApprovalRequirement = z
  .object({ stepId: z.string(), title: z.string().optional(), roles: z.array(z.string()), users: z.array(z.string()), count: z.number().int() })
  .meta({ id: 'CatalogApprovalRequirement' });

export const CatalogDetail = z
  .object({
    ...DefinitionFields,
    visibility: z.string(),
    parameters: z
      .object({
        version: z.string().optional(),
        schema: z.record(z.string(), z.unknown()).optional().meta({ description: 'the JSON Schema of the run parameters' }),
        secrets: z.array(z.object({ name: z.string(), description: z.string().optional() })).meta({ description: 'declared secrets: names only, never values' }),
      })
      .meta({ description: 'of the version a run would use: the latest published one, else the newest' }),
    approvalRequirements: z.array(CatalogApprovalRequirement).meta({ description: 'the approval steps a run of that version waits for' }),
    versions: z.array(z.object({ ...VersionFields, provenance: z.object({ workflowId: z.string(), runId: z.string(), temporalUiUrl: Link }).optional() })),
    approvals: z
      .array(PublishApproval)
      .meta({ description: 'publish decisions; empty for every tenant but the owner' }),
    trust: CatalogTrust,
    health: CatalogHealth,
    provenance: z.array(CatalogProvenanceEntry).meta({
      description:
        'what changed the search document, newest first: every publish and reindex, and the newest 10 health rollups. ' +
        'Other tenants see the publishes of the versions they may see only.',
    }),
  })
  .meta({ id: 'CatalogDetail' });

// The schema and the shared type must describe the same JSON (checked by the compiler).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _catalogDetailMatchesDomain: Same<z.infer<typeof CatalogDetail>, CatalogDetailShape> = true;
const _trustSummaryMatchesDomain: Same<z.infer<typeof TrustSummaryBody>, TrustSummaryShape> = true;
const _changeMatchesDomain: Same<z.infer<typeof ChangeClassification>, ChangeClassificationShape> = true;
