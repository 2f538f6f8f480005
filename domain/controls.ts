/**
 * The control catalog: what a passed marketplace review vouches for, each control resting
 * on named evidence items (domain/trust.ts EvidenceItem ids) of the review lifecycle. The
 * evidence bundle lists every control with whether its evidence satisfied it.
 */
import type { ControlOutcome, EvidenceItem } from './trust.ts';

export interface Control {
  id: string;
  title: string;
  description: string;
  /** the evidence items that must all be ok */
  evidence: string[];
}

export const CONTROLS: readonly Control[] = [
  { id: 'no-literal-secrets', title: 'No literal secrets', description: 'The spec holds no private keys, cloud keys, tokens or password-like values: secrets come from the secret store.', evidence: ['security.literal-secrets'] },
  { id: 'egress-declared-hosts', title: 'Egress limited to declared hosts', description: 'Every host the spec names is allowed by the egress allow-list of the task that may call it.', evidence: ['security.egress-hosts'] },
  { id: 'capabilities-declared', title: 'Capabilities declared', description: 'Every task the spec uses is registered and active, with its capabilities, data classes and secrets declared in its manifest.', evidence: ['security.tasks'] },
  { id: 'publish-policy-allowed', title: 'Publish policy allowed', description: 'The publish policy allowed the version at the profile it asks for.', evidence: ['security.publish-policy'] },
  { id: 'p95-under-budget', title: 'p95 under budget', description: 'The p95 duration of the review runs is within the performance budget.', evidence: ['performance.p95'] },
  { id: 'failure-rate-under-budget', title: 'Failure rate under budget', description: 'The failure rate of the review runs is within the performance budget.', evidence: ['performance.failure-rate'] },
  { id: 'documented-description', title: 'Described', description: 'The version has a description and a readme section.', evidence: ['docs.description', 'docs.readme'] },
  { id: 'documented-parameters', title: 'Documented parameters', description: 'Every parameter has a title or description.', evidence: ['docs.parameters-documented'] },
  { id: 'changelog-present', title: 'Changelog present', description: 'The version says what changed.', evidence: ['docs.changelog'] },
  { id: 'example-present', title: 'Example present', description: 'The version carries an example run input.', evidence: ['docs.example'] },
];

/** Each control with whether the evidence satisfies it (missing evidence: not satisfied). */
export function controlOutcomes(evidence: readonly EvidenceItem[]): ControlOutcome[] {
  const byId = new Map(evidence.map((e) => [e.id, e]));
  return CONTROLS.map((c) => ({
    id: c.id,
    title: c.title,
    satisfied: c.evidence.every((id) => byId.get(id)?.ok === true),
    evidence: [...c.evidence],
  }));
}
