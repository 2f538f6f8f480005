import { analyseExpression, analyseMigration, CONTEXT_ROOTS, expressionsIn, hasExpression } from './expressions.ts';
import { parseTaskRef, type RegistryView, type TaskManifest } from './manifest.ts';
import { compileSchema, schemaHazards, schemaIssues, validateSpecSchema } from './schema-validator.ts';
import { isParallel, walkSteps, type SpecV1, type Step, type TaskStep } from './spec-types.ts';
import type { SourcePosition } from './spec-source.ts';
import { isVersionRange } from './upgrade.ts';

export type IssueCode =
  | 'SCHEMA'
  | 'INVALID_PARAMETER_SCHEMA'
  | 'DUPLICATE_STEP_ID'
  | 'UNKNOWN_TASK'
  | 'TASK_VERSION_NOT_REGISTERED'
  | 'TASK_RETIRED'
  | 'TASK_DEPRECATED'
  | 'UNKNOWN_INPUT'
  | 'MISSING_INPUT'
  | 'INPUT_MISMATCH'
  | 'SECRET_LITERAL'
  | 'EXPRESSION_SYNTAX'
  | 'EXPRESSION_NOT_ALLOWED'
  | 'UNKNOWN_REFERENCE'
  | 'UNDEFINED_PARAMETER'
  | 'UNDEFINED_STEP'
  | 'UNDEFINED_STEP_OUTPUT'
  | 'STEP_NOT_BEFORE'
  | 'CYCLE'
  | 'UNDECLARED_SECRET'
  | 'INVALID_VERSION_RANGE';

export interface Issue {
  code: IssueCode;
  severity: 'error' | 'warning';
  /** JSON Pointer into the document */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export interface SpecValidation {
  valid: boolean;
  errors: Issue[];
  /** deprecated tasks: allowed in drafts and runs, but they block marketplace publication */
  warnings: Issue[];
  spec?: SpecV1;
  /** the task references used, resolved or not */
  taskRefs: string[];
}

/** The task references of a document, read tolerantly (before or without schema validation). */
export function collectTaskRefs(doc: unknown): string[] {
  const steps = (doc as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) return [];
  const refs = new Set<string>();
  const visit = (list: unknown[]) => {
    for (const s of list) {
      if (s && typeof s === 'object') {
        const t = (s as { task?: unknown }).task;
        if (typeof t === 'string') refs.add(t);
        const p = (s as { parallel?: unknown }).parallel;
        if (Array.isArray(p)) visit(p);
      }
    }
  };
  visit(steps);
  return [...refs];
}

const isSecretInput = (m: TaskManifest, input: string) => (m.spec.secrets ?? []).some((s) => s.input === input);

/**
 * Validates a workflow spec against its JSON Schema and the task registry. Every issue
 * names its path (JSON Pointer; line and column when `locate` is given).
 */
export function validateSpec(doc: unknown, registry: RegistryView, locate?: (pointer: string) => SourcePosition | undefined): SpecValidation {
  const issues: Issue[] = [];
  const add = (code: IssueCode, path: string, message: string, severity: Issue['severity'] = 'error') => {
    const pos = locate?.(path);
    issues.push({ code, severity, path, message, ...(pos ? { line: pos.line, column: pos.column } : {}) });
  };
  const taskRefs = collectTaskRefs(doc);
  const done = (spec?: SpecV1): SpecValidation => {
    const errors = issues.filter((i) => i.severity === 'error');
    return { valid: errors.length === 0, errors, warnings: issues.filter((i) => i.severity === 'warning'), ...(spec ? { spec } : {}), taskRefs };
  };

  if (!validateSpecSchema(doc)) {
    for (const i of schemaIssues(validateSpecSchema.errors)) add('SCHEMA', i.path, i.message);
    return done();
  }
  const spec = doc as SpecV1;

  const params = spec.parameters;
  if (params) {
    const hazards = schemaHazards(params);
    for (const h of hazards) add('INVALID_PARAMETER_SCHEMA', `/parameters${h.path}`, h.message);
    // compiled only without hazards: compiling registers an $id in the validator all tenants share
    if (!hazards.length) {
      try {
        compileSchema(params);
      } catch (e) {
        add('INVALID_PARAMETER_SCHEMA', '/parameters', (e as Error).message);
      }
    }
  }
  const paramNames = new Set(Object.keys(params?.properties ?? {}));
  const secretNames = new Set((spec.secrets ?? []).map((s) => s.name));

  // order: a step may read the steps of earlier top-level positions, never its parallel siblings
  const all = walkSteps(spec.steps);
  const byId = new Map<string, { step: Step; pointer: string; order: number; group?: string }>();
  for (const { step, pointer, group } of all) {
    const order = Number(pointer.split('/')[2]); // the top-level position the step belongs to
    if (byId.has(step.id)) add('DUPLICATE_STEP_ID', `${pointer}/id`, `duplicate step id "${step.id}"`);
    else byId.set(step.id, { step, pointer, order, ...(group ? { group } : {}) });
  }

  const manifests = new Map<string, TaskManifest>();
  for (const { step, pointer } of all) {
    if (isParallel(step)) continue;
    const ref = parseTaskRef(step.task)!;
    const entry = registry.get(ref.name, ref.version);
    if (!entry) {
      const versions = registry.versions(ref.name);
      if (versions.length) add('TASK_VERSION_NOT_REGISTERED', `${pointer}/task`, `${ref.name} has no version ${ref.version}; registered: ${versions.join(', ')}`);
      else add('UNKNOWN_TASK', `${pointer}/task`, `no task "${ref.name}" is registered`);
      continue;
    }
    const hint = entry.replacement ? `; use ${entry.replacement} instead` : '';
    if (entry.status === 'retired') {
      add('TASK_RETIRED', `${pointer}/task`, `${step.task} is retired and can no longer run${hint}`);
      continue;
    }
    if (entry.status === 'deprecated') add('TASK_DEPRECATED', `${pointer}/task`, `${step.task} is deprecated${hint}`, 'warning');
    if (!manifests.has(step.id)) manifests.set(step.id, entry.manifest);
    checkInputs(step, pointer, entry.manifest);
  }

  function checkInputs(step: TaskStep, pointer: string, m: TaskManifest) {
    const schema = m.spec.input as { properties?: Record<string, object>; required?: string[]; additionalProperties?: unknown };
    const given = step.with ?? {};
    for (const [key, value] of Object.entries(given)) {
      const at = `${pointer}/with/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const prop = schema.properties?.[key];
      if (!prop) {
        if (schema.additionalProperties === false) {
          const known = Object.keys(schema.properties ?? {});
          add('UNKNOWN_INPUT', at, `${step.task} has no input "${key}"${known.length ? `; its inputs: ${known.join(', ')}` : ''}`);
        }
        continue;
      }
      if (isSecretInput(m, key) && typeof value === 'string' && !hasExpression(value)) {
        add('SECRET_LITERAL', at, `"${key}" carries a secret: bind it with \${{ secrets.<name> }}, never write its value into the spec`);
        continue;
      }
      if (hasExpression(value)) continue; // known only at run time
      const check = compileSchema(prop);
      if (!check(value)) {
        for (const i of schemaIssues(check.errors)) add('INPUT_MISMATCH', at + i.path, `input "${key}" ${i.message}`);
      }
    }
    for (const req of schema.required ?? []) {
      if (!(req in given)) add('MISSING_INPUT', `${pointer}/with`, `${step.task} requires the input "${req}"`);
    }
  }

  // references inside expressions
  const edges = new Map<string, Set<string>>();
  const checkExpression = (owner: { step: Step; order: number; group?: string }, at: string, expr: string) => {
    const analysed = analyseExpression(expr);
    if ('error' in analysed) {
      add(analysed.error.forbidden ? 'EXPRESSION_NOT_ALLOWED' : 'EXPRESSION_SYNTAX', at, `expression "${expr}": ${analysed.error.message}`);
      return;
    }
    for (const r of analysed.references) {
      if (!(CONTEXT_ROOTS as readonly string[]).includes(r.root)) {
        add('UNKNOWN_REFERENCE', at, `"${r.root}" is not defined: expressions read params, steps, secrets and run`);
      } else if (r.root === 'params') {
        if (r.path[0] && !paramNames.has(r.path[0])) add('UNDEFINED_PARAMETER', at, `parameter "${r.path[0]}" is not defined in parameters.properties`);
      } else if (r.root === 'secrets') {
        if (r.path[0] && !secretNames.has(r.path[0])) add('UNDECLARED_SECRET', at, `secret "${r.path[0]}" is not declared in secrets`);
      } else if (r.root === 'steps' && r.path[0]) {
        const targetId = r.path[0];
        const target = byId.get(targetId);
        if (!target) {
          add('UNDEFINED_STEP', at, `there is no step "${targetId}"`);
          continue;
        }
        if (!edges.has(owner.step.id)) edges.set(owner.step.id, new Set());
        edges.get(owner.step.id)!.add(targetId);
        if (isParallel(target.step)) {
          add('UNDEFINED_STEP_OUTPUT', at, `"${targetId}" is a parallel group and has no output; refer to one of its steps`);
          continue;
        }
        const runsBefore = target.order < owner.order && !(target.group && target.group === owner.group);
        if (!runsBefore && targetId !== owner.step.id) pendingOrder.push({ at, from: owner.step.id, to: targetId, sibling: !!owner.group && owner.group === target.group && target.order === owner.order });
        if (targetId === owner.step.id) add('CYCLE', at, `step "${targetId}" refers to its own output`);
        if (r.path[1] !== undefined && r.path[1] !== 'output') {
          add('UNDEFINED_STEP_OUTPUT', at, `steps.${targetId} has only ".output"`);
          continue;
        }
        const out = manifests.get(targetId)?.spec.output as { properties?: Record<string, unknown>; additionalProperties?: unknown } | undefined;
        const field = r.path[2];
        if (field && out?.properties && !(field in out.properties)) {
          add('UNDEFINED_STEP_OUTPUT', at, `${(target.step as TaskStep).task} has no output "${field}"; its outputs: ${Object.keys(out.properties).join(', ')}`);
        }
      }
    }
  };
  const pendingOrder: { at: string; from: string; to: string; sibling: boolean }[] = [];
  for (const entry of byId.values()) {
    const { step, pointer } = entry;
    if (step.when) checkExpression(entry, `${pointer}/when`, step.when);
    if (!isParallel(step)) for (const e of expressionsIn(step.with ?? {}, `${pointer}/with`)) checkExpression(entry, e.pointer, e.expr);
  }

  // the upgrade block: a migration is tenant code, refused here when it could never run
  const migration = spec.upgrade?.migration;
  if (migration) {
    const problem = analyseMigration(migration.expression);
    if (problem) add(problem.forbidden ? 'EXPRESSION_NOT_ALLOWED' : 'EXPRESSION_SYNTAX', '/upgrade/migration/expression', `migration: ${problem.message}`);
    if (migration.from !== undefined && !isVersionRange(migration.from)) {
      add('INVALID_VERSION_RANGE', '/upgrade/migration/from', `"${migration.from}" is not a version range: an exact version, 1.x, 1.2.x, ^1.2.0 or ~1.2.0`);
    }
  }
  for (const name of Object.keys(spec.upgrade?.smoke?.parameters ?? {})) {
    if (!paramNames.has(name)) add('UNDEFINED_PARAMETER', `/upgrade/smoke/parameters/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, `parameter "${name}" is not defined in parameters.properties`);
  }

  const cycle = findCycle(edges);
  if (cycle) {
    const first = byId.get(cycle[0]!)!;
    add('CYCLE', first.pointer, `steps ${cycle.join(' → ')} depend on each other in a cycle`);
  }
  for (const p of pendingOrder) {
    if (cycle?.includes(p.from) && cycle.includes(p.to)) continue;
    add(
      'STEP_NOT_BEFORE',
      p.at,
      p.sibling ? `steps "${p.from}" and "${p.to}" run in parallel: one cannot read the other's output` : `step "${p.to}" does not run before "${p.from}"`,
    );
  }
  return done(spec);
}

function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const dfs = (n: string): string[] | undefined => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (m === n) continue;
      if (state.get(m) === 'visiting') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = dfs(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    if (!state.has(n)) {
      const c = dfs(n);
      if (c) return c;
    }
  }
  return undefined;
}
