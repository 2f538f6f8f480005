// npm run bench -- trust — signing and verification throughput (bundles/s) and the time to
// digest a 10,000-event history for a receipt, on one real stack. The history is real: a
// workflow on the Temporal dev server that starts ~5,000 timers in waves of 500 (TimerStarted
// and TimerFired events, plus its workflow tasks); the receipt digest covers its first 10,000
// events, fetched page by page as sealReceipt fetches them. Appends the figures (with date
// and machine) to docs/performance.md.
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineDescription, startBenchStack } from './stack.ts';
import { createKeyRing, listPublicKeys, signStatement, statementFor, verifyBundle } from '../platform/signing.ts';
import { fetchHistory, historyDigest } from '../platform/receipts.ts';
import { PLATFORM_KEY_OWNER, PREDICATE_TYPES, type ReceiptBody, type SigstoreBundleJson } from '../domain/trust.ts';

const N = Number(process.env.BENCH_BUNDLES ?? 2000);
const EVENTS = 10_000;
const ROUNDS = 5;

const stack = await startBenchStack('maestro-bench-trust-');
const { openStack } = await import('../test/support/stack.ts');
const s = await openStack({ workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)) });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const ring = createKeyRing(s.sql, s.env.secretsKey);
  await ring.activeKey(PLATFORM_KEY_OWNER);
  const keys = await listPublicKeys(s.sql);
  // a receipt-sized predicate: the body of an install receipt with two approvals
  const body = (i: number): ReceiptBody => ({
    receiptId: `rcpt_${i.toString(16).padStart(24, '0')}`,
    lifecycle: 'install',
    tenantId: 'globex',
    workflowId: `install/globex.payroll-sync.prod-${i}`,
    runId: '0192f0c4-7f4e-7c1b-9d1e-1a2b3c4d5e6f',
    subject: { name: `instance:globex.payroll-sync.prod-${i}`, digest: `sha256:${'ab'.repeat(32)}` },
    decisions: [
      { actor: { sub: 'gus', tenant: 'globex' }, decision: 'requested', at: new Date().toISOString() },
      { actor: { sub: 'dave', tenant: 'globex' }, decision: 'approve', at: new Date().toISOString(), rationaleDigest: `sha256:${'cd'.repeat(32)}` },
    ],
    history: { algorithm: 'sha256-canonical-events-v1', digest: `sha256:${'ef'.repeat(32)}`, lastEventId: 42 },
    detailsDigest: `sha256:${'01'.repeat(32)}`,
    createdAt: new Date().toISOString(),
  });

  // warm-up, then N signatures one after the other (one process, one key)
  for (let i = 0; i < 50; i++) await signStatement(ring, PLATFORM_KEY_OWNER, statementFor(body(i).subject, PREDICATE_TYPES.receipt, body(i)));
  const bundles: SigstoreBundleJson[] = [];
  let t0 = performance.now();
  for (let i = 0; i < N; i++) bundles.push(await signStatement(ring, PLATFORM_KEY_OWNER, statementFor(body(i).subject, PREDICATE_TYPES.receipt, body(i))));
  const signSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  let verified = 0;
  for (const b of bundles) if (verifyBundle(b, keys, { keyOwner: PLATFORM_KEY_OWNER, predicateType: PREDICATE_TYPES.receipt }).ok) verified++;
  const verifySeconds = (performance.now() - t0) / 1000;
  if (verified !== N) throw new Error(`only ${verified} of ${N} bundles verified`);
  const bundleBytes = Buffer.byteLength(JSON.stringify(bundles[0]));

  // a real 10,000-event history
  const timers = Math.ceil(EVENTS / 2) + 5;
  t0 = performance.now();
  const handle = await s.client.workflow.start('longHistory', { taskQueue: s.config.TEMPORAL_TASK_QUEUE, workflowId: `bench-trust-${Date.now()}`, args: [{ timers }] });
  await handle.result();
  const buildSeconds = (performance.now() - t0) / 1000;
  const target = { namespace: s.config.TEMPORAL_NAMESPACE, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  const fetchMs: number[] = [];
  const digestMs: number[] = [];
  let total = 0;
  let digest = '';
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    const events = await fetchHistory(s.client.workflowService, target, (evs) => evs.length >= EVENTS);
    fetchMs.push(performance.now() - t);
    total = (await handle.describe()).historyLength;
    t = performance.now();
    const d = historyDigest(events, EVENTS);
    digestMs.push(performance.now() - t);
    if (digest && d !== digest) throw new Error('the digest of the same history changed between fetches');
    digest = d;
  }

  const section = [
    '',
    `## Signing, verification and receipt digests — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machineDescription()}. \`npm run bench -- trust\`: ${N} receipt bundles (Sigstore v0.3 DSSE, ECDSA P-256, ${bundleBytes} bytes each, an install receipt's predicate) signed one after the other with the platform key (key ring: active key read from Postgres per signature, private key decrypted once), then each verified (\`verifyBundle\`: shape, key, \`@sigstore/verify\` signature, statement, subject). Receipt digest: a real history on the dev server — a workflow starting ${timers} timers in waves of 500 (${total} events in all, built in ${buildSeconds.toFixed(1)} s) — fetched page by page up to event ${EVENTS} as \`sealReceipt\` does, then digested (\`sha256-canonical-events-v1\`); medians of ${ROUNDS} rounds, the same digest every round.`,
    '',
    '| bundles signed/s | bundles verified/s | history fetch (10,000 events) ms | digest (10,000 events) ms | fetch + digest ms |',
    '|---|---|---|---|---|',
    `| ${(N / signSeconds).toFixed(0)} | ${(N / verifySeconds).toFixed(0)} | ${median(fetchMs).toFixed(0)} | ${median(digestMs).toFixed(0)} | ${(median(fetchMs) + median(digestMs)).toFixed(0)} |`,
    '',
  ].join('\n');
  appendFileSync(fileURLToPath(new URL('../docs/performance.md', import.meta.url)), section);
  console.log(section);
} finally {
  await s.close();
  await stack.stop();
}
