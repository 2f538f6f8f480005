import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { VersionParam } from '../schemas.ts';
import { guarded } from '../permissions.ts';
import { lifecycleStarter } from '../lifecycles.ts';
import { readCertification, certifiableVersion } from '../certification-read-models.ts';
import { conflict, inputError, notFound } from '../../domain/errors.ts';
import { CERTIFY_CODES, CERTIFY_RATIONALE_MAX, ttlMs, type CertificationView as CertificationViewShape } from '../../domain/certification.ts';
import { TRUST_CODES } from '../../domain/trust.ts';
import { certifyLifecycle } from '../../workflows/contracts/index.ts';

export const ChecklistItemBody = z
  .object({ id: z.string(), title: z.string(), ok: z.boolean(), reason: z.string(), evidence: z.array(z.string()).optional() })
  .meta({ id: 'ChecklistItem' });

export const CertificationStatusEnum = z.enum(['checking', 'certified', 'refused', 'overdue', 'superseded', 'revoked']);

const CertificationView = z
  .object({
    status: CertificationStatusEnum,
    checklist: z.array(ChecklistItemBody).meta({ description: 'docs/certification.md, item by item (empty while checking)' }),
    certifiedBy: z.string().optional().meta({ description: 'the certifier who asked for it' }),
    certifiedAt: z.string().optional(),
    expiresAt: z.string().optional().meta({ description: 'after this the certification is overdue ("review overdue") until recertified' }),
    carriedFrom: z.string().optional().meta({ description: 'the patched version whose certification this one carries over' }),
    rationale: z.string().optional(),
    workflowId: z.string(),
    runId: z.string(),
    temporalUrl: z.string(),
    receiptId: z.string().optional(),
  })
  .meta({ id: 'Certification' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _view: Same<z.infer<typeof CertificationView>, CertificationViewShape> = true;

const Started = z
  .object({ workflowId: z.string(), runId: z.string(), status: z.literal('checking'), temporalUrl: z.string() })
  .meta({ id: 'CertificationStarted' });

const notVisible = errorResponse('No such version (or not visible to you)');

const requestCertification = guarded('certification.request', {
  method: 'post',
  path: '/definitions/{id}/versions/{version}/certifications',
  tags: ['trust'],
  summary: 'Certify a reviewed version (platform certifiers)',
  description:
    'Starts the certify lifecycle (`certify/<id>@<version>/<n>`): the checklist of docs/certification.md, certify.rego\'s decision, a signed ' +
    'certification statement and receipt; the certification expires after CERTIFICATION_TTL and is then marked overdue until recertified. ' +
    'A certification of a version that holds one supersedes it when it certifies.',
  request: {
    params: VersionParam,
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ rationale: z.string().max(CERTIFY_RATIONALE_MAX) }) } } },
  },
  responses: {
    202: json(Started, 'The certification is being checked'),
    404: notVisible,
    409: errorResponse('REVIEW_REQUIRED: the version has not passed its review; CERTIFICATION_IN_PROGRESS; VERSION_NOT_PUBLISHED'),
    ...commonErrors,
  },
});

const getCertification = guarded('certification.read', {
  method: 'get',
  path: '/definitions/{id}/versions/{version}/certification',
  tags: ['trust'],
  summary: "A version's certification: the one being checked, else the current one, else the newest",
  request: { params: VersionParam },
  responses: { 200: json(CertificationView, 'The certification'), 404: errorResponse('No such version visible to you, or CERTIFICATION_NOT_FOUND'), ...commonErrors },
});

export function certificationRoutes(deps: ApiDeps) {
  const { sql, config } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const lifecycles = lifecycleStarter(deps);

  app.openapi(requestCertification, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const rationale = c.req.valid('json').rationale.trim();
    if (!rationale) throw inputError(CERTIFY_CODES.rationaleRequired, 'a certification needs a rationale');
    const v = await certifiableVersion(sql, actor, id, version);
    if (!v) throw notFound('VERSION_NOT_FOUND', `no version ${version} of ${id}`);
    if (v.status !== 'published') throw conflict(CERTIFY_CODES.versionNotPublished, `${id}@${version} is ${v.status}, not published`);
    if (v.reviewState !== 'passed') throw conflict(TRUST_CODES.reviewRequired, `${id}@${version} has not passed its review (review ${v.reviewState})`);
    if (v.checking) throw conflict(CERTIFY_CODES.inProgress, `a certification of ${id}@${version} is already being checked`);
    const input = { definitionId: id, version, attempt: v.attempts + 1, requestedBy: actor, rationale, ttlMs: ttlMs(config.CERTIFICATION_TTL) };
    try {
      const started = await lifecycles.start(certifyLifecycle, input);
      return c.json({ workflowId: started.workflowId, runId: started.runId, status: 'checking' as const, temporalUrl: started.temporalUrl }, 202);
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) throw conflict(CERTIFY_CODES.inProgress, `a certification of ${id}@${version} is already being checked`);
      throw e;
    }
  });

  app.openapi(getCertification, async (c) => {
    const { id, version } = c.req.valid('param');
    const view = await readCertification(sql, c.get('actor'), id, version, lifecycles.link);
    if (view === undefined) throw notFound('VERSION_NOT_FOUND', `no version ${version} of ${id}`);
    if (view === null) throw notFound(CERTIFY_CODES.notFound, `${id}@${version} has no certification`);
    return c.json(view, 200);
  });

  return app;
}
