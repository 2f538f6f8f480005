import { allHandlersFinished, ApplicationFailure, condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { ApprovalRecord, ApproveArgs, PublishInput, PublishResult, PublishState, StoredGuardrails } from '../domain/publish.ts';
import { approveUpdate, publishStateQuery, rejectUpdate } from './contracts/publish.ts';
import { validateDecision } from './approval-rules.ts';
import { isMarketplace } from '../domain/review.ts';
import type { PolicyOverride } from '../domain/policy-profiles.ts';
import { GUARDRAILS_PATCH, guardrailError, policyGate } from './policy-gate.ts';

/** Publishes recorded before the review gate started no review; replay keeps that. */
export const REVIEW_START_PATCH = 'publish-starts-review';

/** An activity's input failure (`input:<CODE>`, non-retryable) as the lifecycle's error. */
function inputRefusal(err: unknown): { code: string; message: string } | undefined {
  const cause = err instanceof ApplicationFailure ? err : (err as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure && cause.type?.startsWith('input:') ? { code: cause.type.slice('input:'.length), message: cause.message } : undefined;
}

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const campaignStart = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/**
 * Publish lifecycle: validate → policy decision → approvals when required → persist the
 * version with its digest → index → receipt → the version's upgrade campaign when it is
 * non-breaking or a patch. Its history is the provenance record.
 */
export async function publishWorkflow(input: PublishInput): Promise<PublishResult> {
  const state: PublishState = {
    definitionId: input.definitionId,
    version: input.version,
    status: 'validating',
    requestedBy: input.requestedBy,
    approvals: [],
  };
  let ownerTenant = input.requestedBy.tenant;
  setHandler(publishStateQuery, () => state);

  const decide = (decision: ApprovalRecord['decision']) => async (args: ApproveArgs) => {
    const record: ApprovalRecord = {
      approver: args.approver,
      rationale: args.rationale.trim(),
      decision,
      at: new Date(Date.now()).toISOString(),
    };
    state.approvals.push(record);
    await acts.recordApproval({ definitionId: input.definitionId, version: input.version, tenantId: ownerTenant, approval: record });
    return record;
  };
  const validator = (args: ApproveArgs) => validateDecision(state, args, ownerTenant);
  setHandler(approveUpdate, decide('approve'), { validator });
  setHandler(rejectUpdate, decide('reject'), { validator });

  // An approve/reject handler persists its decision in an activity; the lifecycle must not
  // end before that finished (the caller would get an error and the row would be missing).
  const finish = async (status: PublishResult['status']): Promise<PublishResult> => {
    if (patched('publish-waits-for-decision-handlers')) await condition(allHandlersFinished);
    return result(status);
  };
  const result = (status: PublishResult['status']): PublishResult => ({
    status,
    definitionId: input.definitionId,
    version: input.version,
    approvals: state.approvals,
    ...(state.digest ? { digest: state.digest } : {}),
    ...(state.decision ? { decision: state.decision } : {}),
    ...(state.error ? { error: state.error } : {}),
  });

  let draft;
  try {
    // the profile and offer asked for travel only when given, so older histories replay unchanged
    draft = await acts.beginPublish({
      definitionId: input.definitionId,
      version: input.version,
      requestedBy: input.requestedBy,
      ...(input.visibility ? { visibility: input.visibility } : {}),
      ...(input.offer ? { offer: input.offer } : {}),
    });
  } catch (err) {
    const refused = inputRefusal(err);
    if (refused) {
      state.status = 'invalid';
      state.error = refused;
      await acts.recordPublishStatus({ definitionId: input.definitionId, version: input.version, status: 'invalid' });
      return finish('invalid');
    }
    throw err;
  }
  ownerTenant = draft.tenantId;
  state.digest = draft.digest;
  state.risk = draft.risk;
  state.scope = draft.scope;

  state.status = 'deciding';
  const decision = await acts.decidePublish({ actor: input.requestedBy, draft });
  state.decision = decision;
  if (!decision.allow) {
    state.status = 'denied';
    state.error = { code: 'POLICY_DENIED', message: decision.deny.join('; ') };
    await acts.recordPublishStatus({ definitionId: input.definitionId, version: input.version, status: 'denied', decision });
    return finish('denied');
  }

  // the guardrails (policies/guardrails.rego): a hard rule denies the publish; a soft one
  // holds it until a role the rule names overrides it (the overridePolicy Update)
  let guardrails: StoredGuardrails | undefined;
  if (patched(GUARDRAILS_PATCH)) {
    const gate = Object.assign(state, { overrides: [] as PolicyOverride[] });
    const stored = (): StoredGuardrails => ({ outcome: gate.guardrails!.outcome, decision: gate.guardrails!, overrides: [...gate.overrides] });
    const outcome = await policyGate(
      gate,
      { operation: 'publish', actor: input.requestedBy, definitionId: input.definitionId, version: input.version, ...(decision.visibility ? { visibility: decision.visibility } : {}) },
      {
        requester: input.requestedBy.sub,
        onHold: async () => {
          state.status = 'awaiting_override';
          await acts.recordPublishStatus({ definitionId: input.definitionId, version: input.version, status: 'awaiting_override', decision, guardrails: stored() });
        },
      },
    );
    if (outcome !== 'allow') {
      state.status = 'denied';
      state.error = guardrailError(gate.guardrails!, outcome);
      await acts.recordPublishStatus({ definitionId: input.definitionId, version: input.version, status: 'denied', decision, guardrails: stored() });
      return finish('denied');
    }
    state.status = 'deciding';
    guardrails = stored();
  }

  if (decision.reviewRequired) {
    state.status = 'awaiting_approval';
    await acts.recordPublishStatus({ definitionId: input.definitionId, version: input.version, status: 'awaiting_approval', decision, ...(guardrails ? { guardrails } : {}) });
    const approvals = () => state.approvals.filter((a) => a.decision === 'approve').length;
    const rejected = () => state.approvals.some((a) => a.decision === 'reject');
    await condition(() => rejected() || approvals() >= decision.requiredApprovals);
    if (rejected()) {
      state.status = 'rejected';
      await acts.recordPublishStatus({ definitionId: input.definitionId, version: input.version, status: 'rejected' });
      return finish('rejected');
    }
  }

  state.status = 'publishing';
  try {
    await acts.completePublish({
      definitionId: input.definitionId,
      version: input.version,
      digest: draft.digest,
      decision,
      approvals: state.approvals,
      ...(guardrails ? { guardrails } : {}),
    });
  } catch (err) {
    // A version published below this one during review can make its number disagree with
    // its change kind (VERSION_BUMP_MISMATCH): the publish ends invalid, as at its start.
    // Histories from before this failed the workflow instead; patched() keeps them replaying.
    const refused = inputRefusal(err);
    if (!refused || !patched('publish-complete-refusal-invalid')) throw err;
    state.status = 'invalid';
    state.error = refused;
    await acts.recordPublishStatus({ definitionId: input.definitionId, version: input.version, status: 'invalid' });
    return finish('invalid');
  }
  const { workflowId, runId } = workflowInfo();
  await acts.indexCatalogEntry({ definitionId: input.definitionId, workflowId, runId });
  state.status = 'published';
  // A non-breaking or patch version upgrades the instances whose policy follows it: the
  // activity starts the version's campaign (or says why not: a breaking or first version).
  // The version is published whatever happens here, so a start that keeps failing is given up.
  // A marketplace profile was published internal-only: its review (workflows/review.ts) raises
  // it when it passes, and starts the campaign then. A start that keeps failing is given up
  // here too: the publisher re-requests the review (POST …/review-requests).
  if (isMarketplace(decision.visibility) && patched(REVIEW_START_PATCH)) {
    await campaignStart.startMarketplaceReview({ definitionId: input.definitionId, version: input.version, requestedBy: input.requestedBy }).catch(() => undefined);
  }
  if (patched('publish-starts-upgrade-campaign')) {
    await campaignStart.startUpgradeCampaign({ definitionId: input.definitionId, version: input.version, requestedBy: input.requestedBy }).catch(() => undefined);
  }
  return finish('published');
}
