import { createHash } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Sql } from './db.ts';
import { BUNDLE_LIMITS, decodeStatement, jsonDepthExceeds, signStatement, statementFor, verifyBundle, type KeyRing } from './signing.ts';
import { contentDigest } from './digest.ts';
import { canonicalJson } from '../domain/canonical-json.ts';
import { conflict } from '../domain/errors.ts';
import {
  PLATFORM_KEY_OWNER,
  PREDICATE_TYPES,
  type ReceiptBody,
  type ReceiptDecision,
  type ReceiptLifecycle,
  type SigningKeyView,
  type SigstoreBundleJson,
  type VerificationCheck,
  type VerificationResult,
} from '../domain/trust.ts';

/**
 * Signed lifecycle receipts (issue 12, docs/adr/0007-signing-and-receipts.md).
 *
 * A receipt is written by an activity of the lifecycle it records. It carries a digest of
 * that lifecycle's Temporal history up to the receipt-writing activity's own
 * ActivityTaskScheduled event — everything that led to the receipt, nothing after — so
 * anyone with access to the history can recompute it (`maestro verify --temporal`).
 */

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export type WorkflowService = temporal.api.workflowservice.v1.WorkflowService;

export const HISTORY_DIGEST_ALGORITHM = 'sha256-canonical-events-v1' as const;

/** An event's id: a Long from the SDK, a number, a string from JSON, or a plain {low, high} copy of a Long. */
function eventIdOf(e: HistoryEvent): number {
  const v = e.eventId as unknown;
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) return (v as { high: number }).high * 2 ** 32 + ((v as { low: number }).low >>> 0);
  return Number(v ?? 0);
}

/**
 * `sha256-canonical-events-v1`: for events 1..lastEventId in order, each event's proto JSON
 * (Temporal's JSON mapping, as history files use it: int64 as strings, enums by name, bytes
 * as base64, payloads as stored — encrypted) serialized as canonical JSON (keys sorted, no
 * whitespace) followed by "\n"; the sha-256 of that, `sha256:<hex>`. Throws unless the
 * events hold exactly 1..lastEventId (more are ignored).
 */
export function historyDigest(events: readonly HistoryEvent[], lastEventId: number): string {
  if (!Number.isSafeInteger(lastEventId) || lastEventId < 1) throw new RangeError(`historyDigest: lastEventId ${lastEventId} is not a positive integer`);
  const slice = events.slice(0, lastEventId);
  if (slice.length < lastEventId) throw new RangeError(`historyDigest: the history has ${slice.length} events, fewer than ${lastEventId}`);
  slice.forEach((e, i) => {
    if (eventIdOf(e) !== i + 1) throw new RangeError(`historyDigest: event ${i + 1} of the history has id ${eventIdOf(e)}`);
  });
  const { events: json } = JSON.parse(historyToJSON({ events: slice as HistoryEvent[] })) as { events: unknown[] };
  const hash = createHash('sha256');
  for (const e of json) hash.update(canonicalJson(e)).update('\n');
  return `sha256:${hash.digest('hex')}`;
}

/** Upper bound on the events a receipt's history may have (Temporal's own limit is 51,200). */
export const MAX_HISTORY_EVENTS = 60_000;

/**
 * Fetches a workflow run's history from the start, page by page, until `stop` says the
 * events so far are enough (or the history ends).
 */
export async function fetchHistory(
  service: WorkflowService,
  target: { namespace: string; workflowId: string; runId: string },
  stop: (events: readonly HistoryEvent[]) => boolean = () => false,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await service.getWorkflowExecutionHistory({
      namespace: target.namespace,
      execution: { workflowId: target.workflowId, runId: target.runId },
      maximumPageSize: 1000,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    events.push(...(page.history?.events ?? []));
    if (events.length > MAX_HISTORY_EVENTS) throw new Error(`history of ${target.workflowId} has more than ${MAX_HISTORY_EVENTS} events`);
    if (stop(events)) break;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

const ACTIVITY_TASK_SCHEDULED = 10; // temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED

/** The id of the ActivityTaskScheduled event of `activityId` among `events`, if there. */
export function scheduledEventOf(events: readonly HistoryEvent[], activityId: string): number | undefined {
  const e = events.find((x) => Number(x.eventType) === ACTIVITY_TASK_SCHEDULED && x.activityTaskScheduledEventAttributes?.activityId === activityId);
  return e ? eventIdOf(e) : undefined;
}

/** The id of a lifecycle's receipt (stable per run and lifecycle, so a retry writes the same row). */
export const receiptIdFor = (workflowId: string, runId: string, lifecycle: ReceiptLifecycle) =>
  `rcpt_${createHash('sha256').update(`${workflowId}\n${runId}\n${lifecycle}`).digest('hex').slice(0, 24)}`;

/** A rationale recorded only by its digest. */
export const rationaleDigest = (rationale: string) => `sha256:${createHash('sha256').update(rationale, 'utf8').digest('hex')}`;

/** Approvals as a receipt records them (publish, install, upgrade approvals share this shape). */
export function approvalDecisions(approvals: readonly { approver: { sub: string; tenant: string }; decision: string; rationale?: string; at: string }[]): ReceiptDecision[] {
  return approvals.map((a) => ({
    actor: { sub: a.approver.sub, tenant: a.approver.tenant },
    decision: a.decision,
    at: a.at,
    ...(a.rationale ? { rationaleDigest: rationaleDigest(a.rationale) } : {}),
  }));
}

export interface SealReceiptInput {
  sql: Sql;
  keyRing: KeyRing;
  /** the activity's client (`getClient().workflowService`) */
  service: WorkflowService;
  namespace: string;
  lifecycle: ReceiptLifecycle;
  tenantId: string;
  workflowId: string;
  runId: string;
  /** the activity that writes the receipt: its scheduled event closes the digested history */
  activityId: string;
  subject: { name: string; digest: string };
  decisions: ReceiptDecision[];
  /** who started the lifecycle: recorded first among the decisions as `requested`, at the run's start event */
  requestedBy?: { sub: string; tenant: string };
  /** the lifecycle's own record of what it decided and bound (provenance_receipt.decisions), signed by its digest */
  details?: unknown;
  receiptId?: string;
}

export interface SealedReceipt {
  receiptId: string;
  body: ReceiptBody;
  bundle: SigstoreBundleJson;
  keyId: string;
}

interface ReceiptRow {
  id: string;
  body: ReceiptBody | null;
  bundle: SigstoreBundleJson | null;
  key_id: string | null;
}

/**
 * Writes the signed receipt of a lifecycle run, exactly once: the row (if an earlier
 * transaction of the caller did not write it already) gains its body, its bundle (signed
 * with the platform key) and its history digest. A retry, or a second attempt racing the
 * first, finds the receipt sealed and returns it unchanged.
 */
export async function sealReceipt(input: SealReceiptInput): Promise<SealedReceipt> {
  const { sql, workflowId, runId, lifecycle } = input;
  const receiptId = input.receiptId ?? receiptIdFor(workflowId, runId, lifecycle);
  const sealed = await readSealed(sql, receiptId);
  if (sealed) return sealed;

  // the row first (unless the caller's transaction wrote it), so the details digest is over what is stored
  await sql`
    insert into provenance_receipt (id, tenant_id, lifecycle, workflow_id, run_id, subject, subject_digest, decisions)
    values (${receiptId}, ${input.tenantId}, ${lifecycle}, ${workflowId}, ${runId}, ${input.subject.name}, ${input.subject.digest},
            ${sql.json((input.details ?? input.decisions) as never)})
    on conflict (workflow_id, run_id, lifecycle) do nothing`;
  const [row] = await sql<{ id: string; decisions: unknown }[]>`
    select id, decisions from provenance_receipt where workflow_id = ${workflowId} and run_id = ${runId} and lifecycle = ${lifecycle}`;
  // a retry cannot change either of these: refused, not retried
  if (row?.id !== receiptId) throw conflict('RECEIPT_ID_MISMATCH', `the ${lifecycle} receipt of ${workflowId}/${runId} is stored as ${row?.id ?? 'nothing'}, not ${receiptId}`);

  let lastEventId: number | undefined;
  const events = await fetchHistory(input.service, { namespace: input.namespace, workflowId, runId }, (evs) => {
    lastEventId = scheduledEventOf(evs, input.activityId);
    return lastEventId !== undefined;
  });
  if (lastEventId === undefined) throw conflict('RECEIPT_ACTIVITY_UNKNOWN', `receipt ${receiptId}: activity ${input.activityId} is not scheduled in the history of ${workflowId}/${runId}`);
  const body: ReceiptBody = {
    receiptId,
    lifecycle,
    tenantId: input.tenantId,
    workflowId,
    runId,
    subject: input.subject,
    decisions: [...(input.requestedBy ? [requested(input.requestedBy, events[0])] : []), ...input.decisions],
    history: { algorithm: HISTORY_DIGEST_ALGORITHM, digest: historyDigest(events, lastEventId), lastEventId },
    detailsDigest: contentDigest(row.decisions),
    createdAt: new Date().toISOString(),
  };
  const bundle = await signStatement(input.keyRing, PLATFORM_KEY_OWNER, statementFor(input.subject, PREDICATE_TYPES.receipt, body));
  // a second attempt racing this one may have sealed it meanwhile: only an unsealed row changes
  await sql`
    update provenance_receipt set history_digest = ${body.history.digest}, history_last_event = ${lastEventId},
      bundle = ${sql.json(bundle as never)}, key_id = ${bundle.verificationMaterial.publicKey!.hint}, body = ${sql.json(body as never)}
    where id = ${receiptId} and body is null`;
  const stored = await readSealed(sql, receiptId);
  if (!stored) throw new Error(`receipt ${receiptId} was not stored (is another lifecycle's row under this workflow/run?)`);
  return stored;
}

function requested(actor: { sub: string; tenant: string }, start: HistoryEvent | undefined): ReceiptDecision {
  const t = start?.eventTime;
  const at = t?.seconds != null ? new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString() : new Date().toISOString();
  return { actor: { sub: actor.sub, tenant: actor.tenant }, decision: 'requested', at };
}

async function readSealed(sql: Sql, receiptId: string): Promise<SealedReceipt | undefined> {
  const [row] = await sql<ReceiptRow[]>`select id, body, bundle, key_id from provenance_receipt where id = ${receiptId}`;
  return row?.body && row.bundle && row.key_id ? { receiptId: row.id, body: row.body, bundle: row.bundle, keyId: row.key_id } : undefined;
}

// ---------------------------------------------------------------------------------------
// Verification

export interface ReceiptVerifyOptions {
  /** the lifecycle's history (re-fetched from Temporal, or a history file): the digest is recomputed from it */
  history?: readonly HistoryEvent[];
  /** the subject digest the verifier expects (default: the receipt's own) */
  subjectDigest?: string;
}

/**
 * Verifies a receipt: its bundle (platform key, receipt predicate, the receipt's subject),
 * that the body shown is the body signed, and — given the history — that the history
 * digest it signed is the digest of that history. Never throws.
 */
export function verifyReceipt(receipt: { body?: unknown; bundle: unknown }, keys: readonly SigningKeyView[], opts: ReceiptVerifyOptions = {}): VerificationResult {
  const claimed = isObject(receipt.body) ? (receipt.body as Partial<ReceiptBody>) : undefined;
  const signedBody = decodeStatement(receipt.bundle)?.predicate as Partial<ReceiptBody> | undefined;
  const subject = (claimed ?? signedBody)?.subject;
  const result = verifyBundle(receipt.bundle, keys, {
    keyOwner: PLATFORM_KEY_OWNER,
    predicateType: PREDICATE_TYPES.receipt,
    ...(typeof subject?.name === 'string' ? { subjectName: subject.name } : {}),
    ...(opts.subjectDigest ? { subjectDigest: opts.subjectDigest } : typeof subject?.digest === 'string' ? { subjectDigest: subject.digest } : {}),
  });
  if (!result.ok) return result;
  const fail = (check: VerificationCheck, message: string) => {
    result.checks.push({ check, ok: false, message });
    result.ok = false;
    return result;
  };
  if (!isObject(signedBody) || !isObject(signedBody.history) || !isObject(signedBody.subject)) return fail('statement', 'the signed predicate is not a receipt body');
  if (claimed !== undefined) {
    const differs = firstDifference(claimed, signedBody);
    if (differs) return fail('statement', `the receipt's ${differs} differs from what was signed`);
  }
  const { history } = signedBody;
  if (opts.history) {
    if (history.algorithm !== HISTORY_DIGEST_ALGORITHM) return fail('history', `unknown history digest algorithm "${String(history.algorithm)}"`);
    let digest: string;
    try {
      digest = historyDigest(opts.history, Number(history.lastEventId));
    } catch (e) {
      return fail('history', `the history cannot be digested up to event ${String(history.lastEventId)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (digest !== history.digest) {
      return fail('history', `the history digest of events 1..${String(history.lastEventId)} is ${digest}, not the signed ${String(history.digest)}`);
    }
    result.checks.push({ check: 'history', ok: true, message: `events 1..${String(history.lastEventId)} digest to the signed ${digest}` });
  }
  return result;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The first top-level field (or `body`) in which two bodies differ canonically; undefined when equal. */
function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  if (jsonDepthExceeds(a, BUNDLE_LIMITS.maxDepth)) return 'body';
  try {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)].sort())) {
      if (canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null)) return k;
    }
    return undefined;
  } catch {
    return 'body';
  }
}
