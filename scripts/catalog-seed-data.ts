// Deterministic, realistic catalog entries for the seeding command and the catalog
// benchmark: entry i is a pure function of (seed, i), so 10k is a prefix of 100k and a
// re-run produces the very same rows.
import type { Category, Risk, Scope } from '../domain/spec.ts';
import type { SpecV1 } from '../domain/spec-types.ts';

/** Marks the rows this generator wrote (workflow_definition.created_by and friends). */
export const SEED_AUTHOR = 'seed-catalog';
/** Every date is relative to this instant, so two runs write identical rows. */
export const SEED_EPOCH = Date.parse('2026-11-01T00:00:00Z');
const DAY = 86_400_000;

/** Fictional companies; with acme and globex first, sizes fall off like Zipf's law. */
const EXTRA_TENANTS = [
  'initech', 'umbrella', 'hooli', 'stark-industries', 'wayne-enterprises', 'wonka', 'cyberdyne', 'soylent', 'tyrell',
  'aperture', 'vandelay', 'dunder-mifflin', 'pied-piper', 'massive-dynamic', 'oscorp', 'gringotts', 'monarch', 'prestige',
  'virtucon', 'nakatomi', 'gekko', 'blue-sun', 'weyland', 'rekall', 'sterling-cooper', 'bluth', 'krusty', 'duff', 'oceanic',
  'dharma', 'planet-express', 'wernham-hogg', 'los-pollos', 'vehement', 'ollivanders', 'buy-n-large', 'spacely', 'cogswell',
  'ajax', 'zorg', 'tessier-ashpool', 'yoyodyne', 'frobozz', 'bigco', 'sirius', 'kaiba', 'shinra', 'abstergo',
];
export const MAX_EXTRA_TENANTS = EXTRA_TENANTS.length;

const titleCase = (s: string) => s.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');

/** The tenants, largest first: acme, initech, globex, then the long tail. */
export function seedTenantList(extraTenants: number): { id: string; name: string }[] {
  const extra = EXTRA_TENANTS.slice(0, Math.max(0, Math.min(extraTenants, EXTRA_TENANTS.length)));
  const ids = ['acme', ...extra.slice(0, 1), 'globex', ...extra.slice(1)];
  return ids.map((id) => ({ id, name: id === 'acme' ? 'Acme Corp' : id === 'globex' ? 'Globex Industries' : titleCase(id) }));
}

// ---- a small, fast, seedable PRNG ------------------------------------------------------
function mix32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
function weighted<T extends string>(r: Rng, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1]![0];
}
function sample<T>(r: Rng, xs: readonly T[], n: number): T[] {
  const pool = [...xs];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(Math.floor(r() * pool.length), 1)[0]!);
  return out;
}

// ---- vocabulary -------------------------------------------------------------------------
interface Domain {
  subjects: string[];
  teams: string[];
  tags: string[];
  systems: string[];
  /** one parameter a run of such a workflow asks for */
  param: { name: string; schema: Record<string, unknown> };
}

const DOMAINS: Record<Category, Domain> = {
  HR: {
    subjects: ['employee onboarding', 'offboarding', 'payroll export', 'benefits enrolment', 'leave request', 'performance review', 'contractor onboarding', 'visa renewal', 'training assignment', 'headcount report', 'org chart sync', 'background check', 'relocation', 'compensation review'],
    teams: ['people-ops', 'talent', 'payroll', 'hr-systems'],
    tags: ['onboarding', 'payroll', 'benefits', 'leave', 'hris', 'new-hire', 'offboarding', 'training', 'compensation', 'workday'],
    systems: ['Workday', 'BambooHR', 'the HRIS', 'Personio', 'the payroll provider'],
    param: { name: 'employeeEmail', schema: { type: 'string', format: 'email', title: 'Employee email' } },
  },
  FinOps: {
    subjects: ['cloud cost report', 'budget alert', 'invoice reconciliation', 'reserved instance review', 'tag compliance', 'chargeback', 'expense approval', 'vendor payment', 'forecast refresh', 'idle resource cleanup', 'spend anomaly triage', 'savings plan renewal'],
    teams: ['finops', 'finance', 'procurement', 'cloud-platform'],
    tags: ['cost', 'cloud', 'budget', 'reporting', 'invoices', 'aws', 'gcp', 'azure', 'chargeback', 'forecast'],
    systems: ['AWS Cost Explorer', 'the billing API', 'NetSuite', 'Cloudability', 'the data warehouse'],
    param: { name: 'month', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$', title: 'Month (YYYY-MM)' } },
  },
  Security: {
    subjects: ['access review', 'credential rotation', 'vulnerability triage', 'phishing report', 'incident response', 'privileged access request', 'firewall rule change', 'certificate renewal', 'secret scanning', 'endpoint quarantine', 'SSO app onboarding', 'MFA enforcement'],
    teams: ['security', 'secops', 'iam', 'appsec'],
    tags: ['access', 'iam', 'vulnerability', 'incident', 'certificates', 'sso', 'mfa', 'secrets', 'soc2', 'okta'],
    systems: ['Okta', 'the SIEM', 'CrowdStrike', 'Vault', 'the vulnerability scanner'],
    param: { name: 'system', schema: { type: 'string', minLength: 1, title: 'System' } },
  },
  Compliance: {
    subjects: ['evidence collection', 'policy attestation', 'audit preparation', 'data retention', 'GDPR request', 'vendor risk assessment', 'control testing', 'SOX sign-off', 'DPA review', 'records export'],
    teams: ['compliance', 'grc', 'legal', 'privacy'],
    tags: ['audit', 'evidence', 'gdpr', 'sox', 'soc2', 'retention', 'vendor-risk', 'privacy', 'iso27001', 'policies'],
    systems: ['Vanta', 'the GRC tool', 'Drata', 'SharePoint', 'the document archive'],
    param: { name: 'controlId', schema: { type: 'string', minLength: 1, title: 'Control id' } },
  },
  IT: {
    subjects: ['laptop provisioning', 'software license request', 'mailbox setup', 'VPN access', 'device enrolment', 'printer setup', 'password reset', 'asset inventory', 'OS patching', 'meeting room booking', 'shared drive request', 'mobile device wipe'],
    teams: ['it-ops', 'helpdesk', 'endpoint', 'workplace'],
    tags: ['laptop', 'mdm', 'licenses', 'vpn', 'helpdesk', 'patching', 'assets', 'email', 'jamf', 'intune'],
    systems: ['Jamf', 'ServiceNow', 'Intune', 'Google Workspace', 'the asset register'],
    param: { name: 'assignee', schema: { type: 'string', format: 'email', title: 'Assignee' } },
  },
  Engineering: {
    subjects: ['deployment approval', 'database migration', 'feature flag cleanup', 'on-call handover', 'release notes', 'dependency upgrade', 'staging refresh', 'incident postmortem', 'repository creation', 'CI runner scaling', 'schema change review', 'backup verification'],
    teams: ['platform', 'sre', 'devex', 'data-platform', 'release'],
    tags: ['deploy', 'ci', 'database', 'kubernetes', 'release', 'on-call', 'backups', 'terraform', 'github', 'postgres'],
    systems: ['GitHub', 'Kubernetes', 'Terraform Cloud', 'PagerDuty', 'the CI system'],
    param: { name: 'service', schema: { type: 'string', minLength: 1, title: 'Service' } },
  },
  Other: {
    subjects: ['marketing campaign launch', 'event registration', 'customer survey', 'newsletter send', 'sales lead routing', 'contract renewal reminder', 'data export', 'translation request', 'social post approval', 'data quality check'],
    teams: ['marketing', 'sales-ops', 'data', 'customer-success', 'legal'],
    tags: ['marketing', 'sales', 'crm', 'analytics', 'data', 'customer', 'campaigns', 'salesforce', 'hubspot', 'snowflake'],
    systems: ['Salesforce', 'HubSpot', 'Snowflake', 'Zendesk', 'the CRM'],
    param: { name: 'campaign', schema: { type: 'string', minLength: 1, title: 'Campaign or account' } },
  },
};

const CATEGORY_WEIGHTS = [['HR', 16], ['FinOps', 14], ['Security', 16], ['Compliance', 12], ['IT', 20], ['Engineering', 16], ['Other', 6]] as const;
const RISK_WEIGHTS = [['low', 50], ['medium', 32], ['high', 14], ['critical', 4]] as const;
const STATUS_WEIGHTS = [['published', 85], ['deprecated', 10], ['draft', 5]] as const;
const QUALIFIERS = ['', '', '', 'Weekly', 'Monthly', 'Quarterly', 'Daily', 'Automated', 'Self-service', 'EMEA', 'APAC', 'US', 'Global', 'Regional', 'Express'];
const SUFFIXES = ['', '', 'workflow', 'sync', 'check', 'reminder', 'escalation', 'pipeline', 'request', 'report', 'runbook'];
const CROSS_TAGS = ['automation', 'weekly', 'monthly', 'self-service', 'emea', 'apac', 'us', 'critical-path', 'manual-fallback', 'slack'];
const FIRST = ['ana', 'ben', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hana', 'ivan', 'jo', 'kai', 'lena', 'mo', 'nia', 'omar', 'priya', 'quinn', 'rosa', 'sam', 'tomas', 'uma', 'vic', 'wen', 'yara', 'zoe'];
const LAST = ['ng', 'silva', 'khan', 'meyer', 'okafor', 'rossi', 'tanaka', 'novak', 'garcia', 'larsen', 'dubois', 'kowalski', 'reyes', 'haddad', 'park', 'byrne'];
const OPENINGS = [
  'Runs the {subject} end to end',
  'Automates the {subject} for {team}',
  'Collects everything the {subject} needs from {system}',
  'Starts the {subject} as soon as {system} reports a change',
  'Keeps the {subject} on schedule',
  'Handles the {subject} without tickets or spreadsheets',
  'Coordinates the {subject} across {system} and the team channel',
];
const MIDDLES = [
  'checks the inputs against {system}',
  'routes exceptions to the {team} queue',
  'records every decision for the audit trail',
  'waits for a reviewer when the change is risky',
  'posts a summary to the team channel',
  'retries transient failures with backoff',
  'skips items that are already up to date',
  'links each step to its source record',
];
const CLOSINGS = [
  'Typical run time is under {minutes} minutes.',
  'Used by teams in {region}.',
  'Replaces a manual spreadsheet process.',
  'Ask #{team} for changes.',
  'Safe to re-run: every step is idempotent.',
  'Reports land in {system}.',
  '',
];
const REGIONS = ['EMEA', 'APAC', 'North America', 'LATAM', 'every region'];

export interface SeedEntry {
  id: string;
  tenantId: string;
  name: string;
  title: string;
  description: string;
  category: Category;
  risk: Risk;
  scope: Scope;
  owner: string;
  ownerTeam: string;
  status: 'published' | 'deprecated' | 'draft';
  version: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  spec: SpecV1;
  visibility: 'internal-only' | 'partner-curated' | 'public-ecosystem';
  certificationState: 'none' | 'certified' | 'stale';
  health?: { windowEnd: Date; windowStart: Date; lastStatus: string; runCount: number; failureRate: number; avgDurationMs: number; lastRunAt: Date };
}

function zipfTable(n: number, s = 1): number[] {
  const w = Array.from({ length: n }, (_, k) => 1 / Math.pow(k + 1, s));
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / total));
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function fill(template: string, v: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? k);
}

/** A generator of entries: `entry(i)` is the same for a given seed and tenant count. */
export function catalogGenerator(opts: { seed: number; extraTenants: number }) {
  const tenants = seedTenantList(opts.extraTenants);
  const cumulative = zipfTable(tenants.length, 1);
  return {
    tenants,
    entry(i: number): SeedEntry {
      const r = prng(mix32(opts.seed, i));
      const x = r();
      let t = 0;
      while (cumulative[t]! < x && t < cumulative.length - 1) t++;
      const tenantId = tenants[t]!.id;
      const category = weighted(r, CATEGORY_WEIGHTS);
      const d = DOMAINS[category];
      const risk = weighted(r, RISK_WEIGHTS);
      const scope: Scope = r() < 0.3 ? 'global' : 'tenant-local';
      const status = weighted(r, STATUS_WEIGHTS);
      const subject = pick(r, d.subjects);
      const qualifier = pick(r, QUALIFIERS);
      const suffix = pick(r, SUFFIXES);
      const title = [qualifier, subject, suffix].filter(Boolean).join(' ').replace(/^./, (c) => c.toUpperCase());
      // the index keeps names unique inside a tenant; base 36 keeps them short
      const name = `${slug([qualifier, subject, suffix].filter(Boolean).join(' ')).slice(0, 50)}-${i.toString(36)}`;
      const team = pick(r, d.teams);
      const system = pick(r, d.systems);
      const vars = { subject, team, system, minutes: String(2 + Math.floor(r() * 28)), region: pick(r, REGIONS) };
      const [m1, m2] = sample(r, MIDDLES, 2);
      const description = [
        `${fill(pick(r, OPENINGS), vars)}: ${fill(m1!, vars)} and ${fill(m2!, vars)}.`,
        fill(pick(r, CLOSINGS), vars),
      ]
        .filter(Boolean)
        .join(' ');
      const tags = [...new Set([...sample(r, d.tags, 1 + Math.floor(r() * 3)), ...(r() < 0.35 ? [pick(r, CROSS_TAGS)] : [])])].sort();
      const owner = `${pick(r, FIRST)}.${pick(r, LAST)}`;
      const version = `${1 + Math.floor(r() * 3)}.${Math.floor(r() * 8)}.${Math.floor(r() * 5)}`;
      const ageDays = Math.floor(Math.pow(r(), 1.6) * 730); // recent updates are more frequent
      const updatedAt = new Date(SEED_EPOCH - ageDays * DAY - Math.floor(r() * DAY));
      const createdAt = new Date(updatedAt.getTime() - Math.floor(r() * 365) * DAY);
      const visibility = scope === 'tenant-local' ? 'internal-only' : r() < 0.7 ? 'public-ecosystem' : 'partner-curated';
      const c = r();
      const certificationState = scope === 'global' && c < 0.25 ? 'certified' : scope === 'global' && c < 0.3 ? 'stale' : 'none';
      let health: SeedEntry['health'];
      if (status !== 'draft' && r() < 0.6) {
        const runCount = Math.floor(Math.pow(r(), 3) * 400) + 1;
        const failures = Math.round(runCount * Math.pow(r(), 4) * 0.5);
        const failureRate = Math.round((failures / runCount) * 10_000) / 10_000;
        const windowEnd = new Date(SEED_EPOCH - Math.floor(r() * 3) * DAY);
        const lastRunAt = new Date(windowEnd.getTime() - Math.floor(r() * 5 * DAY));
        health = {
          windowEnd,
          windowStart: new Date(windowEnd.getTime() - 30 * DAY),
          lastStatus: r() < failureRate ? 'failed' : 'completed',
          runCount,
          failureRate,
          avgDurationMs: 800 + Math.floor(r() * 120_000),
          lastRunAt,
        };
      }
      const spec = buildSpec({ name, version, title, description, category, risk, scope, owner, ownerTeam: team, tags }, d, subject);
      return {
        id: `${tenantId}.${name}`,
        tenantId,
        name,
        title,
        description,
        category,
        risk,
        scope,
        owner,
        ownerTeam: team,
        status,
        version,
        tags,
        createdAt,
        updatedAt,
        spec,
        visibility,
        certificationState,
        ...(health ? { health } : {}),
      };
    },
  };
}

/**
 * A runnable spec with built-in tasks only: shape the input, an approval first when the
 * risk is high or critical, then a summary. No network, so a run works on any machine.
 */
function buildSpec(m: SpecV1['metadata'] & { owner: string; ownerTeam: string }, d: Domain, subject: string): SpecV1 {
  const p = d.param.name;
  const steps: SpecV1['steps'] = [];
  if (m.risk === 'high' || m.risk === 'critical') {
    steps.push({
      id: 'approve',
      task: 'approval@1.0.0',
      with: { message: `Approve the ${subject} for \${{ params.${p} }}`, approvers: { roles: ['reviewer'] }, count: m.risk === 'critical' ? 2 : 1 },
    });
  }
  steps.push(
    { id: 'prepare', task: 'transform@1.0.0', with: { expression: "{ 'subject': subject, 'target': target, 'dryRun': dryRun }", data: { subject, target: `\${{ params.${p} }}`, dryRun: '${{ params.dryRun }}' } } },
    { id: 'summarise', task: 'transform@1.0.0', with: { expression: "'Done: ' & subject & ' for ' & target", data: { subject: '${{ steps.prepare.output.result.subject }}', target: '${{ steps.prepare.output.result.target }}' } } },
  );
  return {
    apiVersion: 'maestro.dev/v1',
    kind: 'Workflow',
    metadata: { ...m, changelog: m.version.endsWith('.0.0') ? 'Initial version.' : 'Maintenance release.' },
    parameters: {
      type: 'object',
      required: [p],
      properties: { [p]: d.param.schema, dryRun: { type: 'boolean', default: false, title: 'Dry run' } },
    },
    steps,
  };
}
