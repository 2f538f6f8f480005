import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { temporalWorkflowUrl } from '../../platform/temporal.ts';
import { reviewSettings } from '../../platform/config.ts';
import { startReview } from '../../platform/review-start.ts';
import { listPublicKeys, tenantTrust } from '../../platform/signing.ts';
import { verifyStoredEvidence } from '../../platform/evidence-verify.ts';
import { conflict, notAllowed, notFound } from '../../domain/errors.ts';
import { isMarketplace, RATIONALE_MAX, reviewWorkflowIds } from '../../domain/review.ts';
import { controlOutcomes } from '../../domain/controls.ts';
import { REVIEW_CODES, REVIEW_KINDS, type ControlOutcome, type EvidenceBundle, type EvidenceItem, type ReviewDecisionRecord } from '../../domain/trust.ts';
import { decideReviewUpdate } from '../../workflows/contracts/review.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { guarded } from '../permissions.ts';
import { VersionParam } from '../schemas.ts';
import { SigstoreBundle, VerificationResult } from '../trust-schemas.ts';
import { updateOpenWorkflow } from '../temporal-errors.ts';
import { isPlatformReviewer, readNewestReviewRequest, readReviewQueue, readReviews } from '../review-read-models.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const Kind = z.enum(REVIEW_KINDS);
const ReviewStatusEnum = z.enum(['gathering', 'open', 'escalated', 'passed', 'failed', 'expired']);
const MarketplaceProfile = z.enum(['partner-curated', 'public-ecosystem']);

export const EvidenceItemSchema = z
  .object({
    id: z.string(),
    kind: Kind,
    title: z.string(),
    ok: z.boolean(),
    reason: z.string(),
    data: z.unknown().optional(),
    digest: z.string(),
    producedBy: z.object({ workflowId: z.string(), runId: z.string(), activity: z.string().optional() }),
  })
  .meta({ id: 'EvidenceItem' });

export const ReviewDecisionSchema = z
  .object({
    reviewer: z.object({ sub: z.string(), tenant: z.string(), team: z.string().optional(), name: z.string().optional() }),
    decision: z.enum(['approve', 'reject']),
    rationale: z.string(),
    at: z.string(),
    group: z.enum(['primary', 'escalation']),
  })
  .meta({ id: 'ReviewDecisionRecord' });

export const ControlOutcomeSchema = z
  .object({ id: z.string(), title: z.string(), satisfied: z.boolean(), evidence: z.array(z.string()) })
  .meta({ id: 'ControlOutcome' });

export const EvidenceBundleSchema = z
  .object({
    subject: z.object({ name: z.string(), digest: z.string() }),
    requestedVisibility: MarketplaceProfile,
    outcome: z.enum(['passed', 'failed', 'expired']),
    workflowId: z.string(),
    runId: z.string(),
    reviews: z.array(
      z.object({
        kind: Kind,
        workflowId: z.string(),
        runId: z.string(),
        status: ReviewStatusEnum,
        quorum: z.number().int(),
        evidence: z.array(EvidenceItemSchema),
        decisions: z.array(ReviewDecisionSchema),
      }),
    ),
    controls: z.array(ControlOutcomeSchema),
    createdAt: z.string(),
  })
  .meta({ id: 'EvidenceBundle' });

const _evidence: Same<z.infer<typeof EvidenceItemSchema>, EvidenceItem> = true;
const _decision: Same<z.infer<typeof ReviewDecisionSchema>, ReviewDecisionRecord> = true;
const _control: Same<z.infer<typeof ControlOutcomeSchema>, ControlOutcome> = true;
const _bundle: Same<z.infer<typeof EvidenceBundleSchema>, EvidenceBundle> = true;
void [_evidence, _decision, _control, _bundle];


const KindReview = z
  .object({
    kind: Kind,
    status: ReviewStatusEnum,
    quorum: z.number().int(),
    group: z.enum(['primary', 'escalation']),
    workflowId: z.string(),
    evidence: z.array(EvidenceItemSchema),
    decisions: z.array(ReviewDecisionSchema),
    deadlineAt: z.string().optional(),
    escalatedAt: z.string().optional(),
  })
  .meta({ id: 'KindReview' });

const ReviewView = z
  .object({
    requestId: z.string(),
    status: z.enum(['gathering', 'in_review', 'passed', 'failed', 'expired']),
    definitionId: z.string(),
    version: z.string(),
    requestedVisibility: MarketplaceProfile,
    requestedBy: z.string(),
    reason: z.string().optional(),
    workflowId: z.string(),
    runId: z.string(),
    temporalUrl: z.string(),
    reviews: z.array(KindReview),
    controls: z.array(ControlOutcomeSchema),
    evidenceDigest: z.string().optional(),
    receiptId: z.string().optional(),
    createdAt: z.string(),
    endedAt: z.string().optional(),
  })
  .meta({ id: 'ReviewRequest' });

const QueueItem = z
  .object({
    requestId: z.string(),
    workflowId: z.string(),
    kind: Kind,
    status: ReviewStatusEnum,
    definitionId: z.string(),
    version: z.string(),
    title: z.string(),
    publisherTenant: z.string(),
    risk: z.string(),
    requestedVisibility: MarketplaceProfile,
    quorum: z.number().int(),
    approvals: z.number().int(),
    deadlineAt: z.string().optional(),
    escalatedAt: z.string().optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'ReviewQueueItem' });

const KindParam = VersionParam.extend({ kind: Kind.meta({ param: { name: 'kind', in: 'path' }, example: 'security' }) });

const requestReview = guarded('review.request', {
  method: 'post',
  path: '/definitions/{id}/versions/{version}/review-requests',
  tags: ['reviews'],
  summary: 'Request the marketplace review of a published version (again, after a failed or expired one)',
  description:
    'Starts `review/<def>@<version>/<n>`: security, performance and docs reviews; a pass offers the version at the profile its publish asked for (and the publish policy allowed). A review in progress is joined. `visibility`, when given, must be that profile: another profile is a new version\'s publish.',
  request: { params: VersionParam, body: { content: { 'application/json': { schema: z.object({ visibility: MarketplaceProfile.optional() }) } }, required: true } },
  responses: {
    202: json(z.object({ workflowId: z.string(), runId: z.string().optional(), status: z.enum(['started', 'pending']), temporalUrl: z.string() }), 'The review runs'),
    401: commonErrors[401],
    403: errorResponse('ROLE_REQUIRED; NOT_OWNER_TENANT: only a publisher of the owning tenant requests its review'),
    404: errorResponse('VERSION_NOT_FOUND'),
    409: errorResponse('NOT_PUBLISHED; ALREADY_REVIEWED; NO_MARKETPLACE_PROFILE: the publish asked for none; PROFILE_MISMATCH: not the profile the publish asked for'),
    422: commonErrors[422],
  },
});

const queue = guarded('review.read', {
  method: 'get',
  path: '/reviews',
  tags: ['reviews'],
  summary: "The reviewers' queue: reviews by kind and status (default: open and escalated)",
  request: { query: z.object({ kind: Kind.optional(), status: ReviewStatusEnum.optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }) },
  responses: {
    200: json(z.object({ items: z.array(QueueItem) }), 'Reviews, oldest first'),
    401: commonErrors[401],
    403: errorResponse('NOT_PLATFORM_REVIEWER: the queue is for platform reviewers, admins and certifiers'),
    422: commonErrors[422],
  },
});

const getReview = guarded('review.read', {
  method: 'get',
  path: '/definitions/{id}/versions/{version}/review',
  tags: ['reviews'],
  summary: "The version's newest review request: its reviews, evidence, decisions and control outcomes",
  request: { params: VersionParam },
  responses: {
    200: json(ReviewView, 'The review request'),
    401: commonErrors[401],
    404: errorResponse('REVIEW_NOT_FOUND: no review, or a version you may not see'),
    422: commonErrors[422],
  },
});

const decide = guarded('review.decide', {
  method: 'post',
  path: '/definitions/{id}/versions/{version}/review/{kind}/decisions',
  tags: ['reviews'],
  summary: 'Approve or reject one kind of review of the newest request, with a rationale',
  description: `Never by the author or requester; eligibility, own-team rule and escalation group by review.rego. Rationale: required, at most ${RATIONALE_MAX} characters.`,
  request: {
    params: KindParam,
    body: { content: { 'application/json': { schema: z.object({ decision: z.enum(['approve', 'reject']), rationale: z.string().max(100_000) }) } }, required: true },
  },
  responses: {
    200: json(ReviewDecisionSchema, 'The recorded decision'),
    401: commonErrors[401],
    403: errorResponse('ROLE_REQUIRED; SELF_REVIEW; NOT_ELIGIBLE_REVIEWER'),
    404: errorResponse('REVIEW_NOT_FOUND'),
    409: errorResponse('REVIEW_NOT_OPEN; ALREADY_DECIDED'),
    422: errorResponse('RATIONALE_REQUIRED, or invalid input'),
  },
});

const evidenceBundle = guarded('review.read', {
  method: 'get',
  path: '/definitions/{id}/versions/{version}/review/evidence-bundle',
  tags: ['reviews'],
  summary: "The newest finished review's evidence bundle, its digest and its signature",
  request: { params: VersionParam },
  responses: {
    200: json(z.object({ bundle: EvidenceBundleSchema, digest: z.string(), signature: SigstoreBundle.nullable(), requestId: z.string(), verification: VerificationResult.optional() }), 'The evidence bundle'),
    401: commonErrors[401],
    404: errorResponse('REVIEW_NOT_FOUND; EVIDENCE_NOT_FOUND: the review has not finished'),
    422: commonErrors[422],
  },
});

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

export function reviewRoutes({ sql, config, temporal }: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const url = (workflowId: string, runId?: string) => temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, workflowId, runId);

  app.openapi(requestReview, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const { visibility } = c.req.valid('json');
    const [v] = await sql<{ tenant_id: string; status: string; review_state: string; requested_visibility: string | null }[]>`
      select tenant_id, status, review_state, requested_visibility from workflow_version where definition_id = ${id} and version = ${version}`;
    if (!v || (v.tenant_id !== actor.tenant && !isPlatformReviewer(actor))) throw notFound('VERSION_NOT_FOUND', `${id}@${version} does not exist in your tenant`);
    if (v.tenant_id !== actor.tenant) throw notAllowed('NOT_OWNER_TENANT', 'only a publisher of the owning tenant requests its review');
    if (v.status !== 'published') throw conflict('NOT_PUBLISHED', `${id}@${version} is not published`);
    if (v.review_state === 'passed') throw conflict('ALREADY_REVIEWED', `${id}@${version} passed its review; publish a new version for another profile`);
    // only the profile the publish asked for, which the publish policy (and the tenant's approval) allowed
    if (!isMarketplace(v.requested_visibility)) {
      throw conflict('NO_MARKETPLACE_PROFILE', `${id}@${version} was published internal-only; publish a new version with a marketplace profile to offer it`);
    }
    if (visibility && visibility !== v.requested_visibility) {
      throw conflict('PROFILE_MISMATCH', `${id}@${version} was published for ${v.requested_visibility}; publish a new version for ${visibility}`);
    }
    const started = await startReview(sql, temporal, config.TEMPORAL_TASK_QUEUE, reviewSettings(config), {
      definitionId: id,
      version,
      requestedBy: actor,
      visibility: v.requested_visibility,
      rerequest: true,
    });
    return c.json({ workflowId: started.workflowId, ...(started.runId ? { runId: started.runId } : {}), status: started.started ? ('started' as const) : ('pending' as const), temporalUrl: url(started.workflowId, started.runId) }, 202);
  });

  app.openapi(queue, async (c) => {
    const actor = c.get('actor');
    if (!isPlatformReviewer(actor)) throw notAllowed('NOT_PLATFORM_REVIEWER', 'the review queue is for platform reviewers, admins and certifiers');
    const { kind, status, limit } = c.req.valid('query');
    const rows = await readReviewQueue(sql, { ...(kind ? { kind } : {}), statuses: status ? [status] : ['open', 'escalated'], limit });
    const items = rows.map((r) => ({
      requestId: r.request_id,
      workflowId: r.workflow_id,
      kind: r.kind,
      status: r.status,
      definitionId: r.definition_id,
      version: r.version,
      title: r.title ?? r.name,
      publisherTenant: r.tenant_id,
      risk: r.risk,
      requestedVisibility: r.requested_visibility as 'partner-curated' | 'public-ecosystem',
      quorum: r.quorum,
      approvals: new Set(r.decisions.filter((d) => d.decision === 'approve').map((d) => d.reviewer.sub)).size,
      ...(r.deadline_at ? { deadlineAt: r.deadline_at.toISOString() } : {}),
      ...(r.escalated_at ? { escalatedAt: r.escalated_at.toISOString() } : {}),
      createdAt: r.created_at.toISOString(),
    }));
    return c.json({ items }, 200);
  });

  app.openapi(getReview, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const r = await readNewestReviewRequest(sql, actor, id, version);
    if (!r) throw notFound('REVIEW_NOT_FOUND', `no review of ${id}@${version}`);
    const reviews = await readReviews(sql, r.workflow_id);
    const evidence = reviews.flatMap((k) => k.evidence);
    return c.json(
      {
        requestId: r.workflow_id,
        status: r.status,
        definitionId: r.definition_id,
        version: r.version,
        requestedVisibility: r.requested_visibility,
        requestedBy: r.requested_by,
        ...(r.outcome_reason ? { reason: r.outcome_reason } : {}),
        workflowId: r.workflow_id,
        runId: r.run_id,
        temporalUrl: url(r.workflow_id, r.run_id),
        reviews: reviews.map((k) => ({
          kind: k.kind,
          status: k.status,
          quorum: k.quorum,
          group: k.reviewer_group,
          workflowId: k.workflow_id,
          evidence: k.evidence,
          decisions: k.decisions,
          ...(k.deadline_at ? { deadlineAt: k.deadline_at.toISOString() } : {}),
          ...(k.escalated_at ? { escalatedAt: k.escalated_at.toISOString() } : {}),
        })),
        controls: r.evidence_bundle?.controls ?? controlOutcomes(evidence),
        ...(r.evidence_digest ? { evidenceDigest: r.evidence_digest } : {}),
        ...(r.receipt_id ? { receiptId: r.receipt_id } : {}),
        createdAt: r.created_at.toISOString(),
        ...(iso(r.ended_at) ? { endedAt: iso(r.ended_at)! } : {}),
      },
      200,
    );
  });

  app.openapi(decide, async (c) => {
    const actor = c.get('actor');
    const { id, version, kind } = c.req.valid('param');
    const { decision, rationale } = c.req.valid('json');
    const r = await readNewestReviewRequest(sql, actor, id, version);
    if (!r) throw notFound('REVIEW_NOT_FOUND', `no review of ${id}@${version}`);
    if (r.status !== 'in_review' && r.status !== 'gathering') throw conflict(REVIEW_CODES.notOpen, `the review of ${id}@${version} is ${r.status}`);
    const handle = temporal.workflow.getHandle(reviewWorkflowIds.kind(r.workflow_id, kind));
    // the reviewer is the caller's token, never the body: nobody decides in another's name
    const record = await updateOpenWorkflow(
      () => handle.executeUpdate(decideReviewUpdate, { args: [{ reviewer: actor, decision, rationale }] }),
      REVIEW_CODES.notOpen,
      `the ${kind} review of ${id}@${version} is no longer open`,
    );
    return c.json(record, 200);
  });

  app.openapi(evidenceBundle, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const full = await readNewestReviewRequest(sql, actor, id, version);
    if (!full) throw notFound('REVIEW_NOT_FOUND', `no review of ${id}@${version}`);
    if (!full.evidence_bundle || !full.evidence_digest) throw notFound('EVIDENCE_NOT_FOUND', `the review of ${id}@${version} has not finished`);
    // the server's own check, as certification makes it: this very bundle, over this version, signed by the platform key the caller trusts
    const [v] = await sql<{ digest: string }[]>`select digest from workflow_version where definition_id = ${id} and version = ${version}`;
    const verification = verifyStoredEvidence(
      { bundle: full.evidence_bundle, digest: full.evidence_digest, signature: full.evidence_signature },
      await listPublicKeys(sql),
      { subjectName: `${id}@${version}`, versionDigest: v?.digest ?? '', trusted: await tenantTrust(sql, actor.tenant) },
    );
    return c.json(
      {
        bundle: full.evidence_bundle,
        digest: full.evidence_digest,
        signature: full.evidence_signature,
        requestId: full.workflow_id,
        verification,
      },
      200,
    );
  });

  return app;
}
