import { activityInfo } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { Sql } from '../platform/db.ts';
import { PG, pgCode } from '../platform/db.ts';
import type { PolicyEngine } from '../platform/opa.ts';
import { contentDigest } from '../platform/digest.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { assertValid, validateSpecDocument } from '../platform/spec-validation.ts';
import { DomainError, conflict, inputError, notFound } from '../domain/errors.ts';
import type { Actor } from '../domain/actor.ts';
import type { ApprovalRecord, DraftSummary, PublishDecision, PublishStatus, StoredGuardrails } from '../domain/publish.ts';
import { definitionId as makeDefinitionId } from '../domain/ids.ts';
import { compareSemver } from '../domain/semver.ts';
import { asFailure } from './errors.ts';
import { defaultVisibility, type Visibility } from '../domain/access.ts';
import { type PublishOffer } from '../domain/marketplace.ts';
import { isMarketplace } from '../domain/review.ts';
import { upsertTemplate } from './publish-template.ts';
import { assertBumpAgrees, assertChangelog, versionChange } from '../platform/change-classification.ts';
import type { RecordedChangeKind } from '../domain/change-kind.ts';
import type { KeyRing } from '../platform/signing.ts';
import { signVersion } from '../platform/version-signature.ts';
import { approvalDecisions } from '../platform/receipts.ts';
import { sealOwnReceipt } from './receipts.ts';

export interface PublishDeps {
  sql: Sql;
  policy: PolicyEngine;
  keyRing: KeyRing;
}


function execution() {
  const e = activityInfo().workflowExecution;
  if (!e) throw new Error('publish activities run inside a workflow');
  return e;
}

export function createPublishActivities({ sql, policy, keyRing }: PublishDeps) {
  return {
    /** Validates and stores a draft version. Idempotent: the same content twice is one draft. */
    createDraft: (input: { spec: unknown; actor: Actor }) =>
      asFailure(async (): Promise<DraftSummary> => {
        const spec = assertValid(await validateSpecDocument(sql, input.spec));
        const m = spec.metadata;
        const id = makeDefinitionId(input.actor.tenant, m.name);
        const digest = contentDigest(spec);
        // the number must agree with what the version changes against the published ones
        // (a draft that exists with this very content is the same draft: idempotent)
        const [same] = await sql`select 1 from workflow_version where definition_id = ${id} and version = ${m.version} and digest = ${digest}`;
        if (!same) assertBumpAgrees(await versionChange(sql, id, spec), m.version, '/spec');
        return await sql.begin(async (tx) => {
          const [tenant] = await tx`select id from tenant where id = ${input.actor.tenant}`;
          if (!tenant) throw notFound('TENANT_UNKNOWN', `tenant "${input.actor.tenant}" does not exist`);
          await tx`
            insert into workflow_definition (id, tenant_id, name, title, description, category, risk, scope, owner, owner_team, created_by)
            values (${id}, ${input.actor.tenant}, ${m.name}, ${m.title ?? null}, ${m.description}, ${m.category}, ${m.risk},
                    ${m.scope}, ${m.owner ?? input.actor.sub}, ${m.ownerTeam ?? input.actor.team ?? null}, ${input.actor.sub})
            on conflict (id) do nothing`;
          const inserted = await tx`
            insert into workflow_version (definition_id, tenant_id, version, spec, parameter_schema, changelog, digest, created_by, created_by_team)
            values (${id}, ${input.actor.tenant}, ${m.version}, ${tx.json(spec as never)},
                    ${spec.parameters ? tx.json(spec.parameters as never) : null}, ${m.changelog ?? null}, ${digest}, ${input.actor.sub}, ${input.actor.team ?? null})
            on conflict (definition_id, version) do nothing
            returning version`;
          if (!inserted.length) {
            const [existing] = await tx<{ digest: string }[]>`
              select digest from workflow_version where definition_id = ${id} and version = ${m.version}`;
            if (existing?.digest !== digest) {
              throw conflict('VERSION_EXISTS', `${id}@${m.version} already exists with different content; bump the version`);
            }
          }
          return {
            definitionId: id,
            version: m.version,
            tenantId: input.actor.tenant,
            digest,
            risk: m.risk,
            scope: m.scope,
            category: m.category,
            title: m.title ?? m.name,
            created: inserted.length > 0,
          };
        });
      }),

    /**
     * First step of a publish: the version must exist as a draft, its spec must still be
     * valid and its stored digest must match its content. Opens the publish_request row.
     */
    beginPublish: (input: { definitionId: string; version: string; requestedBy: Actor; visibility?: Visibility; offer?: PublishOffer }) =>
      asFailure(async (): Promise<DraftSummary> => {
        const { workflowId, runId } = execution();
        const [row] = await sql<{ spec: unknown; digest: string; status: string; tenant_id: string }[]>`
          select spec, digest, status, tenant_id from workflow_version
          where definition_id = ${input.definitionId} and version = ${input.version}`;
        if (!row) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.version} does not exist`);
        if (row.status === 'published') throw conflict('ALREADY_PUBLISHED', `${input.definitionId}@${input.version} is already published`);
        const a = input.requestedBy;
        await sql`
          insert into publish_request (workflow_id, run_id, tenant_id, definition_id, version, requested_by, requested_by_name, status, offer)
          values (${workflowId}, ${runId}, ${row.tenant_id}, ${input.definitionId}, ${input.version}, ${a.sub}, ${a.name ?? null}, 'validating',
                  ${input.offer ? sql.json(input.offer as never) : null})
          on conflict (workflow_id) do update set run_id = excluded.run_id, status = 'validating', decision = null,
            requested_by = excluded.requested_by, requested_by_name = excluded.requested_by_name, offer = excluded.offer, updated_at = now()`;
        // re-validated against today's registry: a task retired since the draft blocks the publish
        // (a deprecated task is the guardrails' business: marketplace.no-deprecated-tasks denies it beyond the tenant)
        const spec = assertValid(await validateSpecDocument(sql, row.spec));
        const visibility = input.visibility ?? defaultVisibility(spec.metadata.scope);
        const digest = contentDigest(spec);
        if (digest !== row.digest) throw inputError('DIGEST_MISMATCH', 'the stored spec does not match its recorded digest');
        // every published version says what changed, and its number agrees with the computed
        // kind against the latest published version below it (which may have moved since the draft)
        assertChangelog(spec, '/spec');
        const change = await versionChange(sql, input.definitionId, spec);
        assertBumpAgrees(change, input.version, '/spec');
        const m = spec.metadata;
        return {
          definitionId: input.definitionId,
          version: input.version,
          tenantId: row.tenant_id,
          digest,
          risk: m.risk,
          scope: m.scope,
          category: m.category,
          title: m.title ?? m.name,
          created: false,
          visibility,
          change: { kind: change.kind, ...(change.from ? { from: change.from } : {}) },
        };
      }),

    /** The policy decision, evaluated here so that it is recorded in the workflow history. */
    async decidePublish(input: { actor: Actor; draft: DraftSummary }): Promise<PublishDecision> {
      return policy.publishDecision({
        actor: { sub: input.actor.sub, tenant: input.actor.tenant, roles: input.actor.roles, ...(input.actor.team ? { team: input.actor.team } : {}) },
        definition: {
          id: input.draft.definitionId,
          tenant: input.draft.tenantId,
          risk: input.draft.risk,
          scope: input.draft.scope,
          category: input.draft.category,
          // drafts of histories recorded before profiles existed carry none
          visibility: input.draft.visibility ?? defaultVisibility(input.draft.scope),
        },
      });
    },

    async recordPublishStatus(input: {
      definitionId: string;
      version: string;
      status: PublishStatus;
      decision?: PublishDecision;
      guardrails?: StoredGuardrails;
    }): Promise<void> {
      const { workflowId, runId } = execution();
      const versionStatus = input.status === 'awaiting_approval' ? 'in_review' : input.status === 'rejected' ? 'rejected' : 'draft';
      await sql.begin(async (tx) => {
        await tx`
          update publish_request set status = ${input.status}, run_id = ${runId},
            decision = coalesce(${input.decision ? tx.json(input.decision as never) : null}, decision),
            guardrails = coalesce(${input.guardrails ? tx.json(input.guardrails as never) : null}, guardrails), updated_at = now()
          where workflow_id = ${workflowId}`;
        await tx`
          update workflow_version set status = ${versionStatus}
          where definition_id = ${input.definitionId} and version = ${input.version} and status <> 'published'`;
        await tx`
          update workflow_definition set status = ${input.status === 'awaiting_approval' ? 'in_review' : 'draft'}, updated_at = now()
          where id = ${input.definitionId} and status in ('draft', 'in_review')`;
      });
    },

    /**
     * Persists an accepted approval decision; idempotent per (run, approver). A re-requested
     * publish reuses the workflow id, so each run's decisions are kept apart by run id.
     */
    async recordApproval(input: { definitionId: string; version: string; tenantId: string; approval: ApprovalRecord }): Promise<void> {
      const { workflowId, runId } = execution();
      const a = input.approval;
      await sql`
        insert into approval (tenant_id, workflow_id, run_id, subject_kind, definition_id, version, approver, approver_tenant, decision, rationale, decided_at)
        values (${input.tenantId}, ${workflowId}, ${runId}, 'publish', ${input.definitionId}, ${input.version}, ${a.approver.sub},
                ${a.approver.tenant}, ${a.decision}, ${a.rationale}, ${a.at})
        on conflict do nothing`;
    },

    /**
     * Makes the version published, the definition's metadata follow its newest published
     * version, and writes the lifecycle receipt — one transaction, safe to retry. Then, outside
     * the definition's lock, signs the version with the publisher's key and seals the receipt
     * (each once: a retry finds them done).
     */
    completePublish: (input: { definitionId: string; version: string; digest: string; decision: PublishDecision; approvals: ApprovalRecord[]; guardrails?: StoredGuardrails }) =>
      asFailure(async (): Promise<{ receiptId: string; changeKind?: RecordedChangeKind; changeFrom?: string }> => {
        const { workflowId, runId } = execution();
        // the receipt's details: the policy decision, the approvals and (since the guardrails) their
        // decision and the overrides given — the same object in the row and the sealed receipt
        const details = {
          policy: input.decision,
          approvals: input.approvals,
          ...(input.guardrails ? { guardrails: input.guardrails.decision, overrides: input.guardrails.overrides } : {}),
        };
        const receiptId = `rcpt_${createHash('sha256').update(`${workflowId}\n${runId}\npublish`).digest('hex').slice(0, 24)}`;
        let recorded: { changeKind?: RecordedChangeKind; changeFrom?: string } = {};
        let tenantId = '';
        await sql.begin(async (tx) => {
          // one publish of a definition at a time: the change is computed against what is published now
          const [d] = await tx<{ latest_version: string | null }[]>`
            select latest_version from workflow_definition where id = ${input.definitionId} for update`;
          const [v] = await tx<{ status: string; digest: string; published_by_workflow_id: string | null; spec: SpecV1; tenant_id: string; change_kind: RecordedChangeKind | null; change_from: string | null; review_state: string }[]>`
            select status, digest, published_by_workflow_id, spec, tenant_id, change_kind, change_from, review_state from workflow_version
            where definition_id = ${input.definitionId} and version = ${input.version} for update`;
          if (!v) throw notFound('VERSION_NOT_FOUND', `${input.definitionId}@${input.version} does not exist`);
          if (v.digest !== input.digest) throw inputError('DIGEST_MISMATCH', 'the version changed during review');
          tenantId = v.tenant_id;
          if (v.status === 'published' && v.published_by_workflow_id !== workflowId) {
            throw conflict('ALREADY_PUBLISHED', `${input.definitionId}@${input.version} was published by another lifecycle`);
          }
          const visibility = input.decision.visibility ?? defaultVisibility(v.spec.metadata.scope);
          // the review gate: a marketplace profile is published internal-only until its review passes
          // (the publish lifecycle starts the review next); a version already reviewed keeps its profile
          const pendingReview = isMarketplace(visibility) && v.review_state !== 'passed';
          const storedVisibility: Visibility = pendingReview ? 'internal-only' : visibility;
          if (v.status !== 'published') {
            // a version published below this one during review may make its number disagree now
            const change = await versionChange(tx, input.definitionId, v.spec);
            assertBumpAgrees(change, input.version, '/spec');
            await tx`
              update workflow_version set status = 'published', published_at = now(), visibility = ${storedVisibility},
                requested_visibility = ${pendingReview ? visibility : null}, review_state = ${pendingReview ? 'pending' : v.review_state},
                published_by_workflow_id = ${workflowId}, published_by_run_id = ${runId},
                change_kind = ${change.kind}, change_from = ${change.from ?? null}, change_reasons = ${tx.json(change.reasons as never)}
              where definition_id = ${input.definitionId} and version = ${input.version}`;
            recorded = { changeKind: change.kind, ...(change.from ? { changeFrom: change.from } : {}) };
          } else if (v.change_kind) {
            recorded = { changeKind: v.change_kind, ...(v.change_from ? { changeFrom: v.change_from } : {}) };
          }
          const newest = !d?.latest_version || compareSemver(input.version, d.latest_version) >= 0;
          if (newest) {
            const m = v.spec.metadata;
            await tx`
              update workflow_definition set latest_version = ${input.version}, status = 'published', title = ${m.title ?? null},
                description = ${m.description}, category = ${m.category}, risk = ${m.risk}, scope = ${m.scope},
                owner = coalesce(${m.owner ?? null}, owner), owner_team = coalesce(${m.ownerTeam ?? null}, owner_team), updated_at = now()
              where id = ${input.definitionId}`;
            // the template follows the newest published version: its profile, offer and bindings;
            // a template already offered at a reviewed profile keeps its reviewed version until
            // this one's review passes (workflows/review.ts raises it then)
            const [t] = await tx<{ visibility: string }[]>`select visibility from workflow_template where id = ${input.definitionId} for update`;
            if (!(pendingReview && t && t.visibility !== 'internal-only')) {
              await upsertTemplate(tx as unknown as Sql, { definitionId: input.definitionId, version: input.version, tenantId: v.tenant_id, visibility: storedVisibility, spec: v.spec, publishWorkflowId: workflowId, publishRunId: runId });
            }
            await tx`delete from workflow_tag where definition_id = ${input.definitionId}`;
            for (const tag of new Set(m.tags ?? [])) {
              await tx`insert into workflow_tag (definition_id, tenant_id, tag) values (${input.definitionId}, ${v.tenant_id}, ${tag})`;
            }
          } else {
            await tx`update workflow_definition set status = 'published', updated_at = now() where id = ${input.definitionId}`;
          }
          await tx`update publish_request set status = 'published',
            guardrails = coalesce(${input.guardrails ? tx.json(input.guardrails as never) : null}, guardrails), updated_at = now() where workflow_id = ${workflowId}`;
          await tx`
            insert into provenance_receipt (id, tenant_id, lifecycle, workflow_id, run_id, subject, subject_digest, decisions)
            values (${receiptId}, ${v.tenant_id}, 'publish', ${workflowId}, ${runId}, ${`${input.definitionId}@${input.version}`},
                    ${input.digest}, ${tx.json(details as never)})
            on conflict (workflow_id, run_id, lifecycle) do nothing`;
        }).catch((e: unknown) => {
          if (e instanceof DomainError) throw e;
          if (pgCode(e) === PG.checkViolation) throw conflict('ALREADY_PUBLISHED', 'the version is published and immutable');
          throw e;
        });
        await signVersion(sql, keyRing, input.definitionId, input.version);
        await sealOwnReceipt(
          { sql, keyRing },
          {
            lifecycle: 'publish',
            tenantId,
            subject: { name: `${input.definitionId}@${input.version}`, digest: input.digest },
            decisions: approvalDecisions(input.approvals),
            details,
          },
        );
        return { receiptId, ...recorded };
      }),
  };
}

export type PublishActivities = ReturnType<typeof createPublishActivities>;
