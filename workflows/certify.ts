import { ActivityFailure, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { parseFailureType } from '../domain/errors.ts';
import type { CertifyInput, CertifyResult, CertifyState } from '../domain/certification.ts';
import { certificationSupersededSignal, certifyStateQuery } from './contracts/certify.ts';

const retry = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' };
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
// the search projection is rebuilt from Postgres at any time: a certification never fails on Typesense
const bestEffort = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { ...retry, maximumAttempts: 3 } });

/** A non-retryable activity failure (a refused input, a conflict) as { code, message }; undefined for anything else. */
function businessFailure(err: unknown): { code: string; message: string } | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) return undefined;
  return { code: parseFailureType(cause.type)?.code ?? cause.type ?? 'FAILED', message: cause.message };
}

/**
 * Certify lifecycle (docs/certification.md): a platform certifier's request → the checklist,
 * each item evaluated by an activity from the version's review, signature, evidence bundle,
 * health and docs → certify.rego decides (certified, a patch's carry-over, or refused) → the
 * certification is recorded (superseding the version's previous one), signed with the
 * platform key, indexed and sealed in a receipt → the workflow sleeps until the
 * certification expires and then marks it overdue ("review overdue" in the catalog and on
 * installs), unless a newer certification of the version superseded it first.
 */
export async function certifyWorkflow(input: CertifyInput): Promise<CertifyResult> {
  const state: CertifyState = { status: 'checking', checklist: [] };
  let supersededBy: string | undefined;
  setHandler(certifyStateQuery, () => state);
  setHandler(certificationSupersededSignal, ({ by }) => {
    supersededBy = by;
  });
  const base = { definitionId: input.definitionId, version: input.version };

  try {
    await acts.beginCertification(input);
  } catch (err) {
    const failure = businessFailure(err);
    if (!failure) throw err;
    // nothing was written: a second certification of the version is being checked, or it is gone
    state.status = 'refused';
    return { status: 'refused', ...base, checklist: [], decision: { outcome: 'refused', reasons: [`${failure.code}: ${failure.message}`] } };
  }

  const gathered = await acts.gatherCertificationChecklist(input);
  state.checklist = gathered.checklist;
  const decision = await acts.decideCertification({ input, checklist: gathered.checklist, facts: gathered.facts });
  const done = await acts.completeCertification({ input, checklist: gathered.checklist, decision });
  state.status = done.status;
  if (done.certifiedAt) state.certifiedAt = done.certifiedAt;
  if (done.expiresAt) state.expiresAt = done.expiresAt;
  if (done.carriedFrom) state.carriedFrom = done.carriedFrom;
  if (done.superseded.length) await acts.notifySupersededCertifications({ workflowIds: done.superseded, definitionId: input.definitionId, version: input.version });
  await bestEffort.refreshTemplateDocument({ definitionId: input.definitionId }).catch(() => undefined);
  const { receiptId } = await acts.sealCertificationReceipt({ input, status: done.status, checklist: gathered.checklist, decision });

  const result: CertifyResult = {
    status: done.status,
    ...base,
    checklist: gathered.checklist,
    decision,
    ...(done.certifiedAt ? { certifiedAt: done.certifiedAt } : {}),
    ...(done.expiresAt ? { expiresAt: done.expiresAt } : {}),
    ...(done.carriedFrom ? { carriedFrom: done.carriedFrom } : {}),
    receiptId,
  };
  if (done.status !== 'certified' || !done.expiresAt) return result;

  // certified: wait for the expiry (or a newer certification of this version)
  const left = Date.parse(done.expiresAt) - Date.now();
  if (left > 0) await condition(() => supersededBy !== undefined, left);
  if (supersededBy !== undefined) {
    state.status = 'superseded';
    return { ...result, status: 'superseded', supersededBy };
  }
  const { status } = await acts.markCertificationOverdue(base);
  state.status = status;
  if (status === 'overdue') await bestEffort.refreshTemplateDocument({ definitionId: input.definitionId }).catch(() => undefined);
  return { ...result, status };
}
