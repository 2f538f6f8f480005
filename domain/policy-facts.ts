/**
 * The facts of the guardrails' input derived from a spec and its task manifests: each
 * step's effects, egress and data classes, the endpoints a binding gives to which steps,
 * and the wall clock in a tenant's time zone (domain/policy-profiles.ts has the types).
 */
import { isParallel, walkSteps, type SpecV1, type TaskStep } from './spec-types.ts';
import type { TaskManifest, AdapterStatus } from './manifest.ts';
import { analyseExpression, expressionsIn } from './expressions.ts';
import type { EndpointFacts, StepFacts } from './policy-profiles.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A manifest as the step facts need it. */
export interface ManifestFacts {
  manifest: TaskManifest;
  status: AdapterStatus;
}

/** The steps of a spec as the rules see them (a task no longer registered: unknown effects, never "safe"). */
export function stepFacts(spec: Pick<SpecV1, 'steps'>, manifests: Map<string, ManifestFacts>): StepFacts[] {
  const out: StepFacts[] = [];
  for (const { step, pointer } of walkSteps(spec.steps)) {
    if (isParallel(step)) continue;
    const order = Number(pointer.split('/')[2]);
    const m = manifests.get(step.task);
    const name = step.task.split('@')[0];
    const sec = m?.manifest.spec.security;
    let effects: StepFacts['side_effects'] = sec?.sideEffects ?? 'unknown';
    if (effects === 'external' && readsOnly(step)) effects = 'read';
    out.push({
      id: step.id,
      task: step.task,
      order,
      side_effects: effects,
      approval: m ? m.manifest.spec.runtime === 'approval' : name === 'approval',
      egress_any: sec ? sec.egress.allow.includes('*') : false,
      data_classes: sec?.dataClasses ? [...sec.dataClasses] : [],
      deprecated: m?.status === 'deprecated',
    });
  }
  return out;
}

/** An `external` step whose literal `method` is a read method (GET, HEAD, OPTIONS). */
function readsOnly(step: TaskStep): boolean {
  const method = step.with?.method;
  return typeof method === 'string' && READ_METHODS.has(method.toUpperCase());
}

/** The parameters each step reads (through `${{ params.x }}` in its `with` or `when`). */
export function parameterReaders(spec: Pick<SpecV1, 'steps'>): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const { step } of walkSteps(spec.steps)) {
    if (isParallel(step)) continue;
    const exprs = [...expressionsIn(step.with ?? {}).map((e) => e.expr), ...(step.when ? [step.when] : [])];
    for (const expr of exprs) {
      const analysed = analyseExpression(expr);
      if ('error' in analysed) continue;
      for (const r of analysed.references) {
        if (r.root !== 'params' || !r.path[0]) continue;
        const list = readers.get(r.path[0]) ?? [];
        if (!list.includes(step.id)) list.push(step.id);
        readers.set(r.path[0], list);
      }
    }
  }
  return readers;
}

/** Host pattern matching as policies/egress.rego: exact, "*.suffix" or "*". */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return host.endsWith(p.slice(1));
  return p === host;
}

/** The region of a host by a tenant's endpoint_regions (the most specific pattern wins); "" when none matches. */
export function regionOfHost(host: string, endpointRegions: Record<string, string>): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  const matches = Object.entries(endpointRegions)
    .filter(([p]) => hostMatches(p, h))
    .sort(([a], [b]) => (b === h ? 1 : 0) - (a === h ? 1 : 0) || b.length - a.length);
  return matches[0]?.[1] ?? '';
}

/**
 * The endpoints bound by `parameters` (values that are URLs, of parameters the spec marks
 * as endpoints) and the steps that read them.
 */
export function endpointFacts(
  spec: Pick<SpecV1, 'steps' | 'parameters'>,
  steps: StepFacts[],
  parameters: Record<string, unknown>,
  endpointRegions: Record<string, string>,
): EndpointFacts[] {
  const props = spec.parameters?.properties ?? {};
  const readers = parameterReaders(spec);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const out: EndpointFacts[] = [];
  for (const [name, schema] of Object.entries(props)) {
    if (schema?.format !== 'uri' && schema?.format !== 'url') continue;
    const value = name in parameters ? parameters[name] : schema.default;
    if (typeof value !== 'string') continue;
    let host: string;
    try {
      host = new URL(value).hostname.toLowerCase().replace(/^\[|\]$/g, '');
    } catch {
      continue; // not a URL: the binding checks refuse it
    }
    const reading = readers.get(name) ?? [];
    out.push({
      parameter: name,
      host,
      region: regionOfHost(host, endpointRegions),
      pii: reading.some((id) => byId.get(id)?.data_classes.includes('pii')),
      steps: reading,
    });
  }
  return out;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall clock of `at` in a time zone (an unknown zone reads as UTC). */
export function clockIn(at: Date, timezone: string): { weekday: string; hour: number; minute: number; timezone: string } {
  let tz = timezone;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    tz = 'UTC';
    parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const weekday = WEEKDAYS.find((d) => d === get('weekday')) ?? 'Mon';
  return { weekday, hour: Number(get('hour')) % 24, minute: Number(get('minute')), timezone: tz };
}
