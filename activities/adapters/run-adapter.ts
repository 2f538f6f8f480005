import type { AdapterActivity, AdapterInput } from '../../domain/adapter-io.ts';
import { taskRef, type TaskManifest } from '../../domain/manifest.ts';
import { inputError } from '../../domain/errors.ts';
import { compileSchema, schemaIssues } from '../../domain/schema-validator.ts';
import type { SecretStore } from '../../platform/secrets.ts';
import { toAdapterFailure } from './failures.ts';
import { redactor, resolveSecretInputs } from './secret-inputs.ts';

export interface AdapterRun {
  /** the inputs, with the manifest's secret inputs resolved to their values */
  inputs: Record<string, unknown>;
  context: AdapterInput['context'];
  manifest: TaskManifest;
}

/**
 * The frame every built-in adapter runs in: inputs checked against the manifest's input
 * schema, declared secret inputs resolved for the run's tenant, then the adapter; its
 * output and any failure message are scrubbed of the resolved values before they leave
 * (they would otherwise be recorded in workflow history). Nothing here logs inputs.
 */
export function adapterActivity(manifest: TaskManifest, secrets: SecretStore, run: (r: AdapterRun) => Promise<unknown>): AdapterActivity {
  const ref = taskRef(manifest);
  const validateInputs = compileSchema(manifest.spec.input);
  return async (input: AdapterInput) => {
    let redact = redactor([]);
    try {
      checkContext(ref, input);
      if (!validateInputs(input.inputs)) {
        // paths and rules only: schema messages never quote the (possibly sensitive) values
        const issues = schemaIssues(validateInputs.errors).map((i) => ({ path: `/inputs${i.path}`, message: i.message }));
        throw inputError('INPUT_INVALID', `the inputs do not match the input schema of ${ref}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
      }
      const { inputs, values } = await resolveSecretInputs(manifest, input, secrets);
      redact = redactor(values);
      return redact.deep(await run({ inputs, context: input.context, manifest }));
    } catch (e) {
      // the worker logs the failure it is given: only ever the scrubbed one
      throw toAdapterFailure(e, redact.text);
    }
  };
}

function checkContext(ref: string, input: AdapterInput) {
  const c = input?.context;
  if (!c || !c.tenantId || !c.workflowId || !c.stepId || !c.idempotencyKey || !input.inputs || typeof input.inputs !== 'object') {
    throw inputError('INPUT_INVALID', `${ref} expects { inputs, context: { tenantId, workflowId, runId, stepId, idempotencyKey } }`);
  }
}
