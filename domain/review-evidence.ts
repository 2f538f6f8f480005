/**
 * The automated checks of a review, as pure functions over a spec: literal secrets, named
 * hosts, documentation, run statistics. The review activities (activities/review.ts) feed
 * them the stored spec and the registry's manifests and record the results as evidence.
 * Bounded: a spec is walked to a fixed depth and node count, findings are capped, and no
 * finding ever repeats the value it found (a secret stays out of the evidence).
 */
import { isParallel, walkSteps, type SpecV1, type TaskStep } from './spec-types.ts';

export const SCAN_LIMITS = { maxDepth: 64, maxNodes: 50_000, maxFindings: 50, maxStringScan: 20_000 } as const;

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Where a scan stopped short: the first string, node or depth beyond the limits. */
export interface ScanGap {
  pointer: string;
  reason: string;
}

/**
 * Every string of `value` with its JSON Pointer and the key it sits under, within the
 * limits, and the first place the limits cut the walk short (a scan that did not see
 * everything must not pass as clean). Strings are cut on a code point (never half a
 * surrogate pair) and made well-formed before any pattern or policy sees them.
 */
export function scanStrings(value: unknown, base = ''): { strings: { pointer: string; key: string; value: string }[]; gap?: ScanGap } {
  const strings: { pointer: string; key: string; value: string }[] = [];
  let nodes = 0;
  let gap: ScanGap | undefined;
  const stop = (pointer: string, reason: string) => (gap ??= { pointer: pointer || '/', reason });
  const walk = (v: unknown, pointer: string, key: string, depth: number) => {
    if (++nodes > SCAN_LIMITS.maxNodes) return stop(pointer, `more than ${SCAN_LIMITS.maxNodes} values`);
    if (depth > SCAN_LIMITS.maxDepth) return stop(pointer, `nested deeper than ${SCAN_LIMITS.maxDepth}`);
    if (typeof v === 'string') {
      if (v.length > SCAN_LIMITS.maxStringScan) stop(pointer, `a string longer than ${SCAN_LIMITS.maxStringScan} characters`);
      strings.push({ pointer, key, value: cutString(v, SCAN_LIMITS.maxStringScan) });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${pointer}/${i}`, key, depth + 1));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${pointer}/${esc(k)}`, k, depth + 1);
  };
  walk(value, base, '', 0);
  return gap ? { strings, gap } : { strings };
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair, and well-formed. */
export function cutString(v: string, max: number): string {
  let cut = v.length > max ? v.slice(0, max) : v;
  if (cut.length && /[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Every string of `value` within the limits (see scanStrings for where the limits cut it short). */
export const stringsOf = (value: unknown, base = '') => scanStrings(value, base).strings;

/** Patterns of credentials that have no business in a spec (the rule id is what a finding names). */
export const SECRET_PATTERNS: readonly { rule: string; pattern: RegExp }[] = [
  { rule: 'private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { rule: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { rule: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { rule: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { rule: 'stripe-live-key', pattern: /\b[sr]k_live_[A-Za-z0-9]{16,}/ },
  { rule: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
  { rule: 'bearer-token', pattern: /\bBearer\s+(?!\$\{\{)[A-Za-z0-9._~+/-]{20,}/ },
  { rule: 'url-credentials', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@$]+:[^\s/@$]+@/i },
];

/** Keys whose value is a credential: a literal there (not a `${{ … }}` reference) is a finding. */
const SECRET_KEY = /^(password|passwd|pwd|passphrase|secret|clientsecret|apikey|apisecret|accesskey|secretkey|token|authtoken|accesstoken|bearertoken|privatekey|credential|credentials)$/;
const isSecretKey = (key: string) => SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
const isReference = (s: string) => /^\s*\$\{\{[\s\S]*\}\}\s*$/.test(s);

export interface SecretFinding {
  pointer: string;
  rule: string;
}

/** Literal secrets in the spec: known credential shapes anywhere, and literal values of password-like keys. */
export function scanLiteralSecrets(spec: unknown): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const add = (f: SecretFinding) => {
    if (findings.length < SCAN_LIMITS.maxFindings && !findings.some((x) => x.pointer === f.pointer && x.rule === f.rule)) findings.push(f);
  };
  const scan = scanStrings(spec);
  // fail closed: what the scan could not see may hold anything
  if (scan.gap) add({ pointer: scan.gap.pointer, rule: 'unscanned-content' });
  for (const s of scan.strings) {
    for (const { rule, pattern } of SECRET_PATTERNS) if (pattern.test(s.value)) add({ pointer: s.pointer, rule });
    if (isSecretKey(s.key) && s.value.trim() && !isReference(s.value)) add({ pointer: s.pointer, rule: 'password-like-key' });
  }
  // a parameter named like a credential with a default value ships that value to every installer
  const props = (spec as SpecV1 | undefined)?.parameters?.properties ?? {};
  for (const [name, schema] of Object.entries(props)) {
    const d = (schema as { default?: unknown } | undefined)?.default;
    if (isSecretKey(name) && typeof d === 'string' && d.trim()) add({ pointer: `/parameters/properties/${esc(name)}/default`, rule: 'password-like-key' });
  }
  return findings;
}

const URL_HOST = /\b(?:https?|wss?):\/\/(?:[^\s/@]*@)?(\[[^\]\s]+\]|[^\s/:?#'"`<>${}]+)/gi;

/** Every literal host the spec names in a URL, with where, and the task step whose inputs hold it (if any). */
export function hostsInSpec(spec: SpecV1): { host: string; pointer: string; task?: string }[] {
  const out: { host: string; pointer: string; task?: string }[] = [];
  const steps = new Map<string, string>();
  for (const { step, pointer } of walkSteps(spec.steps ?? [])) if (!isParallel(step)) steps.set(`${pointer}/with`, (step as TaskStep).task);
  for (const s of stringsOf(spec)) {
    for (const m of s.value.matchAll(URL_HOST)) {
      const host = m[1]!.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
      if (!host || out.length >= SCAN_LIMITS.maxFindings) continue;
      const task = [...steps.entries()].find(([p]) => s.pointer.startsWith(`${p}/`) || s.pointer === p)?.[1];
      if (!out.some((o) => o.host === host && o.pointer === s.pointer)) out.push({ host, pointer: s.pointer, ...(task ? { task } : {}) });
    }
  }
  return out;
}

/** An example run input: `parameters.examples[0]` (JSON Schema) or the upgrade smoke run's parameters. */
export function exampleParameters(spec: SpecV1): { source: string; params: Record<string, unknown> } | undefined {
  const ex = (spec.parameters as { examples?: unknown } | undefined)?.examples;
  if (Array.isArray(ex) && ex[0] && typeof ex[0] === 'object' && !Array.isArray(ex[0])) return { source: '/parameters/examples/0', params: ex[0] as Record<string, unknown> };
  const smoke = spec.upgrade?.smoke?.parameters;
  if (smoke && typeof smoke === 'object') return { source: '/upgrade/smoke/parameters', params: smoke };
  return undefined;
}

export interface DocsCheck {
  id: string;
  title: string;
  ok: boolean;
  reason: string;
  data?: unknown;
}

const README_MIN = 80;

/** The documentation checks, each with its reason. */
export function docsChecks(spec: SpecV1): DocsCheck[] {
  const m = spec.metadata;
  const description = (m.description ?? '').trim();
  const props = Object.entries(spec.parameters?.properties ?? {});
  const undocumented = props
    .filter(([, p]) => !(typeof p?.['description'] === 'string' && (p['description'] as string).trim()) && !(typeof p?.['title'] === 'string' && (p['title'] as string).trim()))
    .map(([name]) => name);
  const example = exampleParameters(spec);
  return [
    {
      id: 'docs.description',
      title: 'Description',
      ok: description.length >= 20 && description !== (m.title ?? '').trim(),
      reason: description.length >= 20 ? (description === (m.title ?? '').trim() ? 'the description only repeats the title' : `described in ${description.length} characters`) : 'the description is shorter than 20 characters',
    },
    {
      id: 'docs.parameters-documented',
      title: 'Every parameter documented',
      ok: undocumented.length === 0,
      reason: undocumented.length ? `parameters without a title or description: ${undocumented.slice(0, 20).join(', ')}` : props.length ? `all ${props.length} parameters have a title or description` : 'the workflow takes no parameters',
      data: { parameters: props.length, undocumented: undocumented.slice(0, 50) },
    },
    {
      id: 'docs.changelog',
      title: 'Changelog entry',
      ok: !!m.changelog?.trim(),
      reason: m.changelog?.trim() ? 'metadata.changelog says what changed' : 'metadata.changelog is missing',
    },
    {
      id: 'docs.example',
      title: 'An example',
      ok: !!example || props.length === 0,
      reason: example ? `an example run input at ${example.source}` : props.length === 0 ? 'no parameters: the example is the empty input' : 'no parameters.examples and no upgrade.smoke.parameters',
    },
    {
      id: 'docs.readme',
      title: 'Readme section',
      ok: !!m.title?.trim() && description.length >= README_MIN,
      reason: !m.title?.trim() ? 'metadata.title is missing' : description.length >= README_MIN ? 'a title and a description of at least a paragraph' : `the description is a tagline (${description.length} < ${README_MIN} characters), not a readme section`,
    },
  ];
}

/** Nearest-rank percentile of sorted numbers (undefined for none). */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
