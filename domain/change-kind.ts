/**
 * Change classification (issue 11): what a new version changes for the instances installed
 * from an older one, computed from the two specs — never declared by the author.
 *
 * `classifyChange(previous, next)` is pure, deterministic and bounded (it runs in the API, in
 * activities and in the Switchboard): every reason has a stable rule id, its kind, a JSON
 * Pointer and a message; the change's kind is the most severe kind among its reasons.
 * `bumpAgreement(previousVersion, nextVersion, kind)` says why a version number disagrees
 * with a computed kind. The rules and their reasons are in docs/adr/0006.
 */
import { canonicalJson } from './canonical-json.ts';
import { parseTaskRef } from './manifest.ts';
import { compareSemver, SEMVER } from './semver.ts';
import { RISKS } from './spec.ts';
import { isParallel, walkSteps, type SpecV1, type Step, type TaskStep } from './spec-types.ts';

/** breaking: installs must change (or migrate) their bindings; non-breaking: they keep working; patch: docs only. */
export type ChangeKind = 'breaking' | 'non-breaking' | 'patch';

export const CHANGE_KINDS: readonly ChangeKind[] = ['breaking', 'non-breaking', 'patch'];

/** What a published version records: `initial` for the first published version of a definition. */
export type RecordedChangeKind = ChangeKind | 'initial';
export const RECORDED_CHANGE_KINDS: readonly RecordedChangeKind[] = ['initial', ...CHANGE_KINDS];

/** One computed reason; the kind of a change is the most severe kind among its reasons. */
export interface ChangeReason {
  /** a stable rule id (CHANGE_RULES) */
  rule: ChangeRule;
  kind: ChangeKind;
  /** JSON Pointer into the new spec (or the old one for something removed) */
  pointer: string;
  message: string;
}

export interface ChangeClassification {
  kind: ChangeKind;
  /** the version compared against (the latest published version before this one) */
  from: string;
  reasons: ChangeReason[];
}

/** What a published version's listing says of its change (absent on drafts and versions published before issue 11). */
export interface VersionChangeFields {
  changeKind?: RecordedChangeKind;
  /** the version it was compared with (absent for `initial`) */
  changeFrom?: string;
  changeReasons?: ChangeReason[];
}

/** Every rule and the kind it gives. The ids are part of the public API (API, Switchboard, docs). */
export const CHANGE_RULES = {
  // breaking: an install's bindings or its runs' results no longer fit
  'parameter-removed': 'breaking',
  'parameter-renamed': 'breaking',
  'parameter-required': 'breaking',
  'type-narrowed': 'breaking',
  'constraint-narrowed': 'breaking',
  'enum-value-removed': 'breaking',
  'schema-changed': 'breaking',
  'secret-required': 'breaking',
  'endpoint-required': 'breaking',
  'task-replaced': 'breaking',
  'task-major-raised': 'breaking',
  'task-major-lowered': 'breaking',
  'output-removed': 'breaking',
  'risk-raised': 'breaking',
  'name-changed': 'breaking',
  // non-breaking: installs keep working unchanged, behaviour may differ
  'parameter-added': 'non-breaking',
  'parameter-optional': 'non-breaking',
  'default-changed': 'non-breaking',
  'type-widened': 'non-breaking',
  'constraint-widened': 'non-breaking',
  'enum-value-added': 'non-breaking',
  'secret-removed': 'non-breaking',
  'step-added': 'non-breaking',
  'step-changed': 'non-breaking',
  'steps-reordered': 'non-breaking',
  'task-minor-changed': 'non-breaking',
  'risk-raised-minor': 'non-breaking',
  'scope-changed': 'non-breaking',
  // patch: what people read, not what runs
  docs: 'patch',
  'task-patch-changed': 'patch',
  'risk-lowered': 'patch',
  'upgrade-changed': 'patch',
  // more reasons than are listed; its kind is the most severe of those left out
  truncated: 'patch',
} as const satisfies Record<string, ChangeKind>;

export type ChangeRule = keyof typeof CHANGE_RULES;

/** Bounds: how deep nested parameter schemas are compared, how many nodes, how many reasons are listed. */
export const CHANGE_LIMITS = {
  schemaDepth: 8,
  schemaNodes: 2_000,
  reasons: 200,
  valueChars: 60,
  listedValues: 5,
} as const;

const SEVERITY: Record<ChangeKind, number> = {
  breaking: 2,
  'non-breaking': 1,
  patch: 0,
};

/** The most severe of some kinds; `patch` for none. */
export const mostSevere = (kinds: Iterable<ChangeKind>): ChangeKind => {
  let out: ChangeKind = 'patch';
  for (const k of kinds) if (SEVERITY[k] > SEVERITY[out]) out = k;
  return out;
};

type Schema = Record<string, unknown>;

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isObj = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);
const same = (a: unknown, b: unknown) => safeJson(a) === safeJson(b);
function safeJson(v: unknown): string {
  try {
    return v === undefined ? '' : canonicalJson(v);
  } catch {
    return String(v);
  }
}
/** A value in a message: short, so a reason never carries a whole tenant document. */
const show = (v: unknown) => {
  const s = safeJson(v);
  return s.length > CHANGE_LIMITS.valueChars ? `${s.slice(0, CHANGE_LIMITS.valueChars - 1)}…` : s;
};
const showList = (vs: unknown[]) =>
  vs.slice(0, CHANGE_LIMITS.listedValues).map(show).join(', ') + (vs.length > CHANGE_LIMITS.listedValues ? ` and ${vs.length - CHANGE_LIMITS.listedValues} more` : '');

/** Keywords that only describe: a change is a docs change. */
const ANNOTATIONS = new Set(['description', 'title', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly']);
/** Upper bounds: lower is narrower. */
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
/** Lower bounds: higher is narrower. */
const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
/** Keywords any change of which narrows (adding them narrows, removing them widens). */
const RESTRICTING = ['pattern', 'format', 'multipleOf'];
/** Keywords the comparison understands; any other keyword that differs is `schema-changed`. */
const HANDLED = new Set([...ANNOTATIONS, ...UPPER, ...LOWER, ...RESTRICTING, 'type', 'enum', 'const', 'default', 'properties', 'required', 'items', 'uniqueItems', 'additionalProperties']);

const isEndpoint = (p: unknown) => isObj(p) && (p.format === 'uri' || p.format === 'url');
const hasDefault = (p: unknown) => isObj(p) && 'default' in p && p.default !== undefined;
const requiredSet = (s: Schema) => new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
const propsOf = (s: Schema): Record<string, unknown> => (isObj(s.properties) ? s.properties : {});
/** A parameter an install must bind: required and without a default (as domain/marketplace.ts templateBindings). */
const needsBinding = (parent: Schema, name: string) => requiredSet(parent).has(name) && !hasDefault(propsOf(parent)[name]);

/** The types a schema accepts (undefined: any), with integer implied by number. */
function typesOf(s: Schema): Set<string> | undefined {
  const t = s.type;
  if (typeof t === 'string') return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === 'string'));
  return undefined;
}
const accepts = (types: Set<string> | undefined, t: string) => !types || types.has(t) || (t === 'integer' && types.has('number'));

/** The reasons collector: bounded work, deterministic order. */
class Reasons {
  readonly list: ChangeReason[] = [];
  nodes = 0;
  add(rule: ChangeRule, pointer: string, message: string) {
    this.list.push({ rule, kind: CHANGE_RULES[rule], pointer, message });
  }
}

/**
 * Compare two parameter schemas (a node of the parameters tree). `top` marks the spec's
 * top-level parameters object, whose properties are an install's bindings.
 */
function compareSchema(prev: Schema, next: Schema, at: string, depth: number, r: Reasons, top = false): void {
  r.nodes++;
  if (depth > CHANGE_LIMITS.schemaDepth || r.nodes > CHANGE_LIMITS.schemaNodes) {
    if (!same(prev, next)) r.add('schema-changed', at, `changed deeper than can be compared (depth ${CHANGE_LIMITS.schemaDepth}, ${CHANGE_LIMITS.schemaNodes} schemas): treated as breaking`);
    return;
  }

  // type
  const pt = typesOf(prev);
  const nt = typesOf(next);
  if (!same(prev.type, next.type)) {
    const lost = pt ? [...pt].filter((t) => !accepts(nt, t)) : nt ? ['any'] : [];
    const gained = nt ? [...nt].filter((t) => !accepts(pt, t)) : pt ? ['any'] : [];
    if (lost.length) r.add('type-narrowed', `${at}/type`, `no longer accepts ${lost.join(', ')} (type ${show(prev.type ?? 'any')} → ${show(next.type ?? 'any')})`);
    else if (gained.length || !nt) r.add('type-widened', `${at}/type`, `type ${show(prev.type ?? 'any')} → ${show(next.type ?? 'any')}`);
  }

  // enum and const: the allowed values
  const allowed = (s: Schema): unknown[] | undefined => (Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined);
  const pe = allowed(prev);
  const ne = allowed(next);
  if (pe && ne) {
    const pk = new Set(pe.map(safeJson));
    const nk = new Set(ne.map(safeJson));
    const removed = pe.filter((v) => !nk.has(safeJson(v)));
    const added = ne.filter((v) => !pk.has(safeJson(v)));
    if (removed.length) r.add('enum-value-removed', `${at}/${Array.isArray(next.enum) ? 'enum' : 'const'}`, `no longer allows ${showList(removed)}`);
    if (added.length) r.add('enum-value-added', `${at}/${Array.isArray(next.enum) ? 'enum' : 'const'}`, `now also allows ${showList(added)}`);
  } else if (ne) {
    r.add('constraint-narrowed', `${at}/${Array.isArray(next.enum) ? 'enum' : 'const'}`, `now only allows ${showList(ne)}`);
  } else if (pe) {
    r.add('constraint-widened', `${at}/${Array.isArray(prev.enum) ? 'enum' : 'const'}`, `no longer limited to ${showList(pe)}`);
  }

  // numeric bounds
  const bound = (kw: string, upper: boolean) => {
    const a = prev[kw];
    const b = next[kw];
    if (same(a, b)) return;
    const an = typeof a === 'number' ? a : undefined;
    const bn = typeof b === 'number' ? b : undefined;
    const narrower = bn !== undefined && (an === undefined || (upper ? bn < an : bn > an));
    r.add(narrower ? 'constraint-narrowed' : 'constraint-widened', `${at}/${kw}`, `${kw} ${an ?? 'none'} → ${bn ?? 'none'}`);
  };
  for (const kw of UPPER) bound(kw, true);
  for (const kw of LOWER) bound(kw, false);

  for (const kw of RESTRICTING) {
    if (same(prev[kw], next[kw])) continue;
    if (next[kw] === undefined) r.add('constraint-widened', `${at}/${kw}`, `${kw} ${show(prev[kw])} removed`);
    else r.add('constraint-narrowed', `${at}/${kw}`, prev[kw] === undefined ? `${kw} ${show(next[kw])} added` : `${kw} ${show(prev[kw])} → ${show(next[kw])}`);
  }

  if (!same(prev.uniqueItems, next.uniqueItems)) {
    r.add(next.uniqueItems === true ? 'constraint-narrowed' : 'constraint-widened', `${at}/uniqueItems`, `uniqueItems ${show(prev.uniqueItems ?? false)} → ${show(next.uniqueItems ?? false)}`);
  }

  // additionalProperties: true/absent accept anything; false accepts nothing; a schema is compared as a schema
  if (!same(prev.additionalProperties, next.additionalProperties)) {
    const pa = prev.additionalProperties;
    const na = next.additionalProperties;
    const open = (v: unknown) => v === undefined || v === true;
    if (open(na)) r.add('constraint-widened', `${at}/additionalProperties`, 'now accepts any other property');
    else if (na === false) r.add('constraint-narrowed', `${at}/additionalProperties`, 'no longer accepts other properties');
    else if (isObj(pa) && isObj(na)) compareSchema(pa, na, `${at}/additionalProperties`, depth + 1, r);
    else r.add('constraint-narrowed', `${at}/additionalProperties`, 'other properties are now constrained');
  }

  // items (one schema for every item; tuple forms are compared whole)
  if (!same(prev.items, next.items)) {
    if (isObj(prev.items) && isObj(next.items)) compareSchema(prev.items, next.items, `${at}/items`, depth + 1, r);
    else if (next.items === undefined || next.items === true) r.add('constraint-widened', `${at}/items`, 'items no longer constrained');
    else r.add('schema-changed', `${at}/items`, 'items changed in a way that cannot be compared: treated as breaking');
  }

  if (!same(prev.default, next.default)) {
    const ph = 'default' in prev;
    const nh = 'default' in next;
    r.add(
      'default-changed',
      `${at}/default`,
      ph && nh ? `default ${show(prev.default)} → ${show(next.default)}` : nh ? `default ${show(next.default)} added` : `default ${show(prev.default)} removed`,
    );
  }

  // annotations
  for (const kw of [...ANNOTATIONS].sort()) {
    if (!same(prev[kw], next[kw])) r.add('docs', `${at}/${esc(kw)}`, `${kw} changed`);
  }

  // keywords this comparison does not understand: conservative
  const others = [...new Set([...Object.keys(prev), ...Object.keys(next)])].filter((k) => !HANDLED.has(k)).sort();
  for (const kw of others) {
    if (!same(prev[kw], next[kw])) r.add('schema-changed', `${at}/${esc(kw)}`, `${kw} changed; its effect on existing bindings cannot be computed: treated as breaking`);
  }

  compareProperties(prev, next, at, depth, r, top);
}

/** The object's properties: removed, renamed, added, newly required, and each one compared. */
function compareProperties(prev: Schema, next: Schema, at: string, depth: number, r: Reasons, top: boolean): void {
  const pp = propsOf(prev);
  const np = propsOf(next);
  const what = top ? 'parameter' : 'property';
  const removed = Object.keys(pp)
    .filter((k) => !(k in np))
    .sort();
  const added = Object.keys(np)
    .filter((k) => !(k in pp))
    .sort();

  // a rename: a removed and an added property with the same schema (descriptions aside)
  const shape = (s: unknown) => (isObj(s) ? safeJson(Object.fromEntries(Object.entries(s).filter(([k]) => !ANNOTATIONS.has(k)))) : safeJson(s));
  const renamedTo = new Map<string, string>();
  const taken = new Set<string>();
  for (const old of removed) {
    const to = added.find((n) => !taken.has(n) && shape(pp[old]) === shape(np[n]));
    if (to !== undefined) {
      renamedTo.set(old, to);
      taken.add(to);
    }
  }

  for (const name of removed) {
    const to = renamedTo.get(name);
    if (to !== undefined) r.add('parameter-renamed', `${at}/properties/${esc(to)}`, `${what} "${name}" renamed to "${to}": bindings of "${name}" are no longer used`);
    else r.add('parameter-removed', `${at}/properties/${esc(name)}`, `${what} "${name}" removed: bindings of it are refused or ignored`);
  }

  for (const name of added) {
    if (taken.has(name)) continue;
    const p = np[name];
    const pointer = `${at}/properties/${esc(name)}`;
    if (top && isEndpoint(p) && (needsBinding(next, name) || hasDefault(p))) {
      r.add('endpoint-required', pointer, `new endpoint "${name}": each install must bind (or allow) a URL its tenant's egress policy accepts`);
    } else if (needsBinding(next, name)) {
      r.add('parameter-required', pointer, `new required ${what} "${name}" without a default: existing bindings lack it`);
    } else {
      r.add('parameter-added', pointer, `new optional ${what} "${name}"`);
    }
  }

  for (const name of Object.keys(np)
    .filter((k) => k in pp)
    .sort()) {
    const pointer = `${at}/properties/${esc(name)}`;
    const before = needsBinding(prev, name);
    const after = needsBinding(next, name);
    if (top && isEndpoint(np[name]) && !isEndpoint(pp[name])) {
      r.add('endpoint-required', pointer, `"${name}" is now an endpoint: its value must pass each install's egress policy`);
    }
    if (!before && after) r.add('parameter-required', `${at}/required`, `${what} "${name}" is now required without a default`);
    else if (before && !after) r.add('parameter-optional', pointer, `${what} "${name}" is no longer required`);
    const a = pp[name];
    const b = np[name];
    if (isObj(a) && isObj(b)) compareSchema(a, b, pointer, depth + 1, r);
    else if (!same(a, b)) r.add('schema-changed', pointer, `${what} "${name}" changed in a way that cannot be compared: treated as breaking`);
  }
}

function compareSecrets(prev: SpecV1, next: SpecV1, r: Reasons): void {
  const ps = prev.secrets ?? [];
  const ns = next.secrets ?? [];
  const pn = new Map(ps.map((s, i) => [s.name, { s, i }]));
  const nn = new Map(ns.map((s, i) => [s.name, { s, i }]));
  ns.forEach((s, i) => {
    const old = pn.get(s.name);
    if (!old) r.add('secret-required', `/secrets/${i}`, `new secret "${s.name}": each install must bind one of its tenant's secrets`);
    else if (!same(old.s.description, s.description)) r.add('docs', `/secrets/${i}/description`, `description of secret "${s.name}" changed`);
  });
  ps.forEach((s, i) => {
    if (!nn.has(s.name)) r.add('secret-removed', `/secrets/${i}`, `secret "${s.name}" no longer used: its bindings are ignored`);
  });
}

const STEP_FIELDS = ['with', 'when', 'retry', 'timeout'] as const;

function compareTask(id: string, a: string, b: string, pointer: string, r: Reasons): void {
  if (a === b) return;
  const pa = parseTaskRef(a);
  const pb = parseTaskRef(b);
  const va = pa && SEMVER.exec(pa.version);
  const vb = pb && SEMVER.exec(pb.version);
  if (!pa || !pb || !va || !vb || pa.name !== pb.name) {
    r.add('task-replaced', pointer, `step "${id}" calls ${show(b)} instead of ${show(a)}: its inputs and output may differ`);
    return;
  }
  const [ma, mb] = [BigInt(va[1]!), BigInt(vb[1]!)];
  if (mb > ma) r.add('task-major-raised', pointer, `step "${id}": ${pa.name} ${pa.version} → ${pb.version} (new major: its output may differ)`);
  else if (mb < ma) r.add('task-major-lowered', pointer, `step "${id}": ${pa.name} ${pa.version} → ${pb.version} (another major: its output may differ)`);
  else if (va[2] !== vb[2]) r.add('task-minor-changed', pointer, `step "${id}": ${pa.name} ${pa.version} → ${pb.version}`);
  else r.add('task-patch-changed', pointer, `step "${id}": ${pa.name} ${pa.version} → ${pb.version}`);
}

/**
 * Steps by id. A step's id names its output in a run's results (`steps.<id>.output`), so a
 * removed id is a removed output: breaking. A new step is non-breaking by itself; the new
 * bindings it may need are reasons of their own (parameters, secrets).
 */
function compareSteps(prev: SpecV1, next: SpecV1, r: Reasons): void {
  const index = (steps: Step[]) => new Map(walkSteps(steps).map((w) => [w.step.id, w] as const));
  const pi = index(prev.steps ?? []);
  const ni = index(next.steps ?? []);
  for (const [id, w] of pi) {
    if (!ni.has(id)) r.add('output-removed', w.pointer, `step "${id}" removed: its output is no longer in run results`);
  }
  for (const [id, w] of ni) {
    const old = pi.get(id);
    if (!old) {
      r.add('step-added', w.pointer, `new step "${id}"`);
      continue;
    }
    const a = old.step;
    const b = w.step;
    if (isParallel(a) !== isParallel(b)) {
      r.add('output-removed', w.pointer, `step "${id}" is now ${isParallel(b) ? 'a parallel group' : 'a task step'}: its output changes shape`);
      continue;
    }
    if (!isParallel(a)) compareTask(id, a.task, (b as TaskStep).task, `${w.pointer}/task`, r);
    for (const f of STEP_FIELDS) {
      if (!same((a as TaskStep)[f], (b as TaskStep)[f])) r.add('step-changed', `${w.pointer}/${f}`, `step "${id}": ${f} changed`);
    }
    if (!same(a.name, b.name)) r.add('docs', `${w.pointer}/name`, `step "${id}": name changed`);
  }
  // order of the steps both versions have, and their parallel groups
  const order = (m: Map<string, { group?: string }>, keep: Map<string, unknown>) => [...m.entries()].filter(([id]) => keep.has(id)).map(([id, w]) => `${id}<${w.group ?? ''}`);
  if (!same(order(pi, ni), order(ni, pi))) r.add('steps-reordered', '/steps', 'steps run in another order or grouping');
}

function compareMetadata(prev: SpecV1, next: SpecV1, r: Reasons): void {
  const a = prev.metadata;
  const b = next.metadata;
  if (a.name !== b.name) r.add('name-changed', '/metadata/name', `name ${show(a.name)} → ${show(b.name)}`);
  const ra = RISKS.indexOf(a.risk);
  const rb = RISKS.indexOf(b.risk);
  if (rb > ra) {
    // high and critical need a tenant admin's approval to install or upgrade: never automatic
    if (b.risk === 'high' || b.risk === 'critical') r.add('risk-raised', '/metadata/risk', `risk ${a.risk} → ${b.risk}: installs must agree to the higher risk`);
    else r.add('risk-raised-minor', '/metadata/risk', `risk ${a.risk} → ${b.risk}`);
  } else if (rb < ra) r.add('risk-lowered', '/metadata/risk', `risk ${a.risk} → ${b.risk}`);
  if (a.scope !== b.scope) r.add('scope-changed', '/metadata/scope', `scope ${a.scope} → ${b.scope}`);
  for (const f of ['title', 'description', 'category', 'owner', 'ownerTeam', 'tags', 'changelog'] as const) {
    if (!same(a[f], b[f])) r.add('docs', `/metadata/${f}`, `${f} changed`);
  }
  if (!same(prev.upgrade, next.upgrade)) r.add('upgrade-changed', '/upgrade', 'upgrade block (migration, smoke run, watch) changed');
}

/**
 * What `next` changes for instances of `previous`. Reasons are listed most severe first, then
 * by pointer; at most CHANGE_LIMITS.reasons (the last one, `truncated`, counts the rest and
 * carries their most severe kind). Never throws on a valid spec.
 */
export function classifyChange(previous: SpecV1, next: SpecV1): { kind: ChangeKind; reasons: ChangeReason[] } {
  const r = new Reasons();
  compareMetadata(previous, next, r);
  const params = (s: SpecV1): Schema => (isObj(s.parameters) ? s.parameters : { type: 'object' });
  compareSchema(params(previous), params(next), '/parameters', 0, r, true);
  compareSecrets(previous, next, r);
  compareSteps(previous, next, r);

  const kind = mostSevere(r.list.map((x) => x.kind));
  const sorted = [...r.list].sort(
    (x, y) =>
      SEVERITY[y.kind] - SEVERITY[x.kind] ||
      (x.pointer < y.pointer ? -1 : x.pointer > y.pointer ? 1 : 0) ||
      (x.rule < y.rule ? -1 : x.rule > y.rule ? 1 : 0) ||
      (x.message < y.message ? -1 : x.message > y.message ? 1 : 0),
  );
  if (sorted.length <= CHANGE_LIMITS.reasons) return { kind, reasons: sorted };
  const kept = sorted.slice(0, CHANGE_LIMITS.reasons - 1);
  const rest = sorted.slice(CHANGE_LIMITS.reasons - 1);
  return {
    kind,
    reasons: [
      ...kept,
      {
        rule: 'truncated',
        kind: mostSevere(rest.map((x) => x.kind)),
        pointer: '',
        message: `${rest.length} more reasons not listed`,
      },
    ],
  };
}

// ---- version numbers ----

type Level = 'major' | 'minor' | 'patch' | 'none';

function bumpLevel(prev: RegExpExecArray, next: RegExpExecArray): Level {
  const [a, b] = [prev, next].map((m) => [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)] as const);
  if (b![0] !== a![0]) return 'major';
  if (b![1] !== a![1]) return 'minor';
  if (b![2] !== a![2]) return 'patch';
  return 'none';
}

/**
 * Does `nextVersion` agree with a change of `kind` from `previousVersion`? Undefined when it
 * does, else why not. The next version must be greater (SemVer precedence). Breaking needs a
 * new major — in 0.x a new minor suffices (the Cargo convention: 0.x promises no stability,
 * its minor is its major); non-breaking needs at least a new minor; a patch change any greater
 * version. Pre-releases of the same major.minor.patch (1.0.0-rc.1 → 1.0.0-rc.2 → 1.0.0) promise
 * nothing to each other: any kind agrees.
 */
export function bumpAgreement(previousVersion: string, nextVersion: string, kind: ChangeKind): string | undefined {
  const pm = SEMVER.exec(previousVersion);
  const nm = SEMVER.exec(nextVersion);
  if (!pm) return `${show(previousVersion)} is not a semantic version`;
  if (!nm) return `${show(nextVersion)} is not a semantic version`;
  if (compareSemver(nextVersion, previousVersion) <= 0) return `${nextVersion} must be greater than the published ${previousVersion}`;
  const level = bumpLevel(pm, nm);
  if (level === 'none') return undefined;
  const major = BigInt(pm[1]!);
  const minor = BigInt(pm[2]!);
  if (kind === 'breaking') {
    if (level === 'major') return undefined;
    if (major === 0n && level === 'minor') return undefined;
    const least = major === 0n ? `0.${minor + 1n}.0` : `${major + 1n}.0.0`;
    return `a breaking change from ${previousVersion} needs a new ${major === 0n ? 'minor (0.x)' : 'major'} version: at least ${least}, not ${nextVersion}`;
  }
  if (kind === 'non-breaking') {
    if (level === 'major' || level === 'minor') return undefined;
    return `a non-breaking change from ${previousVersion} needs at least a new minor version: ${major}.${minor + 1n}.0, not ${nextVersion}`;
  }
  return undefined;
}
