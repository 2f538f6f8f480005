import { activityInfo } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { Sql } from '../platform/db.ts';
import type { Actor } from '../domain/actor.ts';
import { canCurate, type Visibility } from '../domain/access.ts';
import { conflict, inputError, notAllowed, notFound } from '../domain/errors.ts';
import { MAX_AUDIENCE, type AudienceChange } from '../domain/templates.ts';
import { TENANT_ID } from '../domain/ids.ts';
import { asFailure } from './errors.ts';
import { sealOwnReceipt } from './receipts.ts';
import type { KeyRing } from '../platform/signing.ts';

export interface TemplateDeps {
  sql: Sql;
  keyRing: KeyRing;
}

function execution() {
  const e = activityInfo().workflowExecution;
  if (!e) throw new Error('template activities run inside a workflow');
  return e;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

export function createTemplateActivities({ sql, keyRing }: TemplateDeps) {
  return {
    /**
     * The curate lifecycle's write: makes the template's curated list the given set, and
     * records the change's receipt, in one transaction. Checked again here, against the
     * rows it changes (the API checked before starting, but the template may have been
     * published with another profile since): the actor may curate it, and every tenant
     * exists. Idempotent per workflow run: a retry after the commit answers with the
     * receipt's record of what this run changed.
     */
    applyTemplateAudience: (input: { templateId: string; tenants: string[]; actor: Actor }) =>
      asFailure(async (): Promise<AudienceChange> => {
        const { workflowId, runId } = execution();
        const receiptId = `rcpt_${createHash('sha256').update(`${workflowId}\n${runId}\ncurate`).digest('hex').slice(0, 24)}`;
        const wanted = new Set(input.tenants);
        if (wanted.size > MAX_AUDIENCE) throw inputError('AUDIENCE_TOO_LARGE', `a curated list holds at most ${MAX_AUDIENCE} tenants`);
        const malformed = [...wanted].filter((t) => !TENANT_ID.test(t));
        if (malformed.length) throw inputError('TENANT_INVALID', `not tenant ids: ${malformed.slice(0, 5).join(', ')}`);
        const applied = await sql.begin(async (tx): Promise<{ change: AudienceChange; tenantId: string; digest: string }> => {
          const [done] = await tx<{ decisions: AudienceChange; tenant_id: string; subject_digest: string }[]>`
            select decisions, tenant_id, subject_digest from provenance_receipt where workflow_id = ${workflowId} and run_id = ${runId} and lifecycle = 'curate'`;
          if (done) {
            const { audience, added, removed } = done.decisions;
            return { change: { audience, added, removed, receiptId }, tenantId: done.tenant_id, digest: done.subject_digest };
          }
          // the template row is locked: concurrent curations of one template take turns
          const [t] = await tx<{ tenant_id: string; visibility: Visibility }[]>`
            select tenant_id, visibility from workflow_template where id = ${input.templateId} for update`;
          if (!t) throw notFound('TEMPLATE_NOT_FOUND', `no template ${input.templateId}`);
          if (!canCurate(input.actor, { visibility: t.visibility })) {
            if (t.visibility !== 'partner-curated') {
              throw conflict('TEMPLATE_NOT_PARTNER_CURATED', `${input.templateId} is ${t.visibility}: only a partner-curated template has a curated list`);
            }
            throw notAllowed('ROLE_REQUIRED', 'template.curate requires one of the roles: platform-curator, platform-admin');
          }
          if (wanted.has(t.tenant_id)) throw inputError('AUDIENCE_OWNER', 'the publishing tenant always sees its own template: leave it out of the list');
          const known = await tx<{ id: string }[]>`select id from tenant where id = any(${[...wanted]}::text[])`;
          const unknown = sorted([...wanted].filter((w) => !known.some((k) => k.id === w)));
          if (unknown.length) throw inputError('TENANT_UNKNOWN', `no such tenants: ${unknown.slice(0, 5).join(', ')}`);

          const current = new Set(
            (await tx<{ tenant_id: string }[]>`select tenant_id from template_audience where template_id = ${input.templateId}`).map((r) => r.tenant_id),
          );
          const added = sorted([...wanted].filter((w) => !current.has(w)));
          const removed = sorted([...current].filter((c) => !wanted.has(c)));
          if (removed.length) await tx`delete from template_audience where template_id = ${input.templateId} and tenant_id = any(${removed}::text[])`;
          if (added.length) {
            await tx`
              insert into template_audience ${tx(added.map((tenant_id) => ({ template_id: input.templateId, tenant_id, added_by: input.actor.sub })))}
              on conflict do nothing`;
          }
          await tx`
            update workflow_template set audience_workflow_id = ${workflowId}, audience_run_id = ${runId},
              audience_updated_by = ${input.actor.sub}, audience_updated_at = now(), updated_at = now()
            where id = ${input.templateId}`;
          const change: AudienceChange = { audience: sorted(wanted), added, removed, receiptId };
          const audienceDigest = `sha256:${createHash('sha256').update(JSON.stringify(change.audience)).digest('hex')}`;
          await tx`
            insert into provenance_receipt (id, tenant_id, lifecycle, workflow_id, run_id, subject, subject_digest, decisions)
            values (${receiptId}, ${t.tenant_id}, 'curate', ${workflowId}, ${runId}, ${input.templateId}, ${audienceDigest},
                    ${tx.json({ ...change, curator: input.actor.sub } as never)})
            on conflict (workflow_id, run_id, lifecycle) do nothing`;
          return { change, tenantId: t.tenant_id, digest: audienceDigest };
        });
        await sealOwnReceipt(
          { sql, keyRing },
          {
            lifecycle: 'curate',
            tenantId: applied.tenantId,
            subject: { name: input.templateId, digest: applied.digest },
            requestedBy: input.actor,
            decisions: [],
          },
        );
        return applied.change;
      }),
  };
}

export type TemplateActivities = ReturnType<typeof createTemplateActivities>;
