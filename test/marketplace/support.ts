import { expect } from 'vitest';
import { testSpec, type DemoUser, type Stack } from '../support/stack.ts';
import { passReview } from '../review/support.ts';

export type User = DemoUser;

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T & { code?: string; message?: string; details?: { path: string; message: string; code?: string }[] };
}

/** A request through the app as `user`, answered with its status and JSON body (errors included). */
export async function call<T = Record<string, unknown>>(s: Stack, user: User, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const res = await s.request(method, `/api${path}`, { user, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), headers });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Answer<T>['body'] };
}

/** A global spec, unique per call, with the given parameters, secrets and steps. */
export function templateSpec(extra: Record<string, unknown>, overrides: { risk?: string; name?: string } = {}) {
  return testSpec({ scope: 'global', ...overrides, extra: { parameters: { type: 'object', properties: {} }, ...extra } });
}

/**
 * pat drafts and publishes the spec as a marketplace template with the given profile; bob
 * approves (sharing beyond the tenant always needs review); a marketplace profile then
 * passes its platform review (sam, perry, dora approve: test/review/support.ts) unless
 * `review: false`, which leaves the version internal-only with its review pending.
 * Returns the template id.
 */
export async function publishTemplate(
  s: Stack,
  spec: ReturnType<typeof testSpec>,
  opts: { visibility?: 'public-ecosystem' | 'partner-curated' | 'internal-only'; offer?: Record<string, unknown>; review?: boolean; author?: User } = {},
): Promise<string> {
  const pat = s.as('pat');
  const { body: draft } = await s.as(opts.author ?? 'pat').createDraft(spec);
  const id = draft.definitionId;
  await call(s, 'pat', 'POST', `/definitions/${id}/publish-requests`, {
    version: spec.metadata.version,
    visibility: opts.visibility ?? 'public-ecosystem',
    ...(opts.offer ? { offer: opts.offer } : {}),
  });
  const first = await pat.waitForPublish(id, spec.metadata.version, ['awaiting_approval', 'published', 'denied', 'invalid']);
  if (first === 'awaiting_approval') await s.as('bob').decide(id, spec.metadata.version, 'approve', 'Reviewed for the marketplace.');
  expect(await pat.waitForPublish(id, spec.metadata.version, ['published', 'rejected', 'denied', 'invalid'])).toBe('published');
  const visibility = opts.visibility ?? 'public-ecosystem';
  if (visibility !== 'internal-only' && opts.review !== false) await passReview(s, id, spec.metadata.version);
  return id;
}

export interface InstallView {
  instanceId: string;
  status: string;
  decision?: { allow: boolean; approvalsRequired: number; deny: string[]; reasons: string[] };
  approvals: { approver: { sub: string }; decision: string; rationale: string }[];
  error?: { code: string; message: string; details?: { path: string; message: string; code?: string }[] };
  workflowId: string;
  runId: string;
  temporalUrl: string;
}

export const TERMINAL = ['installed', 'denied', 'invalid', 'rejected', 'failed'];

/** Polls GET /installs/{id} until its status is one of `until` (default: terminal). */
export async function waitForInstall(s: Stack, user: User, instanceId: string, until: string[] = TERMINAL, timeoutMs = 60_000): Promise<InstallView> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer<InstallView> | undefined;
  for (;;) {
    last = await call<InstallView>(s, user, 'GET', `/installs/${instanceId}`);
    if (last.status === 200 && until.includes(last.body.status)) return last.body;
    if (Date.now() > deadline) throw new Error(`install ${instanceId} did not reach ${until.join('|')}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** POST /installs as `user`; expects 202 and returns the instance id. */
export async function requestInstall(s: Stack, user: User, body: Record<string, unknown>): Promise<string> {
  const res = await call<{ instanceId: string }>(s, user, 'POST', '/installs', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.instanceId;
}

/** Installs and waits until installed (fails the test with the install's error otherwise). */
export async function install(s: Stack, user: User, body: Record<string, unknown>): Promise<string> {
  const id = await requestInstall(s, user, body);
  const done = await waitForInstall(s, user, id);
  expect(done.status, JSON.stringify(done.error)).toBe('installed');
  return id;
}
