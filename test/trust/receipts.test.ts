import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { openStack, testSpec, type Stack } from '../support/stack.ts';
import { createKeyRing } from '../../platform/signing.ts';
import { fetchHistory, historyDigest, receiptIdFor, sealReceipt } from '../../platform/receipts.ts';
import { signUnsignedVersions, verifyVersionSignature } from '../../platform/version-signature.ts';
import { verifyBundle } from '../../platform/signing.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type ReceiptBody, type SigstoreBundleJson } from '../../domain/trust.ts';

let s: Stack;
beforeAll(async () => {
  s = await openStack();
});
afterAll(async () => s?.close());

const ring = () => createKeyRing(s.sql, s.env.secretsKey);

async function publish(): Promise<{ id: string; digest: string; workflowId: string }> {
  const alice = s.as('alice');
  const draft = await alice.createDraft(testSpec());
  const id = draft.body.definitionId;
  await alice.requestPublish(id, '1.0.0');
  expect(await alice.waitForPublish(id, '1.0.0', ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
  return { id, digest: draft.body.digest, workflowId: `publish/${id}/1.0.0` };
}

interface Row {
  id: string;
  run_id: string;
  body: ReceiptBody;
  bundle: SigstoreBundleJson;
  key_id: string;
  history_digest: string;
  history_last_event: string;
  decisions: unknown;
}

describe('versions published before signing existed', () => {
  it('are signed by their publisher once, by the backfill a worker runs at start', async () => {
    const draft = await s.as('alice').createDraft(testSpec());
    const id = draft.body.definitionId;
    // published the old way: no lifecycle signed it
    await s.sql`update workflow_version set status = 'published', published_at = now() where definition_id = ${id}`;
    // other files may have left versions published straight into the database: sign until none is left
    expect(await signUnsignedVersions(s.sql, ring())).toBeGreaterThanOrEqual(1);
    while ((await signUnsignedVersions(s.sql, ring())) > 0);
    const [v] = await s.sql<{ signature_bundle: SigstoreBundleJson; signature_key_id: string }[]>`
      select signature_bundle, signature_key_id from workflow_version where definition_id = ${id}`;
    const keys = await ring().publicKeys();
    expect(verifyVersionSignature(v!.signature_bundle, keys, { definitionId: id, version: '1.0.0', tenantId: 'acme', digest: draft.body.digest }).ok).toBe(true);
    expect(await signUnsignedVersions(s.sql, ring())).toBe(0);
    const [again] = await s.sql<{ signature_bundle: SigstoreBundleJson }[]>`select signature_bundle from workflow_version where definition_id = ${id}`;
    expect(again!.signature_bundle).toEqual(v!.signature_bundle);
  });
});

describe('publish signs the version and seals its receipt', () => {
  it("signs the version with the publisher tenant's key, over its name and digest", async () => {
    const { id, digest } = await publish();
    const [v] = await s.sql<{ signature_bundle: SigstoreBundleJson; signature_key_id: string; tenant_id: string }[]>`
      select signature_bundle, signature_key_id, tenant_id from workflow_version where definition_id = ${id} and version = '1.0.0'`;
    expect(v!.signature_key_id).toMatch(/^maestro-publisher-acme-[0-9a-f]{16}$/);
    const keys = await ring().publicKeys();
    const result = verifyVersionSignature(v!.signature_bundle, keys, { definitionId: id, version: '1.0.0', tenantId: 'acme', digest });
    expect(result).toMatchObject({ ok: true, keyOwner: { kind: 'publisher', id: 'acme' }, subject: { name: `${id}@1.0.0`, digest } });
    // not acceptable as globex's version, nor for another digest
    expect(verifyVersionSignature(v!.signature_bundle, keys, { definitionId: id, version: '1.0.0', tenantId: 'globex', digest }).checks.at(-1)).toMatchObject({ check: 'key', ok: false });
    // the signature is immutable once set
    await expect(s.sql`update workflow_version set signature_bundle = '{}'::jsonb where definition_id = ${id}`).rejects.toThrow(/immutable/);
  });

  it('seals the receipt: signed with the platform key, history digest reproducible from a re-fetched history', async () => {
    const { id, digest, workflowId } = await publish();
    const [row] = await s.sql<Row[]>`select * from provenance_receipt where workflow_id = ${workflowId} and lifecycle = 'publish'`;
    expect(row!.body).toMatchObject({
      receiptId: row!.id,
      lifecycle: 'publish',
      tenantId: 'acme',
      workflowId,
      runId: row!.run_id,
      subject: { name: `${id}@1.0.0`, digest },
      history: { algorithm: 'sha256-canonical-events-v1', digest: row!.history_digest, lastEventId: Number(row!.history_last_event) },
    });
    expect(row!.id).toBe(receiptIdFor(workflowId, row!.run_id, 'publish'));
    const keys = await ring().publicKeys();
    const result = verifyBundle(row!.bundle, keys, { keyOwner: PLATFORM_KEY_OWNER, subjectDigest: digest, subjectName: `${id}@1.0.0`, predicateType: PREDICATE_TYPES.receipt });
    expect(result.ok).toBe(true);
    expect(result.keyId).toBe(row!.key_id);

    const events = await fetchHistory(s.client.workflowService, { namespace: s.config.TEMPORAL_NAMESPACE, workflowId, runId: row!.run_id });
    const last = row!.body.history.lastEventId;
    // the digested events end with the receipt activity's own scheduled event
    expect(events[last - 1]!.activityTaskScheduledEventAttributes?.activityType?.name).toBe('completePublish');
    expect(events.length).toBeGreaterThan(last);
    expect(historyDigest(events, last)).toBe(row!.history_digest);
    // a history file (JSON, as `temporal workflow show -o json` writes it) gives the same digest
    const fromFile = historyFromJSON(JSON.parse(historyToJSON({ events })));
    expect(historyDigest(fromFile.events!, last)).toBe(row!.history_digest);
    // one event changed, or one missing, changes it
    const file = JSON.parse(historyToJSON({ events })) as { events: { eventTime: string }[] };
    file.events[0]!.eventTime = new Date(Date.parse(file.events[0]!.eventTime) + 1000).toISOString();
    expect(historyDigest(historyFromJSON(file).events!, last)).not.toBe(row!.history_digest);
    expect(() => historyDigest(fromFile.events!.slice(1), last)).toThrow(/has id 2/);
  });

  it('seals exactly once: sealing again returns the stored receipt unchanged', async () => {
    const { workflowId } = await publish();
    const [row] = await s.sql<Row[]>`select * from provenance_receipt where workflow_id = ${workflowId} and lifecycle = 'publish'`;
    const again = await sealReceipt({
      sql: s.sql,
      keyRing: ring(),
      service: s.client.workflowService,
      namespace: s.config.TEMPORAL_NAMESPACE,
      lifecycle: 'publish',
      tenantId: 'acme',
      workflowId,
      runId: row!.run_id,
      activityId: 'does-not-matter',
      subject: { name: 'something-else', digest: row!.body.subject.digest },
      decisions: [],
    });
    expect(again).toEqual({ receiptId: row!.id, body: row!.body, bundle: row!.bundle, keyId: row!.key_id });
    const [after] = await s.sql<Row[]>`select * from provenance_receipt where id = ${row!.id}`;
    expect(after!.bundle).toEqual(row!.bundle);
  });
});
