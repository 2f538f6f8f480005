import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Actor } from '../domain/actor.ts';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds' },
});

/** Creating a draft is a (short) lifecycle too, so every catalog change has a history. */
export async function createDraftWorkflow(input: { spec: unknown; actor: Actor }) {
  return acts.createDraft(input);
}
