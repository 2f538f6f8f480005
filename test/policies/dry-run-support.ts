import { expect } from 'vitest';
import type { Stack } from '../support/stack.ts';
import { call, templateSpec } from '../marketplace/support.ts';
import { passReview } from '../review/support.ts';

/** A critical template: an approval step before its write (an external POST). */
export const criticalSpec = () =>
  templateSpec(
    {
      parameters: { type: 'object', properties: { endpoint: { type: 'string', format: 'uri', default: 'https://api.partner.example/hook' } } },
      steps: [
        { id: 'gate', task: 'approval@1.0.0', with: { message: 'Send it?', approvers: { roles: ['tenant-admin'] } } },
        { id: 'send', task: 'http.request@1.0.0', with: { url: '${{ params.endpoint }}', method: 'POST', body: { ok: true } } },
      ],
    },
    { risk: 'critical' },
  );

/**
 * pat publishes a critical spec as partner-curated (critical cannot be public-ecosystem): bob
 * and root approve (critical needs two), the platform review passes, and the curated list
 * offers it to globex. Returns the template id.
 */
export async function publishCritical(s: Stack, spec = criticalSpec()): Promise<string> {
  const pat = s.as('pat');
  const { body: draft } = await pat.createDraft(spec);
  const id = draft.definitionId;
  const v = spec.metadata.version;
  const req = await call(s, 'pat', 'POST', `/definitions/${id}/publish-requests`, { version: v, visibility: 'partner-curated' });
  expect(req.status, JSON.stringify(req.body)).toBe(202);
  for (const approver of ['bob', 'root'] as const) {
    if ((await pat.waitForPublish(id, v, ['awaiting_approval', 'published', 'denied', 'invalid'])) !== 'awaiting_approval') break;
    await s.as(approver).decide(id, v, 'approve', 'Reviewed for the marketplace.');
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(await pat.waitForPublish(id, v, ['published', 'rejected', 'denied', 'invalid'])).toBe('published');
  await passReview(s, id, v);
  await s.sql`insert into template_audience (template_id, tenant_id, added_by) values (${id}, 'globex', 'cora') on conflict do nothing`;
  return id;
}
