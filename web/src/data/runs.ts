import type { RunActor, RunState, StepState } from '../../../domain/run.ts';
import { apiFetch } from './api.ts';

export type { RunActor, RunStatus, StepApproval, StepState, StepStatus } from '../../../domain/run.ts';
export { approvalRefusal, cancelRefusal, isTerminalRun } from '../../../domain/run.ts';

/** GET /api/runs/{runId} and each `state` event of GET /api/runs/{runId}/events. */
export type RunView = RunState & { temporalUrl: string };
export type RunStep = StepState;
export type Decision = 'approve' | 'reject';

export const actorName = (a: Pick<RunActor, 'sub' | 'name'>) => a.name ?? a.sub;

export const runPath = (runId: string) => `/api/runs/${encodeURIComponent(runId)}`;

export const getRun = (runId: string, signal?: AbortSignal) => apiFetch<RunView>(runPath(runId), { signal });

/** Only the starter or a tenant admin may cancel (403 CANCEL_NOT_ALLOWED otherwise). */
export const cancelRun = (runId: string, reason: string) =>
  apiFetch<unknown>(`${runPath(runId)}/cancel`, { method: 'POST', body: reason ? { reason } : {} });

/** Refusals come back as 4xx with SELF_APPROVAL, RATIONALE_REQUIRED, NOT_ALLOWED_APPROVER… */
export const decideStep = (runId: string, stepId: string, decision: Decision, rationale: string) =>
  apiFetch<unknown>(`${runPath(runId)}/steps/${encodeURIComponent(stepId)}/approvals`, { method: 'POST', body: { decision, rationale } });
