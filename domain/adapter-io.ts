/**
 * The contract between the run engine and an activity-runtime adapter: the activity whose
 * type name is the task ref (e.g. `http.request@1.0.0`) receives one AdapterInput.
 * Only secret references (`secret://<tenantId>/<name>`) ever appear in `inputs`.
 */
export interface AdapterContext {
  tenantId: string;
  workflowId: string;
  runId: string;
  stepId: string;
  /** `${workflowId}/${stepId}`: stable across retries, so side effects happen once */
  idempotencyKey: string;
}

export interface AdapterInput {
  inputs: Record<string, unknown>;
  context: AdapterContext;
}

export type AdapterActivity = (input: AdapterInput) => Promise<unknown>;
