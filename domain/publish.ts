import type { Actor } from './actor.ts';
import type { Risk, Scope } from './spec.ts';
import type { Visibility } from './access.ts';
import type { PublishOffer } from './marketplace.ts';
import type { RecordedChangeKind } from './change-kind.ts';
import type { GuardrailDecision, PolicyOverride } from './policy-profiles.ts';

/** What the publish policy (policies/publish.rego) decides. Reasons, never a bare boolean. */
export interface PublishDecision {
  allow: boolean;
  reviewRequired: boolean;
  requiredApprovals: number;
  /** why the publish is refused (empty when allowed) */
  deny: string[];
  /** why review is needed (empty when not) */
  reviewReasons: string[];
  /** the marketplace profile the version is published with (absent in decisions made before profiles existed) */
  visibility?: Visibility;
}

export interface ApprovalRecord {
  approver: Actor;
  rationale: string;
  decision: 'approve' | 'reject';
  at: string;
}

export type PublishStatus =
  | 'validating'
  | 'deciding'
  /** held by a soft-mandatory guardrail until a role it names overrides it (POST …/override) */
  | 'awaiting_override'
  | 'awaiting_approval'
  | 'publishing'
  | 'published'
  | 'rejected'
  | 'denied'
  | 'invalid';

export interface PublishInput {
  definitionId: string;
  version: string;
  requestedBy: Actor;
  note?: string;
  /** the profile asked for; default: domain/access.ts defaultVisibility(scope) */
  visibility?: Visibility;
  offer?: PublishOffer;
}

export interface PublishState {
  definitionId: string;
  version: string;
  status: PublishStatus;
  requestedBy: Actor;
  decision?: PublishDecision;
  approvals: ApprovalRecord[];
  digest?: string;
  risk?: Risk;
  scope?: Scope;
  error?: PublishError;
  /** the guardrails' latest decision (policies/guardrails.rego; absent in publishes recorded before them) */
  guardrails?: GuardrailDecision;
  /** the overrides of soft-mandatory guardrails given while the publish was held */
  overrides?: PolicyOverride[];
}

export interface PublishError {
  code: string;
  message: string;
  /** a guardrail denial: one per denying rule (path /policy/<rule id>, its reasons and fix) */
  details?: { path: string; message: string; code: string }[];
}

export type { StoredGuardrails } from './policy-profiles.ts';

export interface PublishResult {
  status: Extract<PublishStatus, 'published' | 'rejected' | 'denied' | 'invalid'>;
  definitionId: string;
  version: string;
  digest?: string;
  decision?: PublishDecision;
  approvals: ApprovalRecord[];
  error?: PublishError;
}

export interface ApproveArgs {
  approver: Actor;
  rationale: string;
}

/** What a draft or the first step of a publish knows about the version. */
export interface DraftSummary {
  definitionId: string;
  version: string;
  tenantId: string;
  digest: string;
  risk: Risk;
  scope: Scope;
  category: string;
  title: string;
  created: boolean;
  /** the profile this publish asks for (set by beginPublish) */
  visibility?: Visibility;
  /** what the version changes against the latest published one below it (set by beginPublish; completePublish records it) */
  change?: { kind: RecordedChangeKind; from?: string };
}
