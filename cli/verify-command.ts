import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { decodeStatement, jsonDepthExceeds, verifyBundle, type VerifyExpectations } from '../platform/signing.ts';
import { fetchHistory, verifyReceipt, type HistoryEvent } from '../platform/receipts.ts';
import { PREDICATE_TYPES, type ReceiptBody, type SigningKeyView, type VerificationResult } from '../domain/trust.ts';
import { CannotCheck } from './source-file.ts';

/**
 * `maestro verify`: checks a Sigstore bundle (a version signature, an evidence bundle, a
 * certification) or a receipt offline, with the published keys (`GET /api/trust/keys`,
 * from a file or a URL); for a receipt, given `--temporal` or `--history`, also the
 * digest of the lifecycle's history. Nothing is trusted that the file says about itself
 * beyond what the signature covers.
 */
export interface VerifyOptions {
  file: string;
  keys: string;
  temporal?: { address: string; namespace: string };
  historyFile?: string;
  expectDigest?: string;
}

export interface VerifyReport {
  file: string;
  kind: 'receipt' | 'version' | 'bundle';
  result: VerificationResult;
  notes?: string[];
}

/** A file named on the command line is at most this big (a bundle is bounded to 1 MiB, a history is not). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_HISTORY_BYTES = 256 * 1024 * 1024;

function readJson(file: string, what: string, max = MAX_FILE_BYTES, cwd = process.env.INIT_CWD ?? process.cwd()): unknown {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    if (statSync(full).size > max) throw new CannotCheck(`${what} ${file} is larger than ${max} bytes`);
    text = readFileSync(full, 'utf8');
  } catch (e) {
    if (e instanceof CannotCheck) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CannotCheck(`cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CannotCheck(`${what} ${file} is not JSON`);
  }
}

/** The published keys: `{ keys: [...] }` (GET /api/trust/keys) or a bare list, from a file or an http(s) URL. */
export async function loadKeys(source: string): Promise<SigningKeyView[]> {
  let doc: unknown;
  if (/^https?:\/\//.test(source)) {
    // trust roots over plain http only from this machine: anyone on the path could swap them
    const host = new URL(source).hostname;
    if (source.startsWith('http://') && !['localhost', '127.0.0.1', '[::1]'].includes(host)) {
      throw new CannotCheck(`refusing keys over plain http from ${host}: use https (or a keys file)`);
    }
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(15_000), headers: { accept: 'application/json' } });
    } catch (e) {
      throw new CannotCheck(`cannot fetch keys from ${source}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new CannotCheck(`cannot fetch keys from ${source}: HTTP ${res.status}`);
    const text = await boundedText(res, MAX_FILE_BYTES).catch((e: unknown) => {
      throw new CannotCheck(`cannot read the keys at ${source}: ${(e as Error).message}`);
    });
    try {
      doc = JSON.parse(text);
    } catch {
      throw new CannotCheck(`the keys at ${source} are not JSON`);
    }
  } else {
    doc = readJson(source, 'keys file');
  }
  const list = Array.isArray(doc) ? doc : (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new CannotCheck(`${source} holds no keys (expected the JSON of GET /api/trust/keys)`);
  return list.filter(
    (k): k is SigningKeyView =>
      !!k && typeof k === 'object' && typeof (k as SigningKeyView).keyId === 'string' && typeof (k as SigningKeyView).publicKeyPem === 'string' && !!(k as SigningKeyView).owner,
  );
}

/** A response body as text, refused as soon as it passes `max` bytes (a hostile server could send gigabytes). */
async function boundedText(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new Error(`more than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** What the file is: a receipt (ReceiptView, or { body, bundle }), a version signature (GET …/signature), or a bare bundle. */
function classify(doc: unknown): { kind: VerifyReport['kind']; bundle: unknown; body?: unknown } {
  if (!isObject(doc)) return { kind: 'bundle', bundle: doc };
  if ('dsseEnvelope' in doc) {
    const predicateType = decodeStatement(doc)?.predicateType;
    return { kind: predicateType === PREDICATE_TYPES.receipt ? 'receipt' : predicateType === PREDICATE_TYPES.version ? 'version' : 'bundle', bundle: doc };
  }
  if ('bundle' in doc) {
    if ('body' in doc) return { kind: 'receipt', bundle: doc.bundle, body: doc.body };
    if ('receiptId' in doc) {
      // a ReceiptView: the body is the view without what the server added
      const { bundle, keyId: _k, verification: _v, temporalUrl: _t, ...body } = doc;
      return { kind: 'receipt', bundle, body };
    }
    const predicateType = decodeStatement(doc.bundle)?.predicateType;
    return { kind: predicateType === PREDICATE_TYPES.version ? 'version' : 'bundle', bundle: doc.bundle };
  }
  return { kind: 'bundle', bundle: doc };
}

/** A version's subject is `<tenant>.<name>@<version>`: it must be signed by that tenant's key. */
function versionExpectations(bundle: unknown): VerifyExpectations {
  const name = decodeStatement(bundle)?.subject[0]?.name ?? '';
  const m = /^([a-z][a-z0-9-]{1,39})\.[a-z][a-z0-9-]{2,62}@\S+$/.exec(name);
  return { predicateType: PREDICATE_TYPES.version, keyOwner: { kind: 'publisher', id: m?.[1] ?? '-' } };
}

async function temporalHistory(t: { address: string; namespace: string }, signed: Partial<ReceiptBody> | undefined): Promise<HistoryEvent[]> {
  const workflowId = signed?.workflowId;
  const runId = signed?.runId;
  const last = Number(signed?.history?.lastEventId);
  if (typeof workflowId !== 'string' || typeof runId !== 'string' || !Number.isSafeInteger(last)) throw new CannotCheck('the signed receipt names no workflow run to fetch');
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: t.address, connectTimeout: 10_000 });
  } catch (e) {
    throw new CannotCheck(`cannot reach Temporal at ${t.address}: ${(e as Error).message}`);
  }
  try {
    return await fetchHistory(connection.workflowService, { namespace: t.namespace, workflowId, runId }, (events) => events.length >= last);
  } catch (e) {
    throw new CannotCheck(`cannot fetch the history of ${workflowId}/${runId} from ${t.address}: ${(e as Error).message}`);
  } finally {
    await connection.close();
  }
}

export async function verifyFile(opts: VerifyOptions): Promise<VerifyReport> {
  const doc = readJson(opts.file, 'file');
  if (jsonDepthExceeds(doc, 96)) return { file: opts.file, kind: 'bundle', result: { ok: false, checks: [{ check: 'bundle', ok: false, message: 'the file nests too deeply' }] } };
  const keys = await loadKeys(opts.keys);
  const { kind, bundle, body } = classify(doc);
  if (kind !== 'receipt') {
    const expect: VerifyExpectations = { ...(kind === 'version' ? versionExpectations(bundle) : {}), ...(opts.expectDigest ? { subjectDigest: opts.expectDigest } : {}) };
    if ((opts.temporal || opts.historyFile) && kind === 'bundle') throw new CannotCheck('--temporal and --history check receipts; this file is not one');
    return { file: opts.file, kind, result: verifyBundle(bundle, keys, expect) };
  }
  let history: HistoryEvent[] | undefined;
  if (opts.historyFile) {
    try {
      history = historyFromJSON(readJson(opts.historyFile, 'history file', MAX_HISTORY_BYTES)).events ?? [];
    } catch (e) {
      if (e instanceof CannotCheck) throw e;
      throw new CannotCheck(`history file ${opts.historyFile} is not a Temporal history: ${(e as Error).message}`);
    }
  } else if (opts.temporal) {
    // only what the signature covers says which run to fetch
    const signed = decodeStatement(bundle)?.predicate as Partial<ReceiptBody> | undefined;
    history = await temporalHistory(opts.temporal, signed);
  }
  const result = verifyReceipt({ ...(body !== undefined ? { body } : {}), bundle }, keys, {
    ...(history ? { history } : {}),
    ...(opts.expectDigest ? { subjectDigest: opts.expectDigest } : {}),
  });
  return { file: opts.file, kind, result, ...(history ? {} : { notes: ['the history digest was not checked: give --temporal <address> or --history <file>'] }) };
}

export function formatVerifyReport(r: VerifyReport, format: 'text' | 'json'): string {
  if (format === 'json') return JSON.stringify(r, null, 2);
  const lines = r.result.checks.map((c) => `  ${c.ok ? 'ok    ' : 'FAILED'} ${c.check.padEnd(9)} ${c.message}`);
  const failed = r.result.checks.find((c) => !c.ok);
  const who = r.result.keyOwner ? ` by ${r.result.keyOwner.kind === 'platform' ? 'the platform' : `publisher ${r.result.keyOwner.id}`} (key ${r.result.keyId})` : '';
  const summary = r.result.ok
    ? `${r.file}: verified ${r.kind}${r.result.subject ? ` of ${r.result.subject.name} ${r.result.subject.digest}` : ''}${who}`
    : `${r.file}: ${r.kind} NOT verified: ${failed?.check ?? 'bundle'} check failed: ${failed?.message ?? 'nothing was checked'}`;
  return [...lines, ...(r.notes ?? []).map((n) => `  note   ${n}`), summary].join('\n');
}
