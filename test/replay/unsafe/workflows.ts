// *Unsafe* edits of the lifecycle workflows (a timer before the first command, without
// patched()): replaying the recorded histories against them must fail.
import { sleep } from '@temporalio/workflow';
import type { PublishInput } from '../../../domain/publish.ts';
import { publishWorkflow as currentPublish } from '../../../workflows/publish.ts';
import { runWorkflow as currentRun } from '../../../workflows/run.ts';
import { healthRollupWorkflow as currentHealthRollup } from '../../../workflows/health-rollup.ts';
import { catalogReindexWorkflow as currentReindex } from '../../../workflows/catalog-reindex.ts';
import { curateTemplateWorkflow as currentCurate } from '../../../workflows/curate-template.ts';

export { createDraftWorkflow } from '../../../workflows/draft.ts';

export async function publishWorkflow(input: PublishInput) {
  await sleep('1 second');
  return currentPublish(input);
}

export async function runWorkflow(input: Parameters<typeof currentRun>[0]) {
  await sleep('1 second');
  return currentRun(input);
}

export async function healthRollupWorkflow(input: Parameters<typeof currentHealthRollup>[0]) {
  await sleep('1 second');
  return currentHealthRollup(input);
}

export async function catalogReindexWorkflow(input: Parameters<typeof currentReindex>[0]) {
  await sleep('1 second');
  return currentReindex(input);
}

export async function curateTemplateWorkflow(input: Parameters<typeof currentCurate>[0]) {
  await sleep('1 second');
  return currentCurate(input);
}
