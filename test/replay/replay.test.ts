import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { createDataConverter } from '../../platform/temporal.ts';
import { WORKFLOWS_PATH } from '../../workers/core-worker.ts';
import { REPLAY_CODEC_KEYS } from './fixture-key.ts';

const dir = new URL('./histories/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const histories = () =>
  files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(new URL(f, dir), 'utf8'))) }));

describe('recorded histories replay against the current workflow code', () => {
  it('has a history of every publish path', () => {
    expect(files).toEqual(
      expect.arrayContaining(['draft.json', 'publish-approved.json', 'publish-denied.json', 'publish-rejected.json', 'publish-without-review.json']),
    );
  });

  it('has a history of a publish refused at completion (its number disagreed once a version was published below it)', () => {
    expect(files).toContain('publish-refused-at-completion.json');
  });

  it('has a history of every run-engine path, from before and after expressions moved to the sandbox', () => {
    const paths = ['run-approved', 'run-cancelled', 'run-completed', 'run-rejected'];
    expect(files).toEqual(expect.arrayContaining([...paths.map((p) => `${p}.json`), ...paths.map((p) => `${p}.patched.json`)]));
  });

  it('has a history of the health rollup', () => {
    expect(files).toContain('health-rollup.json');
  });

  it('has histories of the catalog reindex, from before and after its catch-up ahead of the switch', () => {
    expect(files).toEqual(expect.arrayContaining(['catalog-reindex.json', 'catalog-reindex.patched.json']));
  });

  it('has a history of the catalog index check repairing a drift', () => {
    expect(files).toContain('catalog-index-check.json');
  });

  it('has histories of the install lifecycle (approved, invalid) and of an uninstall that cancelled a run', () => {
    expect(files).toEqual(expect.arrayContaining(['install-approved.json', 'install-invalid.json', 'uninstall-cancel.json']));
  });

  it('has histories of the upgrade lifecycle (upgraded after a smoke run, rolled back by one)', () => {
    expect(files).toEqual(expect.arrayContaining(['upgrade-upgraded.json', 'upgrade-rolled-back.json']));
  });

  it('has histories of the certify lifecycle (certified and waiting, overdue, superseded, refused)', () => {
    expect(files).toEqual(expect.arrayContaining(['certify-certified.json', 'certify-overdue.json', 'certify-superseded.json', 'certify-refused.json']));
  });

  it('has a history of the curate lifecycle', () => {
    expect(files).toContain('curate-template.json');
  });

  it('replays every history without a determinism violation', async () => {
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) }, histories())) {
      results.push({ workflowId: r.workflowId, ...(r.error ? { error: String(r.error) } : {}) });
    }
    expect(results).toEqual(files.map((f) => ({ workflowId: f.replace(/\.json$/, '') })));
  });

  it('detects an unsafe change to the publish, run, health rollup and catalog reindex workflows', async () => {
    const lifecycleHistories = histories().filter((h) => /^(publish|run|health-rollup|catalog-reindex)/.test(h.workflowId));
    expect(lifecycleHistories.some((h) => h.workflowId.startsWith('run-'))).toBe(true);
    expect(lifecycleHistories.some((h) => h.workflowId === 'health-rollup')).toBe(true);
    expect(lifecycleHistories.filter((h) => h.workflowId.startsWith('catalog-reindex')).map((h) => h.workflowId)).toEqual(['catalog-reindex', 'catalog-reindex.patched']);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/workflows.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      lifecycleHistories,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(lifecycleHistories.length);
    for (const e of errors) expect(e).toBeInstanceOf(DeterminismViolationError);
  });

  it('detects an unsafe change to the curate lifecycle', async () => {
    const curate = histories().filter((h) => h.workflowId === 'curate-template');
    expect(curate).toHaveLength(1);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/workflows.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      curate,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeterminismViolationError);
  });

  it('detects the catch-up before the switch added without patched()', async () => {
    const recordedBefore = histories().filter((h) => h.workflowId === 'catalog-reindex');
    expect(recordedBefore).toHaveLength(1);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/reindex-unpatched.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      recordedBefore,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeterminismViolationError);
    // the history switched the alias where this code catches up first
    expect(String((errors[0] as Error).message)).toMatch(/'switchCatalogAlias' does not match .* 'catchUpCatalog'/);
  });

  it('detects an unsafe change to the install and uninstall lifecycles', async () => {
    const recorded = histories().filter((h) => /^(install|uninstall)-/.test(h.workflowId));
    expect(recorded.map((h) => h.workflowId)).toEqual(['install-approved', 'install-guardrail-overridden', 'install-invalid', 'uninstall-cancel']);
    const errors: { workflowId: string; error: unknown }[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/install.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      recorded,
    )) {
      errors.push({ workflowId: r.workflowId, error: r.error });
    }
    expect(errors).toHaveLength(recorded.length);
    for (const { error } of errors) expect(error).toBeInstanceOf(DeterminismViolationError);
    // the history asked for the request's first step where this code checks the digest
    for (const { error } of errors.filter((e) => e.workflowId.startsWith('install-'))) {
      expect(String((error as Error).message)).toMatch(/'beginInstall' does not match .* 'verifyInstallDigest'/);
    }
  });

  it('detects an unsafe change to the upgrade lifecycle', async () => {
    const recorded = histories().filter((h) => h.workflowId.startsWith('upgrade-'));
    expect(recorded.map((h) => h.workflowId)).toEqual(['upgrade-rolled-back', 'upgrade-upgraded']);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/upgrade.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      recorded,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(recorded.length);
    for (const e of errors) {
      expect(e).toBeInstanceOf(DeterminismViolationError);
      // the history took the upgrade's lock where this code plans first
      expect(String((e as Error).message)).toMatch(/'beginUpgrade' does not match .* 'planUpgrade'/);
    }
  });

  it('detects an unsafe change to the certify lifecycle', async () => {
    const recorded = histories().filter((h) => h.workflowId.startsWith('certify-'));
    expect(recorded.map((h) => h.workflowId)).toEqual(['certify-certified', 'certify-overdue', 'certify-refused', 'certify-superseded']);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/certify.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      recorded,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(recorded.length);
    for (const e of errors) {
      expect(e).toBeInstanceOf(DeterminismViolationError);
      // the history began the certification where this code asks the policy first
      expect(String((e as Error).message)).toMatch(/'beginCertification' does not match .* 'decideCertification'/);
    }
  });

  it('has histories of an upgrade campaign and of the publish that started it', () => {
    expect(files).toEqual(expect.arrayContaining(['campaign-completed.json', 'publish-starts-campaign.json']));
  });

  it('detects an unsafe change to the upgrade campaign', async () => {
    const recorded = histories().filter((h) => h.workflowId.startsWith('campaign-'));
    expect(recorded.map((h) => h.workflowId)).toEqual(['campaign-completed']);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/campaign.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      recorded,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeterminismViolationError);
    // the history opened the campaign's read model where this code selects first
    expect(String((errors[0] as Error).message)).toMatch(/'beginCampaign' does not match .* 'selectCampaignInstances'/);
  });

  it('detects the campaign start added to the publish without patched()', async () => {
    // published before campaigns existed: the history ends where this code starts a campaign
    const before = histories().filter((h) => h.workflowId === 'publish-without-review.patched' || h.workflowId === 'publish-approved.patched');
    expect(before).toHaveLength(2);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/campaign.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      before,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toBeInstanceOf(DeterminismViolationError);
  });

  it('detects the review start added to the publish without patched()', async () => {
    // a marketplace publish from before the review gate: this code starts a review where the history started a campaign
    const before = histories().filter((h) => h.workflowId === 'publish-starts-campaign');
    expect(before).toHaveLength(1);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: new URL('./unsafe/review.ts', import.meta.url).pathname, dataConverter: createDataConverter(REPLAY_CODEC_KEYS) },
      before,
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeterminismViolationError);
  });

  it('has histories of the review lifecycle (passed, expired) and of the publish that started one', () => {
    expect(files).toEqual(expect.arrayContaining(['review-passed.json', 'review-security-passed.json', 'review-expired.json', 'publish-starts-review.json']));
  });
});
