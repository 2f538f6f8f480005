import type { Sql } from '../platform/db.ts';
import type { Visibility } from '../domain/access.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { ENVIRONMENTS, templateBindings, type PublishOffer } from '../domain/marketplace.ts';

/**
 * The template follows its definition's newest published version: profile, offer (from the
 * publish request) and bindings. Written by the publish (internal-only, or a profile the
 * review already passed) and by a passed review (the profile it raised the version to).
 */
export async function upsertTemplate(
  tx: Sql,
  t: { definitionId: string; version: string; tenantId: string; visibility: Visibility; spec: SpecV1; publishWorkflowId: string; publishRunId: string },
): Promise<void> {
  const [req] = await tx<{ requested_by: string; offer: PublishOffer | null }[]>`
    select requested_by, offer from publish_request where workflow_id = ${t.publishWorkflowId}`;
  const offer = req?.offer ?? {};
  const m = t.spec.metadata;
  await tx`
    insert into workflow_template (id, definition_id, tenant_id, visibility, publisher, latest_version, summary, environments,
                                   regions, bindings, publish_workflow_id, publish_run_id)
    values (${t.definitionId}, ${t.definitionId}, ${t.tenantId}, ${t.visibility}, ${req?.requested_by ?? m.owner ?? 'unknown'},
            ${t.version}, ${offer.summary ?? m.description}, ${offer.environments ?? [...ENVIRONMENTS]}::text[],
            ${offer.regions ?? []}::text[], ${tx.json(templateBindings(t.spec) as never)}, ${t.publishWorkflowId}, ${t.publishRunId})
    on conflict (id) do update set visibility = excluded.visibility, publisher = excluded.publisher,
      latest_version = excluded.latest_version, summary = excluded.summary, environments = excluded.environments,
      regions = excluded.regions, bindings = excluded.bindings, publish_workflow_id = excluded.publish_workflow_id,
      publish_run_id = excluded.publish_run_id, updated_at = now()`;
}

/** A passed review: the template follows the reviewed version at the profile the review raised it to. */
export async function raiseTemplate(tx: Sql, r: { definitionId: string; version: string; visibility: Visibility }): Promise<void> {
  const [v] = await tx<{ tenant_id: string; spec: SpecV1; published_by_workflow_id: string; published_by_run_id: string }[]>`
    select tenant_id, spec, published_by_workflow_id, published_by_run_id from workflow_version
    where definition_id = ${r.definitionId} and version = ${r.version}`;
  if (!v) return;
  await upsertTemplate(tx, {
    definitionId: r.definitionId,
    version: r.version,
    tenantId: v.tenant_id,
    visibility: r.visibility,
    spec: v.spec,
    publishWorkflowId: v.published_by_workflow_id,
    publishRunId: v.published_by_run_id,
  });
}
