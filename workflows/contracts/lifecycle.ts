/**
 * The typed contract of a lifecycle: everything a starter, an operator and a test need to
 * know about one kind of workflow, in one object. The API starts every lifecycle through
 * one helper (api/lifecycles.ts startLifecycle) that reads these fields, so adding a
 * lifecycle is a checklist:
 *
 * 1. domain/: its input, state and result types (pure).
 * 2. workflows/contracts/<name>.ts: `defineLifecycle({...})` with its updates and queries.
 * 3. workflows/<name>.ts: the workflow, exported from workflows/index.ts.
 * 4. activities/<name>.ts: its activities, added to activities/index.ts.
 * 5. the API route starts it with `startLifecycle(deps, contract, input)`.
 * 6. test/replay/record.ts records a history; test/replay/histories/ keeps it.
 *
 * Imported by workflow code too: no Node or client imports here.
 */
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';

/** The search attributes a lifecycle sets (platform/temporal.ts SA). Never secrets or personal data. */
export interface LifecycleSearchAttributes {
  tenantId?: string;
  templateId?: string;
}

export interface LifecycleContract<I, R> {
  /** the `Lifecycle` search attribute, and the name operators filter by */
  lifecycle: string;
  /** the workflow function's exported name */
  workflowType: string;
  /**
   * The workflow id: one lifecycle per business key, so a retried request joins it. `key`
   * is a caller-chosen discriminator for lifecycles that may run many times (a request id).
   */
  workflowId: (input: I, key?: string) => string;
  searchAttributes: (input: I) => LifecycleSearchAttributes;
  /**
   * What a start does when the id is taken: `join` a running one (USE_EXISTING), or `fail`
   * (WorkflowExecutionAlreadyStartedError; the caller decides).
   */
  onRunning: 'join' | 'fail';
  /** Whether a closed lifecycle with the same id may start again. */
  afterClosed: 'allow' | 'reject';
  /** Non-secret facts shown in the Temporal Web UI's list (memo). */
  memo?: (input: I) => Record<string, unknown>;
  updates?: Record<string, UpdateDefinition<unknown, never[]>>;
  queries?: Record<string, QueryDefinition<unknown, never[]>>;
  /** phantom: the result type, for `startLifecycle(...).result()` */
  readonly _result?: R;
}

export const defineLifecycle = <I, R>(c: LifecycleContract<I, R>): LifecycleContract<I, R> => c;
