import { z } from 'zod';
import {
  PREDICATE_TYPES,
  RECEIPT_LIFECYCLES,
  type KeyOwner,
  type ReceiptView as ReceiptViewShape,
  type SigningKeyView as SigningKeyViewShape,
  type SigstoreBundleJson as SigstoreBundleShape,
  type VerificationResult as VerificationResultShape,
} from '../domain/trust.ts';

/** The OpenAPI shapes of domain/trust.ts (signing, receipts), checked against the domain types below. */

export const KeyOwnerBody = z
  .union([z.object({ kind: z.literal('platform'), id: z.literal('platform') }), z.object({ kind: z.literal('publisher'), id: z.string() })])
  .meta({ id: 'KeyOwner', description: 'the platform, or a publishing tenant' });

export const SigningKeyView = z
  .object({
    keyId: z.string().meta({ description: "the bundles' public-key hint", example: 'maestro-publisher-acme-3f9a1c0b2d4e5f60' }),
    owner: KeyOwnerBody,
    algorithm: z.literal('ecdsa-p256-sha256'),
    publicKeyPem: z.string().meta({ description: 'SPKI, PEM' }),
    status: z.enum(['active', 'retired']).meta({ description: 'a retired key signs nothing new but still verifies what it signed' }),
    createdAt: z.string(),
    retiredAt: z.string().optional(),
  })
  .meta({ id: 'SigningKey' });

export const SigstoreBundle = z
  .object({
    mediaType: z.string().meta({ example: 'application/vnd.dev.sigstore.bundle.v0.3+json' }),
    verificationMaterial: z.looseObject({ publicKey: z.object({ hint: z.string() }).optional() }),
    dsseEnvelope: z.object({
      payload: z.string().meta({ description: 'base64 of the in-toto statement (canonical JSON)' }),
      payloadType: z.string(),
      signatures: z.array(z.object({ sig: z.string(), keyid: z.string().optional() })),
    }),
  })
  .meta({ id: 'SigstoreBundle', description: 'a standard Sigstore v0.3 bundle: a DSSE envelope with an in-toto statement, signed by a published key' });

const CheckName = z.enum(['bundle', 'key', 'signature', 'statement', 'subject', 'history']);

export const VerificationResult = z
  .object({
    ok: z.boolean(),
    checks: z
      .array(z.object({ check: CheckName, ok: z.boolean(), message: z.string() }))
      .meta({ description: 'in order; a verification stops at the first failed check, which names what did not match' }),
    keyId: z.string().optional(),
    keyOwner: KeyOwnerBody.optional(),
    predicateType: z.string().optional(),
    subject: z.object({ name: z.string(), digest: z.string() }).optional(),
  })
  .meta({ id: 'VerificationResult' });

const ReceiptDecision = z.object({
  actor: z.object({ sub: z.string(), tenant: z.string() }),
  decision: z.string().meta({ example: 'approve' }),
  at: z.string(),
  rationaleDigest: z.string().optional().meta({ description: 'sha256 of the rationale (the text stays with the lifecycle)' }),
});

export const ReceiptView = z
  .object({
    receiptId: z.string(),
    lifecycle: z.enum(RECEIPT_LIFECYCLES),
    tenantId: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    subject: z.object({ name: z.string(), digest: z.string() }),
    decisions: z.array(ReceiptDecision),
    history: z
      .object({ algorithm: z.literal('sha256-canonical-events-v1'), digest: z.string(), lastEventId: z.number().int() })
      .meta({ description: 'digest of the canonical JSON of history events 1..lastEventId (docs/adr/0007-signing-and-receipts.md)' }),
    detailsDigest: z.string().optional(),
    createdAt: z.string(),
    bundle: SigstoreBundle,
    keyId: z.string(),
    verification: VerificationResult,
    temporalUrl: z.string(),
  })
  .meta({ id: 'Receipt', description: `signed with the platform key; the predicate (${PREDICATE_TYPES.receipt}) is the receipt without bundle, keyId, verification and temporalUrl` });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _owner: Same<z.infer<typeof KeyOwnerBody>, KeyOwner> = true;
const _key: Same<z.infer<typeof SigningKeyView>, SigningKeyViewShape> = true;
const _bundle: Same<z.infer<typeof SigstoreBundle>, SigstoreBundleShape> = true;
const _result: Same<z.infer<typeof VerificationResult>, VerificationResultShape> = true;
const _receipt: Same<z.infer<typeof ReceiptView>, ReceiptViewShape> = true;
void [_owner, _key, _bundle, _result, _receipt];
