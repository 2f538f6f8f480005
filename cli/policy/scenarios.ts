import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { VISIBILITY_PROFILES } from '../../domain/access.ts';
import { POLICY_OPERATIONS, POLICY_PROFILES, type GuardrailInput, type GuardrailOutcome, type PolicyProfile } from '../../domain/policy-profiles.ts';

// The policy simulation scenarios (policies/scenarios/*.yaml): each is a GuardrailInput
// (domain/policy-profiles.ts) with a name, a description and the decision it expects. A file
// may hold a `defaults:` block deep-merged under each of its scenarios (objects merge, arrays
// and scalars replace) and any other top-level key for YAML anchors (`<<:` merge keys work).

export const SCENARIO_DIR = 'policies/scenarios';

const risk = z.enum(['low', 'medium', 'high', 'critical']);
const actor = z.strictObject({ sub: z.string().min(1), tenant: z.string().min(1), roles: z.array(z.string()) });

const step = z.strictObject({
  id: z.string().min(1),
  task: z.string().min(1),
  order: z.number().int().min(0),
  side_effects: z.enum(['none', 'read', 'write', 'external', 'unknown']),
  approval: z.boolean(),
  egress_any: z.boolean(),
  data_classes: z.array(z.string()),
  deprecated: z.boolean(),
});

const endpoint = z.strictObject({ parameter: z.string().min(1), host: z.string().min(1), region: z.string(), pii: z.boolean(), steps: z.array(z.string()) });

/** GuardrailInput, strictly: a scenario with a misspelt field fails rather than silently not matching a rule. */
export const guardrailInputSchema = z.strictObject({
  operation: z.enum(POLICY_OPERATIONS),
  tenant: z.string().min(1),
  actor,
  subject: z.strictObject({
    definition_id: z.string().min(1),
    template_id: z.string().min(1).optional(),
    version: z.string().min(1),
    owner_tenant: z.string().min(1),
    risk,
    visibility: z.enum(VISIBILITY_PROFILES),
    visible: z.boolean(),
    certification: z.string().nullable(),
    steps: z.array(step),
    endpoints: z.array(endpoint),
  }),
  from: z.strictObject({ version: z.string().min(1), risk }).optional(),
  target: z.strictObject({ environment: z.string().min(1).optional(), region: z.string().min(1).optional() }).optional(),
  settings: z.strictObject({
    egress_allow: z.array(z.string()),
    region: z.string().nullable(),
    max_external_risk: risk.nullable(),
    critical_runs_per_day: z.number().int().min(0).nullable(),
    business_hours: z
      .strictObject({ days: z.array(z.enum(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])), start_hour: z.number().int().min(0).max(24), end_hour: z.number().int().min(0).max(24), timezone: z.string().min(1) })
      .nullable(),
  }),
  usage: z.strictObject({ critical_runs_today: z.number().int().min(0) }).optional(),
  clock: z.strictObject({ weekday: z.enum(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']), hour: z.number().int().min(0).max(23), minute: z.number().int().min(0).max(59), timezone: z.string().min(1) }).optional(),
  overrides: z.array(z.strictObject({ rule: z.string().min(1), actor, rationale: z.string() })).optional(),
});

const ruleIds = z.array(z.string().min(1)).default([]);

const expectSchema = z.strictObject({
  outcome: z.enum(['allow', 'hold', 'deny']),
  profile: z.enum(POLICY_PROFILES).optional(),
  hard_deny: ruleIds,
  soft_deny: ruleIds,
  advisory: ruleIds,
  overridden: ruleIds,
});

const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a scenario name is lower-case words joined by -'),
  description: z.string().min(1),
  expect: expectSchema,
  ...guardrailInputSchema.shape,
});

export interface Expectation {
  outcome: Exclude<GuardrailOutcome, 'invalid'>;
  profile?: PolicyProfile;
  hard_deny: string[];
  soft_deny: string[];
  advisory: string[];
  overridden: string[];
}

export interface Scenario {
  /** policies/scenarios/<file>.yaml */
  file: string;
  name: string;
  description: string;
  input: GuardrailInput;
  expect: Expectation;
}

export class ScenarioError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** defaults under value: objects merge key by key, anything else in value replaces. */
export function deepMerge(base: unknown, value: unknown): unknown {
  if (!isObject(base) || !isObject(value)) return value === undefined ? base : value;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(value)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Every scenario of every policies/scenarios/*.yaml under `root` (or of `dir`), in file then document order. */
export function loadScenarios(root: string, dir = path.join(root, SCENARIO_DIR)): Scenario[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const scenarios: Scenario[] = [];
  const names = new Map<string, string>();
  for (const f of files) {
    const file = path.relative(root, path.join(dir, f)).split(path.sep).join('/');
    let doc: unknown;
    try {
      doc = parse(readFileSync(path.join(dir, f), 'utf8'), { merge: true, maxAliasCount: 1000 });
    } catch (e) {
      throw new ScenarioError(`${file}: not valid YAML: ${(e as Error).message}`);
    }
    if (!isObject(doc) || !Array.isArray(doc.scenarios)) throw new ScenarioError(`${file}: expected a mapping with a "scenarios" list (and optional "defaults")`);
    const defaults = doc.defaults ?? {};
    if (!isObject(defaults)) throw new ScenarioError(`${file}: "defaults" must be a mapping`);
    doc.scenarios.forEach((raw: unknown, i: number) => {
      const label = isObject(raw) && typeof raw.name === 'string' ? `scenario "${raw.name}"` : `scenario #${i + 1}`;
      const parsed = scenarioSchema.safeParse(deepMerge(defaults, raw));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((is) => `${is.path.join('.') || '(root)'}: ${is.message}`).join('; ');
        throw new ScenarioError(`${file}: ${label} is not a valid scenario: ${issues}`);
      }
      const { name, description, expect, ...input } = parsed.data;
      const other = names.get(name);
      if (other) throw new ScenarioError(`${file}: scenario "${name}" is also defined in ${other}`);
      names.set(name, file);
      scenarios.push({ file, name, description, input: input as GuardrailInput, expect });
    });
  }
  return scenarios;
}
