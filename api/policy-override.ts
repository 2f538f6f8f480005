/**
 * The override of a soft-mandatory guardrail, as every lifecycle's API takes it:
 * `POST …/override` with `{ rule, rationale }` (schemas: api/guardrail-schemas.ts). The
 * actor is the authenticated token's, never the body's. The lifecycle's `overridePolicy`
 * Update decides (its validator refuses at once, the policy decides whether the override
 * counts); its refusals map to the API's errors with their stable codes
 * (api/temporal-errors.ts).
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Actor } from '../domain/actor.ts';
import { conflict } from '../domain/errors.ts';
import type { GuardrailDecision } from '../domain/policy-profiles.ts';
import { overridePolicyUpdate } from '../workflows/contracts/policy.ts';
import { overrideActor } from './guardrail-schemas.ts';
import { updateOpenWorkflow } from './temporal-errors.ts';

/** Sends the override Update to a lifecycle held for it; a closed lifecycle answers NOT_HELD with `closedMessage`. */
export async function sendOverride(
  handle: WorkflowHandle,
  actor: Actor,
  body: { rule: string; rationale: string },
  closedMessage = 'the lifecycle has ended: there is nothing to override',
): Promise<GuardrailDecision> {
  try {
    return await updateOpenWorkflow(
      () => handle.executeUpdate(overridePolicyUpdate, { args: [{ rule: body.rule, rationale: body.rationale, actor: overrideActor(actor) }] }),
      'NOT_HELD',
      closedMessage,
    );
  } catch (e) {
    // before its gate (or after it) the lifecycle has no override handler: nothing is held
    if (e instanceof WorkflowUpdateFailedError && /no registered handler|unknown update|not found/i.test(`${e.message} ${(e.cause as Error | undefined)?.message ?? ''}`)) {
      throw conflict('NOT_HELD', 'the lifecycle is not held by a guardrail');
    }
    throw e;
  }
}
