import { ApplicationFailure, asyncLocalStorage } from '@temporalio/activity';
import { fileURLToPath } from 'node:url';
import type { AdapterActivity, AdapterInput } from '../../domain/adapter-io.ts';
import { taskRef, type TaskManifest } from '../../domain/manifest.ts';
import { DomainError } from '../../domain/errors.ts';
import { compileSchema, schemaIssues } from '../../domain/schema-validator.ts';
import { checkHttpUrl, type EgressGuard } from '../../platform/egress.ts';
import { readManifestFile } from '../../platform/registry.ts';

/**
 * The partner's activity. It shares nothing with the core activities: only the adapter
 * contract (domain/adapter-io.ts) and platform helpers (the egress guard, the manifest
 * reader). Its activity type is its task ref, which is how the run engine calls it.
 */
export const MANIFEST_FILE = fileURLToPath(new URL('./manifest.yaml', import.meta.url));

export const loadPartnerManifest = (): TaskManifest => readManifestFile(MANIFEST_FILE);

interface CreateEmployeeInputs {
  hrisUrl: string;
  email: string;
  fullName: string;
  startDate: string;
}

export function createHrisActivities(deps: { guard: EgressGuard; manifest: TaskManifest; timeoutMs?: number }): Record<string, AdapterActivity> {
  const { guard, manifest } = deps;
  const validate = compileSchema(manifest.spec.input);

  async function createEmployee({ inputs, context }: AdapterInput): Promise<{ employeeId: string }> {
    if (!validate(inputs)) {
      const issues = schemaIssues(validate.errors).map((i) => `${i.path || '/'} ${i.message}`);
      throw ApplicationFailure.nonRetryable(`invalid inputs: ${issues.join('; ')}`, 'INPUT_INVALID');
    }
    const i = inputs as unknown as CreateEmployeeInputs;
    const base = i.hrisUrl.endsWith('/') ? i.hrisUrl : `${i.hrisUrl}/`;
    const cancellation = asyncLocalStorage.getStore()?.cancellationSignal;
    const timeout = AbortSignal.timeout(deps.timeoutMs ?? 10_000);
    try {
      const { response } = await guard.fetch(
        checkHttpUrl(new URL('employees', base)),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            // the whole idempotency story: same step, same key, one employee
            'idempotency-key': context.idempotencyKey,
          },
          body: JSON.stringify({ email: i.email, fullName: i.fullName, startDate: i.startDate }),
          signal: cancellation ? AbortSignal.any([timeout, cancellation]) : timeout,
        },
        { tenantId: context.tenantId, manifestAllow: manifest.spec.security.egress.allow },
      );
      const text = await response.text();
      if (response.ok) {
        const body = JSON.parse(text) as { id?: unknown };
        if (typeof body.id !== 'string') throw ApplicationFailure.nonRetryable('the HRIS answered without an employee id', 'HRIS_REJECTED');
        return { employeeId: body.id };
      }
      // never echo the body: it may hold the employee's personal data
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        throw ApplicationFailure.retryable(`the HRIS answered ${response.status}`, 'HRIS_UNAVAILABLE');
      }
      throw ApplicationFailure.nonRetryable(`the HRIS refused the employee (${response.status})`, 'HRIS_REJECTED');
    } catch (e) {
      if (e instanceof DomainError) throw ApplicationFailure.create({ message: e.message, type: e.code, nonRetryable: true });
      if (e instanceof TypeError && e.message === 'fetch failed') throw ApplicationFailure.retryable(`the HRIS is unreachable: ${(e.cause as Error | undefined)?.message ?? e.message}`, 'HRIS_UNREACHABLE');
      if (e instanceof DOMException && e.name === 'TimeoutError') throw ApplicationFailure.retryable('the HRIS did not answer in time', 'HRIS_UNREACHABLE');
      throw e;
    }
  }

  return { [taskRef(manifest)]: createEmployee };
}
