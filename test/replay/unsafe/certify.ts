// An *unsafe* edit of the certify lifecycle, without patched(): the policy decides before the
// checklist is gathered (a decision on nothing). A certification recorded before must not
// replay against it.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.ts';
import type { CertifyInput } from '../../../domain/certification.ts';
import { certifyWorkflow as currentCertify } from '../../../workflows/certify.ts';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes' });

export async function certifyWorkflow(input: CertifyInput) {
  await acts.decideCertification({ input, checklist: [], facts: { version: { version: input.version, change_kind: 'initial', risk: 'low' } } });
  return currentCertify(input);
}
