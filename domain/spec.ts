import { z } from 'zod';
import { WORKFLOW_NAME } from './ids.ts';
import { SEMVER } from './semver.ts';

/**
 * The workflow spec document, minimal edition (`maestro.dev/v1`): metadata, parameters,
 * declared secrets and steps. The full format with the task registry arrives with the
 * run engine; this schema is the single declaration used by the API (validation and
 * OpenAPI), the publish workflow's validation activity and the tests.
 */
export const CATEGORIES = ['HR', 'FinOps', 'Security', 'Compliance', 'IT', 'Engineering', 'Other'] as const;
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export const SCOPES = ['global', 'tenant-local'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Risk = (typeof RISKS)[number];
export type Scope = (typeof SCOPES)[number];

const stepId = z.string().regex(/^[a-z][a-zA-Z0-9_-]{0,62}$/, 'must start with a lowercase letter; letters, digits, _ and -');
const taskRef = z
  .string()
  .regex(/^[a-z][a-z0-9.-]*@\d+\.\d+\.\d+$/, 'must be a task reference like "http.request@1.0.0"');

export const SpecMetadata = z.strictObject({
  name: z.string().regex(WORKFLOW_NAME, 'lowercase letters, digits and -, 3–63 characters, starting with a letter'),
  version: z.string().regex(SEMVER, 'must be a semantic version such as 1.2.0'),
  title: z.string().min(1).max(120).optional(),
  description: z.string().min(1).max(2000),
  category: z.enum(CATEGORIES),
  risk: z.enum(RISKS),
  scope: z.enum(SCOPES),
  owner: z.string().min(1).max(120).optional(),
  ownerTeam: z.string().min(1).max(120).optional(),
  tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase tag, up to 40 characters')).max(20).optional(),
  changelog: z.string().max(10000).optional(),
});

export const SpecStep = z.strictObject({
  id: stepId,
  task: taskRef,
  name: z.string().max(200).optional(),
  with: z.record(z.string(), z.unknown()).optional(),
});

export const WorkflowSpec = z
  .strictObject({
    apiVersion: z.literal('maestro.dev/v1'),
    kind: z.literal('Workflow'),
    metadata: SpecMetadata,
    parameters: z.record(z.string(), z.unknown()).optional(),
    secrets: z
      .array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/), description: z.string().max(500).optional() }))
      .max(50)
      .optional(),
    steps: z.array(SpecStep).min(1).max(200),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
      seen.add(s.id);
    });
  });

export type WorkflowSpec = z.infer<typeof WorkflowSpec>;

/** Turns zod issues into `{ path, message }` with JSON Pointer paths. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix = '') {
  const pointer = (path: readonly PropertyKey[]) =>
    prefix + path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: pointer([...i.path, k]), message: `unknown field "${k}"` }))
      : [{ path: pointer(i.path), message: i.message }],
  );
}
