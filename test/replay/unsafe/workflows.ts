// An *unsafe* edit of the publish workflow (a timer before the first activity, without
// patched()): replaying the recorded histories against it must fail.
import { sleep } from '@temporalio/workflow';
import type { PublishInput } from '../../../domain/publish.ts';
import { publishWorkflow as current } from '../../../workflows/publish.ts';

export { createDraftWorkflow } from '../../../workflows/draft.ts';

export async function publishWorkflow(input: PublishInput) {
  await sleep('1 second');
  return current(input);
}
