import type { Category, Risk, Scope } from './spec.ts';

/** TypeScript view of domain/schemas/workflow-spec.v1.schema.json. */
export interface RetryOverride {
  maximumAttempts?: number;
  initialInterval?: string;
  backoffCoefficient?: number;
  maximumInterval?: string;
}

export interface TaskStep {
  id: string;
  name?: string;
  task: string;
  with?: Record<string, unknown>;
  when?: string;
  retry?: RetryOverride;
  timeout?: string;
}

export interface ParallelStep {
  id: string;
  name?: string;
  when?: string;
  parallel: Step[];
}

export type Step = TaskStep | ParallelStep;

export const isParallel = (s: Step): s is ParallelStep => Array.isArray((s as ParallelStep).parallel);

export interface SpecV1 {
  apiVersion: 'maestro.dev/v1';
  kind: 'Workflow';
  metadata: {
    name: string;
    version: string;
    title?: string;
    description: string;
    category: Category;
    risk: Risk;
    scope: Scope;
    owner?: string;
    ownerTeam?: string;
    tags?: string[];
    changelog?: string;
  };
  parameters?: { type: 'object'; properties?: Record<string, Record<string, unknown>>; required?: string[]; [k: string]: unknown };
  secrets?: { name: string; description?: string }[];
  steps: Step[];
  /** how installed instances move to this version (issue 11) */
  upgrade?: UpgradeSpec;
}

/** The spec's `upgrade` block: migration of an instance's bindings, smoke run, watch window. */
export interface UpgradeSpec {
  migration?: {
    /** a version range (exact, 1.x, 1.2.x, ^1.2.0, ~1.2.0); default: every older version */
    from?: string;
    /** JSONata over { parameters, secrets, from } yielding { parameters, secrets? } */
    expression: string;
  };
  smoke?: { parameters?: Record<string, unknown>; mode?: 'run' | 'dry-run'; timeout?: string };
  watch?: { window: string; maxFailureRate?: number; minRuns?: number };
}

/** Every task step, depth first, with its JSON Pointer in the document. */
export function walkSteps(steps: Step[], base = '/steps'): { step: Step; pointer: string; group?: string }[] {
  const out: { step: Step; pointer: string; group?: string }[] = [];
  steps.forEach((step, i) => {
    const pointer = `${base}/${i}`;
    out.push({ step, pointer });
    if (isParallel(step)) {
      for (const inner of walkSteps(step.parallel, `${pointer}/parallel`)) out.push({ ...inner, group: inner.group ?? step.id });
    }
  });
  return out;
}
