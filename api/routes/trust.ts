import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { DomainError, inputError, notFound } from '../../domain/errors.ts';
import { RECEIPT_LIFECYCLES, TRUST_CODES, type KeyOwner, type ReceiptBody, type ReceiptView as ReceiptViewShape, type SigstoreBundleJson } from '../../domain/trust.ts';
import { TENANT_ID } from '../../domain/ids.ts';
import { createKeyRing, listPublicKeys, parseKeyOwner, checkKeyOwner, tenantTrust, verifyBundle, type KeyRing } from '../../platform/signing.ts';
import { fetchHistory, verifyReceipt, type HistoryEvent } from '../../platform/receipts.ts';
import { verifyVersionSignature } from '../../platform/version-signature.ts';
import { visibleVersionSql } from '../../platform/access.ts';
import { temporalWorkflowUrl } from '../../platform/temporal.ts';
import type { Sql } from '../../platform/db.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { guarded } from '../permissions.ts';
import { VersionParam } from '../schemas.ts';
import { KeyOwnerBody, ReceiptView, SigningKeyView, SigstoreBundle, VerificationResult } from '../trust-schemas.ts';

/**
 * Trust roots, signatures and receipts (issue 12, docs/adr/0007-signing-and-receipts.md).
 * Public keys are public (anyone verifying offline needs them). Receipts are the caller's
 * tenant's, plus the publish/review/certify receipts of versions its tenant may see: those
 * are about the version, not about the publisher's other business.
 */

const RECEIPT_ID = /^rcpt_[0-9a-f]{24}$/;
const ReceiptIdParam = z.object({
  id: z.string().regex(RECEIPT_ID, 'must be a receipt id (rcpt_ and 24 hex digits)').meta({ param: { name: 'id', in: 'path' }, example: 'rcpt_0123456789abcdef01234567' }),
});
const ReceiptQuery = z.object({
  subject: z.string().max(200).optional().meta({ param: { name: 'subject', in: 'query' }, example: 'acme.hr-onboarding@1.0.0' }),
  workflowId: z.string().max(300).optional().meta({ param: { name: 'workflowId', in: 'query' } }),
  lifecycle: z.enum(RECEIPT_LIFECYCLES).optional().meta({ param: { name: 'lifecycle', in: 'query' } }),
  limit: z.coerce.number().int().min(1).max(100).default(50).meta({ param: { name: 'limit', in: 'query' } }),
});
const OwnerInput = z.union([z.string().max(60).meta({ example: 'publisher:acme' }), KeyOwnerBody]);

const errors = { ...commonErrors, 404: errorResponse('Not found (or not visible to your tenant)') } as const;

const listKeys = createRoute({
  method: 'get',
  path: '/trust/keys',
  tags: ['trust'],
  summary: 'The published signing keys, active and retired: the trust roots `maestro verify --keys` reads (no authentication)',
  security: [],
  responses: { 200: json(z.object({ keys: z.array(SigningKeyView) }).meta({ id: 'SigningKeys' }), 'Every published key, oldest first') },
});

const rotateKey = guarded('trust.admin', {
  method: 'post',
  path: '/trust/keys/rotate',
  tags: ['trust'],
  summary: "Rotate a signing key: the owner's active key is retired (it keeps verifying what it signed) and a new one signs from now on",
  request: { body: { required: true, content: { 'application/json': { schema: z.strictObject({ owner: OwnerInput }).meta({ id: 'KeyRotation' }) } } } },
  responses: {
    200: json(SigningKeyView, 'The new active key'),
    503: errorResponse('SIGNING_UNAVAILABLE: no SECRETS_KEY configured to protect a new private key'),
    ...commonErrors,
    422: errorResponse('KEY_OWNER_INVALID: not "platform" or "publisher:<tenant>"; TENANT_UNKNOWN: no such tenant'),
  },
});

const getSignature = guarded('trust.read', {
  method: 'get',
  path: '/definitions/{id}/versions/{version}/signature',
  tags: ['trust'],
  summary: "A published version's signature (by its publisher's key) and its verification against your tenant's trust roots",
  request: { params: VersionParam },
  responses: {
    200: json(
      z
        .object({ bundle: SigstoreBundle, keyId: z.string(), keyOwner: KeyOwnerBody, digest: z.string(), verification: VerificationResult })
        .meta({ id: 'VersionSignature' }),
      'The signature',
    ),
    ...errors,
    404: errorResponse(`VERSION_NOT_FOUND (or not visible to your tenant); ${TRUST_CODES.unsigned}: the version has no signature`),
  },
});

const listReceipts = guarded('trust.read', {
  method: 'get',
  path: '/receipts',
  tags: ['trust'],
  summary: "Receipts of your tenant's lifecycles, and the publish/review/certify receipts of versions you may see, newest first",
  request: { query: ReceiptQuery },
  responses: { 200: json(z.object({ items: z.array(ReceiptView) }).meta({ id: 'ReceiptList' }), 'Receipts (each verified, without the history check)'), ...errors },
});

const getReceipt = guarded('trust.read', {
  method: 'get',
  path: '/receipts/{id}',
  tags: ['trust'],
  summary: 'One receipt, verified by the server — the history digest recomputed from Temporal while the history exists. `maestro verify` accepts this document.',
  request: { params: ReceiptIdParam },
  responses: { 200: json(ReceiptView, 'The receipt'), ...errors },
});

const verify = guarded('trust.read', {
  method: 'post',
  path: '/trust/verify',
  tags: ['trust'],
  summary: "Verify a Sigstore bundle against the published keys and your tenant's trust roots",
  description: 'A bundle that does not verify is an answer (`ok: false`, the failing check named), not an error.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .strictObject({
              bundle: z.record(z.string(), z.unknown()).meta({ description: 'the bundle (any JSON object: a malformed one fails the `bundle` check)' }),
              expect: z
                .strictObject({
                  subjectDigest: z.string().max(80).optional(),
                  subjectName: z.string().max(200).optional(),
                  keyOwner: OwnerInput.optional(),
                  predicateType: z.string().max(200).optional(),
                })
                .optional(),
            })
            .meta({ id: 'VerifyRequest' }),
        },
      },
    },
  },
  responses: { 200: json(VerificationResult, 'The verification'), ...commonErrors },
});

interface ReceiptRow {
  id: string;
  body: ReceiptBody;
  bundle: SigstoreBundleJson;
  key_id: string;
}

/** Receipts the tenant may read: its own, and those about versions it may see (publish, review, certify). */
function readableReceiptSql(sql: Sql, tenant: string) {
  return sql`(r.tenant_id = ${tenant} or (r.lifecycle in ('publish', 'review', 'certify') and exists (
    select 1 from workflow_version v join workflow_definition d on d.id = v.definition_id
    where r.subject = v.definition_id || '@' || v.version and ${visibleVersionSql(sql, tenant)})))`;
}

export function trustRoutes(deps: ApiDeps) {
  const { sql, config, temporal } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  let ring: KeyRing | undefined;
  const keyRing = () => {
    if (!config.SECRETS_KEY) throw new DomainError('unavailable', 'SIGNING_UNAVAILABLE', 'no SECRETS_KEY is configured: a new private key could not be protected');
    return (ring ??= createKeyRing(sql, config.SECRETS_KEY));
  };
  const ownerOf = (o: z.infer<typeof OwnerInput>): KeyOwner => (typeof o === 'string' ? parseKeyOwner(o) : checkKeyOwner(o));
  const link = (workflowId: string, runId: string) => temporalWorkflowUrl(config.temporalUiUrl, config.TEMPORAL_NAMESPACE, workflowId, runId);

  app.openapi(listKeys, async (c) => c.json({ keys: await listPublicKeys(sql) }, 200));

  app.openapi(rotateKey, async (c) => {
    const owner = ownerOf(c.req.valid('json').owner);
    if (owner.kind === 'publisher') {
      if (!TENANT_ID.test(owner.id)) throw inputError('KEY_OWNER_INVALID', 'a publisher is a tenant id');
      const [t] = await sql`select 1 from tenant where id = ${owner.id}`;
      if (!t) throw inputError('TENANT_UNKNOWN', `no tenant "${owner.id}"`);
    }
    const key = await keyRing().rotate(owner);
    c.get('log').info({ keyId: key.keyId, owner, by: c.get('actor').sub }, 'signing key rotated');
    return c.json(key, 200);
  });

  app.openapi(getSignature, async (c) => {
    const actor = c.get('actor');
    const { id, version } = c.req.valid('param');
    const [v] = await sql<{ tenant_id: string; digest: string; signature_bundle: SigstoreBundleJson | null; signature_key_id: string | null }[]>`
      select v.tenant_id, v.digest, v.signature_bundle, v.signature_key_id
      from workflow_version v join workflow_definition d on d.id = v.definition_id
      where v.definition_id = ${id} and v.version = ${version} and ${visibleVersionSql(sql, actor.tenant)}`;
    if (!v) throw notFound('VERSION_NOT_FOUND', `no version ${version} of ${id}`);
    if (!v.signature_bundle || !v.signature_key_id) throw notFound(TRUST_CODES.unsigned, `${id}@${version} is not signed`);
    const keys = await listPublicKeys(sql);
    const verification = verifyVersionSignature(v.signature_bundle, keys, { definitionId: id, version, tenantId: v.tenant_id, digest: v.digest }, await tenantTrust(sql, actor.tenant));
    const key = keys.find((k) => k.keyId === v.signature_key_id);
    return c.json(
      {
        bundle: v.signature_bundle,
        keyId: v.signature_key_id,
        keyOwner: key?.owner ?? { kind: 'publisher' as const, id: v.tenant_id },
        digest: v.digest,
        verification,
      },
      200,
    );
  });

  const view = (row: ReceiptRow, keys: Awaited<ReturnType<typeof listPublicKeys>>, history?: HistoryEvent[]): ReceiptViewShape => ({
    ...row.body,
    bundle: row.bundle,
    keyId: row.key_id,
    verification: verifyReceipt({ body: row.body, bundle: row.bundle }, keys, history ? { history } : {}),
    temporalUrl: link(row.body.workflowId, row.body.runId),
  });

  app.openapi(listReceipts, async (c) => {
    const actor = c.get('actor');
    const q = c.req.valid('query');
    const rows = await sql<ReceiptRow[]>`
      select r.id, r.body, r.bundle, r.key_id from provenance_receipt r
      where r.body is not null and ${readableReceiptSql(sql, actor.tenant)}
        ${q.subject ? sql`and r.subject = ${q.subject}` : sql``}
        ${q.workflowId ? sql`and r.workflow_id = ${q.workflowId}` : sql``}
        ${q.lifecycle ? sql`and r.lifecycle = ${q.lifecycle}` : sql``}
      order by r.created_at desc, r.id limit ${q.limit}`;
    const keys = await listPublicKeys(sql);
    return c.json({ items: rows.map((r) => view(r, keys)) }, 200);
  });

  app.openapi(getReceipt, async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    const [row] = await sql<ReceiptRow[]>`
      select r.id, r.body, r.bundle, r.key_id from provenance_receipt r
      where r.id = ${id} and r.body is not null and ${readableReceiptSql(sql, actor.tenant)}`;
    if (!row) throw notFound('RECEIPT_NOT_FOUND', `no receipt ${id}`);
    // the history is checked while Temporal still has it (retention ends that; the signature stands)
    const history = await fetchHistory(
      temporal.workflowService,
      { namespace: config.TEMPORAL_NAMESPACE, workflowId: row.body.workflowId, runId: row.body.runId },
      (events) => events.length >= row.body.history.lastEventId,
    ).catch(() => undefined);
    return c.json(view(row, await listPublicKeys(sql), history), 200);
  });

  app.openapi(verify, async (c) => {
    const actor = c.get('actor');
    const { bundle, expect } = c.req.valid('json');
    const result = verifyBundle(bundle, await listPublicKeys(sql), {
      ...(expect?.subjectDigest ? { subjectDigest: expect.subjectDigest } : {}),
      ...(expect?.subjectName ? { subjectName: expect.subjectName } : {}),
      ...(expect?.predicateType ? { predicateType: expect.predicateType } : {}),
      ...(expect?.keyOwner ? { keyOwner: ownerOf(expect.keyOwner) } : {}),
      trusted: await tenantTrust(sql, actor.tenant),
    });
    return c.json(result, 200);
  });

  return app;
}
