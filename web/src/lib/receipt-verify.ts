/**
 * A receipt verified in the browser: its bundle by a platform key over a lifecycle-receipt
 * statement (dsse.ts), and the signed predicate equal to the receipt the page shows, so
 * what a reader sees (and downloads) is what was signed. The history digest needs Temporal:
 * that check is the API's (or `maestro verify --temporal`).
 */
import { canonicalJson } from '../../../domain/canonical-json.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type ReceiptBody, type ReceiptView, type SigningKeyView, type VerificationResult } from '../../../domain/trust.ts';
import { verifyBundleInBrowser } from './dsse.ts';

const BODY_KEYS: readonly (keyof ReceiptBody)[] = ['receiptId', 'lifecycle', 'tenantId', 'workflowId', 'runId', 'subject', 'decisions', 'history', 'createdAt'];

/** The signed part of a receipt view (what the statement's predicate carries). */
export const receiptBody = (r: ReceiptView): ReceiptBody => Object.fromEntries(BODY_KEYS.map((k) => [k, r[k]])) as unknown as ReceiptBody;

export async function verifyReceiptInBrowser(r: ReceiptView, keys: readonly SigningKeyView[]): Promise<VerificationResult> {
  const v = await verifyBundleInBrowser(r.bundle, keys, { keyOwner: PLATFORM_KEY_OWNER, predicateType: PREDICATE_TYPES.receipt });
  const { statement, ...result } = v;
  if (!result.ok) return result;
  const predicate = (statement as { predicate?: unknown } | undefined)?.predicate;
  const same = sameAsShown(predicate, r);
  return {
    ...result,
    ok: same,
    checks: [
      ...result.checks,
      same
        ? { check: 'statement', ok: true, message: 'the signed receipt is the one shown' }
        : { check: 'statement', ok: false, message: 'the receipt shown differs from the signed one' },
    ],
  };
}

/** Every field the predicate signs is the one shown, and it signs at least the receipt body's fields. */
function sameAsShown(predicate: unknown, r: ReceiptView): boolean {
  if (!predicate || typeof predicate !== 'object' || Array.isArray(predicate)) return false;
  const signed = predicate as Record<string, unknown>;
  const shown = r as unknown as Record<string, unknown>;
  if (!BODY_KEYS.every((k) => k in signed)) return false;
  return Object.keys(signed).every((k) => safeCanonical(signed[k]) === safeCanonical(shown[k]));
}

function safeCanonical(v: unknown): string | undefined {
  try {
    return canonicalJson(v);
  } catch {
    return undefined;
  }
}

/** The file a reader downloads: the receipt view as the API returned it, which `maestro verify` reads. */
export const receiptFileName = (r: Pick<ReceiptView, 'lifecycle' | 'receiptId'>) => `receipt-${r.lifecycle}-${r.receiptId.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`;
