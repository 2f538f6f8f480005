import { expect } from 'vitest';
import { ApiError } from '../../platform/api-client.ts';
import type { RunState } from '../../domain/run.ts';
import { testSpec, type DemoUser, type Stack } from '../support/stack.ts';

export type RunView = RunState & { temporalUrl: string };

/** A spec of the given steps (and parameters/secrets), unique per call. */
export function engineSpec(extra: Record<string, unknown>, overrides: { name?: string; version?: string } = {}) {
  return testSpec({ ...overrides, extra: { parameters: { type: 'object', properties: {} }, ...extra } });
}

/** Creates the draft and publishes it (low risk, tenant-local: no review); returns the definition id. */
export async function publishSpec(s: Stack, spec: ReturnType<typeof testSpec>, user: DemoUser = 'alice'): Promise<string> {
  const api = s.as(user);
  const { body: draft } = await api.createDraft(spec);
  await api.requestPublish(draft.definitionId, spec.metadata.version);
  expect(await api.waitForPublish(draft.definitionId, spec.metadata.version, ['published', 'awaiting_approval', 'denied', 'invalid'])).toBe('published');
  return draft.definitionId;
}

export async function startRun(
  s: Stack,
  user: DemoUser,
  definitionId: string,
  body: { version?: string; params?: Record<string, unknown> } = {},
  headers: Record<string, string> = {},
) {
  const res = await s.request('POST', `/api/definitions/${definitionId}/runs`, { user, body: JSON.stringify({ params: {}, ...body }), headers });
  return { status: res.status, body: (await res.json()) as { runId: string; workflowId: string; temporalUrl: string; status: string; code?: string; details?: { path: string; message: string }[] } };
}

export async function getRun(s: Stack, user: DemoUser, runId: string) {
  return s.as(user).call<RunView>('GET', `/runs/${runId}`);
}

/** Polls GET /runs/{id} until `until` holds (default: a terminal status). */
export async function waitForRun(s: Stack, user: DemoUser, runId: string, until: (r: RunView) => boolean = (r) => r.status !== 'running', timeoutMs = 30_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  let last: RunView | undefined;
  for (;;) {
    last = (await getRun(s, user, runId)).body;
    if (until(last)) return last;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not reach the expected state; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const waitingAt = (stepId: string) => (r: RunView) => r.steps.some((st) => st.id === stepId && st.status === 'waiting_approval');

export const decide = (s: Stack, user: DemoUser, runId: string, stepId: string, decision: 'approve' | 'reject', rationale: string) =>
  s.as(user).call<{ approval: { decision: string }; status: string }>('POST', `/runs/${runId}/steps/${stepId}/approvals`, { decision, rationale });

export async function expectApiError(p: Promise<unknown>, status: number, code: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect({ status: (err as ApiError).status, code: (err as ApiError).code }).toEqual({ status, code });
  return err as ApiError;
}

export const step = (r: RunView, id: string) => r.steps.find((st) => st.id === id)!;
