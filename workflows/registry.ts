import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Actor } from '../domain/actor.ts';
import type { AdapterStatus, TaskManifest } from '../domain/manifest.ts';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '10 seconds' } });

/** Registering an adapter version is a lifecycle too: who registered what, and when, is in history. */
export async function registerAdapterWorkflow(input: { manifest: TaskManifest; actor: Actor }) {
  return acts.registerAdapter({ manifest: input.manifest, actor: input.actor });
}

/** Deprecating or retiring an adapter version (with a replacement hint). */
export async function setAdapterStatusWorkflow(input: { name: string; version: string; status: AdapterStatus; replacement?: string; actor: Actor }) {
  const { actor, ...change } = input;
  await acts.setAdapterStatus({ ...change, actor });
  return change;
}
