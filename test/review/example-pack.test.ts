// Each review's evidence, gathered by the review lifecycle for every spec of the example pack.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStack, prepareDatabase, type Stack } from '../support/stack.ts';
import { call } from '../marketplace/support.ts';
import { loadExamplePack, type LoadedExample } from '../../platform/seed.ts';
import { startReview } from '../../platform/review-start.ts';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import { contentDigest } from '../../platform/digest.ts';
import type { SpecV1 } from '../../domain/spec-types.ts';
import { allOpen, waitForReview, type ReviewView } from './support.ts';

let s: Stack;
let pack: LoadedExample[];
const reviews = new Map<string, { spec: SpecV1; review: ReviewView }>();
const pat = DEMO_USERS.find((u) => u.sub === 'pat')!;

beforeAll(async () => {
  s = await openStack({ databaseUrl: await prepareDatabase(`review_pack_${randomUUID().slice(0, 8)}`) });
  pack = await loadExamplePack();
  for (const ex of pack) {
    const original = ex.spec as unknown as SpecV1;
    const spec: SpecV1 = { ...original, metadata: { ...original.metadata, name: `${original.metadata.name.slice(0, 40)}-${s.suffix}` } };
    const api = s.as('pat');
    const { body: draft } = await api.createDraft(spec);
    const id = draft.definitionId;
    const { version } = spec.metadata;
    // the global entries ask for their marketplace profile; a tenant-local one is reviewed as if it did
    const visibility = spec.metadata.scope === 'global' ? (ex.marketplace?.visibility ?? 'public-ecosystem') : undefined;
    await call(s, 'pat', 'POST', `/definitions/${id}/publish-requests`, { version, ...(visibility ? { visibility } : {}) });
    const first = await api.waitForPublish(id, version, ['awaiting_approval', 'published', 'denied', 'invalid']);
    if (first === 'awaiting_approval') await s.as('bob').decide(id, version, 'approve', 'Example pack review fixture.');
    expect(await api.waitForPublish(id, version, ['published', 'rejected', 'denied', 'invalid'])).toBe('published');
    if (!visibility) await startReview(s.sql, s.client, s.config.TEMPORAL_TASK_QUEUE, { escalateAfterMs: 3_600_000, expireAfterMs: 7_200_000, perfRuns: 2 }, { definitionId: id, version, requestedBy: pat, visibility: 'partner-curated' });
    reviews.set(ex.file, { spec, review: await waitForReview(s, id, version, allOpen, 'sam', 120_000) });
  }
}, 600_000);
afterAll(async () => s?.close());

const item = (r: ReviewView, id: string) => r.reviews.flatMap((k) => k.evidence).find((e) => e.id === id)!;

describe('the evidence of each review, for every example of the pack', () => {
  it('gathers every kind for every example, each item with its digest and the workflow that produced it', () => {
    expect(reviews.size).toBe(pack.length);
    for (const [file, { review }] of reviews) {
      expect(review.reviews.map((k) => [k.kind, k.evidence.map((e) => e.id)]), file).toEqual([
        ['security', ['security.tasks', 'security.publish-policy', 'security.literal-secrets', 'security.egress-hosts']],
        ['performance', ['performance.p50', 'performance.p95', 'performance.failure-rate']],
        ['docs', ['docs.description', 'docs.parameters-documented', 'docs.changelog', 'docs.example', 'docs.readme']],
      ]);
      for (const k of review.reviews) {
        for (const e of k.evidence) {
          expect(e.digest, `${file} ${e.id}`).toBe(contentDigest({ id: e.id, ok: e.ok, reason: e.reason, ...(e.data !== undefined ? { data: e.data } : {}) }));
          expect(e.producedBy, `${file} ${e.id}`).toMatchObject({ workflowId: `${review.requestId}/${k.kind}`, runId: expect.any(String) as string, activity: expect.any(String) as string });
          expect(e.reason.length, `${file} ${e.id}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('security: every task with its manifest facts, no literal secret, every host within the declared egress', () => {
    for (const [file, { spec, review }] of reviews) {
      const tasks = item(review, 'security.tasks');
      const used = new Set(JSON.stringify(spec.steps).match(/[a-z][a-z0-9.-]*@\d+\.\d+\.\d+/g));
      const data = tasks.data as { tasks: { task: string; capabilities: string[]; egress: string[]; dataClasses: string[]; secrets: string[] }[]; specSecrets: string[] };
      expect(data.tasks.map((t) => t.task).sort(), file).toEqual([...used].sort());
      for (const t of data.tasks) expect(Array.isArray(t.capabilities) && Array.isArray(t.egress) && Array.isArray(t.dataClasses), `${file} ${t.task}`).toBe(true);
      expect(data.specSecrets, file).toEqual((spec.secrets ?? []).map((x) => x.name));
      expect(tasks.ok, file).toBe(true);
      expect(item(review, 'security.literal-secrets').ok, file).toBe(true);
      expect(item(review, 'security.egress-hosts').ok, file).toBe(true);
      // the policy allowed a marketplace profile only for the global entries
      expect(item(review, 'security.publish-policy').ok, file).toBe(spec.metadata.scope === 'global');
    }
    const finops = [...reviews.entries()].find(([f]) => f.includes('finops'))![1].review;
    const hosts = (item(finops, 'security.egress-hosts').data as { hosts: { host: string }[] }).hosts.map((h) => h.host);
    expect(hosts).toEqual(expect.arrayContaining(['billing.example.internal', 'chat.example.internal']));
  });

  it('performance: the configured number of dry runs through the run engine, with p50, p95 and failure rate against the budget', async () => {
    for (const [file, { review }] of reviews) {
      const rate = item(review, 'performance.failure-rate');
      const data = rate.data as { runs: { runId: string; workflowId: string; status: string; durationMs?: number }[]; budget: { p95Ms: number; maxFailureRate: number } };
      expect(data.runs, file).toHaveLength(2);
      expect(data.budget, file).toEqual({ p95Ms: 60000, maxFailureRate: 0 });
      for (const r of data.runs) {
        expect(r.workflowId, file).toBe(`run/${review.workflowId.split('/')[1]!.split('@')[0]}/${r.runId}`);
        // the run engine recorded each run
        const [row] = await s.sql<{ status: string }[]>`select status from run where id = ${r.runId}`;
        expect(row?.status, `${file} ${r.runId}`).toBe(r.status);
      }
      const completed = data.runs.filter((r) => r.status === 'completed');
      expect(rate.ok, file).toBe(completed.length === 2);
      const p95 = item(review, 'performance.p95');
      expect((p95.data as { p95Ms: number | null }).p95Ms === null, file).toBe(completed.length === 0);
    }
    // the marketplace entries run clean in dry-run mode with their example input
    for (const [file, { review }] of reviews) {
      if (file.includes('finops') || file.includes('security-access')) expect(item(review, 'performance.failure-rate').reason, file).toMatch(/^0 of 2 dry runs failed/);
    }
  });

  it('docs: each check pass or fail with its reason', () => {
    for (const [file, { review }] of reviews) {
      const docs = review.reviews.find((k) => k.kind === 'docs')!.evidence;
      if (file.includes('finops') || file.includes('security-access')) expect(docs.filter((d) => !d.ok).map((d) => d.reason), file).toEqual([]);
    }
    const vendor = [...reviews.entries()].find(([f]) => f.includes('vendor-risk'))![1].review;
    expect(item(vendor, 'docs.example')).toMatchObject({ ok: false, reason: 'no parameters.examples and no upgrade.smoke.parameters' });
  });
});
