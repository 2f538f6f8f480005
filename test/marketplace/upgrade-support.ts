import type { Stack } from '../support/stack.ts';
import { call, type Answer, type User } from './support.ts';

export interface UpgradeView {
  instanceId: string;
  fromVersion: string;
  toVersion: string;
  status: string;
  changeKind?: string;
  plan?: {
    changeKind: string;
    missing: { parameters: string[]; secrets: string[] };
    approval: { required: boolean; reasons: string[] };
    next: { parameters: Record<string, unknown>; secrets: Record<string, string> };
    migration: { declared: boolean; applied: boolean; problems: { path: string; message: string; code?: string }[] };
  };
  approvals: { approver: { sub: string }; decision: string; rationale: string }[];
  smokeRun?: { runId: string; workflowId: string; status: string };
  watch?: { until?: string; finished: number; failed: number };
  rollback?: { code: string; reason: string };
  error?: { code: string; message: string; details?: { path: string; message: string; code?: string }[] };
  receiptId?: string;
  workflowId: string;
  runId: string;
}

export const UPGRADE_TERMINAL = ['blocked', 'upgraded', 'rolled_back', 'rejected', 'failed'];

export type UpgradeStarted = { instanceId: string; toVersion: string; workflowId: string; runId: string; status: string; temporalUrl: string };

/** POST /instances/{id}/upgrades as `user`. */
export const requestUpgrade = (s: Stack, user: User, instanceId: string, body: Record<string, unknown> = {}) =>
  call<UpgradeStarted>(s, user, 'POST', `/instances/${instanceId}/upgrades`, body);

/** Requests an upgrade (expects 202) and waits for that attempt to reach one of `until`. */
export async function upgradeUntil(s: Stack, user: User, instanceId: string, body: Record<string, unknown>, until: string[] = UPGRADE_TERMINAL): Promise<UpgradeView> {
  const started = await requestUpgrade(s, user, instanceId, body);
  if (started.status !== 202) throw new Error(`upgrade request refused: ${started.status} ${JSON.stringify(started.body)}`);
  return waitForUpgrade(s, user, instanceId, started.body.toVersion, until, { runId: started.body.runId });
}

/** Polls GET /instances/{id}/upgrades/{version} until its status is one of `until` (default: terminal). */
export async function waitForUpgrade(
  s: Stack,
  user: User,
  instanceId: string,
  version: string,
  until: string[] = UPGRADE_TERMINAL,
  opts: { runId?: string; timeoutMs?: number } = {},
): Promise<UpgradeView> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  let last: Answer<UpgradeView> | undefined;
  for (;;) {
    last = await call<UpgradeView>(s, user, 'GET', `/instances/${instanceId}/upgrades/${version}`);
    // the newest attempt: a request just made has its row once its lifecycle began
    if (last.status === 200 && until.includes(last.body.status) && (!opts.runId || last.body.runId === opts.runId)) return last.body;
    if (Date.now() > deadline) throw new Error(`upgrade of ${instanceId} to ${version} did not reach ${until.join('|')}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The instance's row: version, digest and bindings, as a rollback must restore them. */
export async function instanceRow(s: Stack, instanceId: string) {
  const [row] = await s.sql<{ version: string; digest: string; parameters: Record<string, unknown>; secret_bindings: Record<string, string> }[]>`
    select version, digest, parameters, secret_bindings from workflow_instance where id = ${instanceId}`;
  return row!;
}
