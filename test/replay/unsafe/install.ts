// *Unsafe* edits of the install and uninstall lifecycles, without patched(): the digest
// check moved ahead of the request's first step (an install recorded before must not replay
// against it), and a timer before the uninstall's first command.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.ts';
import type { InstallInput } from '../../../domain/install.ts';
import { installWorkflow as currentInstall, uninstallWorkflow as currentUninstall } from '../../../workflows/install.ts';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function installWorkflow(input: InstallInput) {
  await acts.verifyInstallDigest(input);
  return currentInstall(input);
}

export async function uninstallWorkflow(input: Parameters<typeof currentUninstall>[0]) {
  await sleep('1 second');
  return currentUninstall(input);
}
