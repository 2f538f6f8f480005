/**
 * The install lifecycle's shapes and its pure checks (issue 10): what an installer asks for,
 * what the lifecycle records, and whether the bindings fit the template version. Shared by
 * the API (the install-check preview, the request's own validation), the activities (the
 * authoritative check, recorded in history) and the Switchboard (the install wizard).
 *
 * Bindings are the installing tenant's own: secrets are *names* in its own store (never a
 * reference to another tenant's secret, never the publisher's), endpoints must pass its own
 * egress allow-list and ports. Every size is bounded: this is tenant input.
 */
import { ROLES, hasRole, type Actor, type Role } from './actor.ts';
import type { ErrorDetail } from './errors.ts';
import { ENVIRONMENTS, REGION, type Environment, type TemplateBindings } from './marketplace.ts';
import { shapeProblem } from './input-shape.ts';
import type { GuardrailDecision, PolicyOverride } from './policy-profiles.ts';

// ---- limits ----

export const INSTALL_LIMITS = {
  /** nesting and number of values of the parameter bindings */
  parameters: { depth: 16, values: 2_000 },
  /** bytes of the parameter bindings as JSON */
  parametersBytes: 64 * 1024,
  /** secret bindings per install */
  secrets: 64,
  /** an endpoint URL */
  endpointLength: 2_048,
  approvalsPerRun: 3,
  maxConcurrentRuns: 1_000,
  runsPerDay: 100_000,
  rationale: 4_000,
} as const;

/** How long an install waits for its approvals before it gives up (and releases its reservation). */
export const INSTALL_APPROVAL_TIMEOUT = '7 days';

// ---- ids ----

/** The workflow_instance id check: `<tenant>.<template name>.<env>-<6 hex>`. */
export const INSTANCE_ID = /^[a-z0-9][a-z0-9.-]{2,199}$/;

/** An instance id: the installing tenant, the template's name (without its publisher), the environment and 6 hex digits. */
export function instanceIdFor(tenant: string, templateId: string, environment: Environment, hex6: string): string {
  const name = templateId.slice(templateId.indexOf('.') + 1);
  if (!/^[0-9a-f]{6}$/.test(hex6)) throw new Error('instance id suffix: 6 lower-case hex digits');
  return `${tenant}.${name}.${environment}-${hex6}`;
}

export const installWorkflowId = (instanceId: string) => `install/${instanceId}`;
export const uninstallWorkflowId = (instanceId: string) => `uninstall/${instanceId}`;
export const instanceStatusWorkflowId = (instanceId: string, change: 'disable' | 'enable') => `instance/${instanceId}/${change}`;

// ---- request ----

export interface InstancePolicies {
  /** who may start runs of the instance (any of these roles); absent or empty: every member of the tenant */
  runRoles?: Role[];
  /**
   * approvals every run waits for before its first step (0–3): the run engine gets an
   * approval step `instanceApproval` (tenant admins of the installing tenant, never the
   * run's starter) prepended to the plan.
   */
  approvalsPerRun?: number;
}

export interface InstanceQuotas {
  /** runs of the instance running at once */
  maxConcurrentRuns?: number;
  /** runs started since 00:00 UTC */
  runsPerDay?: number;
}

/** What an installer asks for: POST /installs and POST /templates/{id}/install-check. */
export interface InstallRequest {
  templateId: string;
  /** default: the template's latest published version */
  version?: string;
  environment: Environment;
  region?: string;
  parameters?: Record<string, unknown>;
  /** spec secret name → the name of one of the installing tenant's own secrets */
  secrets?: Record<string, string>;
  policies?: InstancePolicies;
  quotas?: InstanceQuotas;
}

/** The install lifecycle's input: the request resolved by the API (version, instance id). */
export interface InstallInput {
  instanceId: string;
  templateId: string;
  definitionId: string;
  version: string;
  environment: Environment;
  region?: string;
  parameters: Record<string, unknown>;
  secrets: Record<string, string>;
  policies: InstancePolicies;
  quotas: InstanceQuotas;
  requestedBy: Actor;
}

// ---- decisions, state, result ----

/** policies/install.rego's decision: reasons, never a bare boolean. */
export interface InstallDecision {
  allow: boolean;
  deny: string[];
  approvalsRequired: number;
  /** why approvals are required (empty when none) */
  reasons: string[];
}

/** awaiting_override: held by a soft-mandatory guardrail until someone the policy names overrides it */
export type InstallStatus = 'checking' | 'awaiting_override' | 'awaiting_approval' | 'installing' | 'installed' | 'denied' | 'invalid' | 'rejected' | 'failed';
export const TERMINAL_INSTALL_STATUSES: readonly InstallStatus[] = ['installed', 'denied', 'invalid', 'rejected', 'failed'];

export interface InstallApproval {
  approver: Pick<Actor, 'sub' | 'tenant'> & { name?: string };
  decision: 'approve' | 'reject';
  rationale: string;
  at: string;
}

export interface InstallApproveArgs {
  approver: Actor;
  rationale: string;
}

export interface InstallError {
  code: string;
  message: string;
  details?: ErrorDetail[];
}

export interface InstallState {
  instanceId: string;
  templateId: string;
  version: string;
  environment: Environment;
  status: InstallStatus;
  requestedBy: Actor;
  decision?: InstallDecision;
  approvals: InstallApproval[];
  digest?: string;
  error?: InstallError;
  /** the guardrails' latest decision (policies/guardrails.rego) and the overrides given while held */
  guardrails?: GuardrailDecision;
  overrides?: PolicyOverride[];
}

export interface InstallResult {
  status: Extract<InstallStatus, 'installed' | 'denied' | 'invalid' | 'rejected' | 'failed'>;
  instanceId: string;
  decision?: InstallDecision;
  approvals: InstallApproval[];
  digest?: string;
  receiptId?: string;
  error?: InstallError;
  guardrails?: GuardrailDecision;
  overrides?: PolicyOverride[];
}

/** Stable codes of the install lifecycle (Update refusals and failures). */
export const INSTALL_CODES = {
  notAwaiting: 'NOT_AWAITING_APPROVAL',
  rationaleRequired: 'RATIONALE_REQUIRED',
  wrongTenant: 'WRONG_TENANT',
  notTenantAdmin: 'NOT_A_TENANT_ADMIN',
  selfApproval: 'SELF_APPROVAL',
  alreadyDecided: 'ALREADY_DECIDED',
  policyDenied: 'POLICY_DENIED',
  instanceExists: 'INSTANCE_EXISTS',
  approvalTimeout: 'APPROVAL_TIMEOUT',
  bindingsInvalid: 'BINDINGS_INVALID',
} as const;

export interface Refusal {
  /** `<kind>:<code>` (domain/errors.ts failureTypeFor), so the API maps it to its status */
  type: string;
  message: string;
}

/**
 * Why an approve/reject of an install is refused (undefined: accepted): a tenant admin of
 * the installing tenant who did not request it, with a rationale, once. Pure: the
 * workflow's Update validator and the API share it.
 */
export function installApprovalRefusal(state: Pick<InstallState, 'status' | 'requestedBy' | 'approvals'>, tenant: string, args: InstallApproveArgs): Refusal | undefined {
  const c = INSTALL_CODES;
  if (state.status !== 'awaiting_approval') return { type: `conflict:${c.notAwaiting}`, message: `this install is ${state.status}, not awaiting approval` };
  const a = args?.approver;
  if (!a || typeof a.sub !== 'string' || !Array.isArray(a.roles)) return { type: `input:${c.rationaleRequired}`, message: 'an approval names its approver' };
  if (typeof args.rationale !== 'string' || !args.rationale.trim()) return { type: `input:${c.rationaleRequired}`, message: 'a rationale is required for every approval decision' };
  if (args.rationale.length > INSTALL_LIMITS.rationale) return { type: `input:${c.rationaleRequired}`, message: `a rationale has at most ${INSTALL_LIMITS.rationale} characters` };
  if (a.tenant !== tenant) return { type: `not_allowed:${c.wrongTenant}`, message: `only tenant admins of "${tenant}" may decide this install` };
  if (!hasRole(a, 'tenant-admin')) return { type: `not_allowed:${c.notTenantAdmin}`, message: 'only a tenant admin may decide an install' };
  if (a.sub === state.requestedBy.sub) return { type: `not_allowed:${c.selfApproval}`, message: 'you cannot approve or reject your own install request: a second tenant admin decides' };
  if (state.approvals.some((x) => x.approver.sub === a.sub)) return { type: `conflict:${c.alreadyDecided}`, message: 'you have already decided this install' };
  return undefined;
}

// ---- binding checks ----

/** What the checks know of the template version and the installing tenant (loaded by platform/install-check.ts). */
export interface InstallFacts {
  tenant: string;
  template: { id: string; definitionId: string; environments: readonly Environment[]; regions: readonly string[] };
  version: { version: string; bindings: TemplateBindings; parametersSchema?: object };
  /** the bound secret names that exist in the installing tenant's store */
  secretsPresent: readonly string[];
  /** tenant_setting.egress_ports of the installing tenant */
  egressPorts: readonly string[];
}

export interface EndpointVerdict {
  parameter: string;
  url: string;
  allowed: boolean;
  reason?: string;
}

export interface BindingReport {
  /** every problem, each with a stable code (empty: the bindings fit) */
  problems: ErrorDetail[];
  missing: { secrets: string[]; parameters: string[] };
  endpoints: EndpointVerdict[];
  /** spec secret → own secret name, normalised */
  secretBindings: Record<string, string>;
}

/** The egress decision for one host (policies/egress.rego against the tenant's allow-list). */
export type HostCheck = (host: string) => { allow: boolean; reasons: string[] };

/** Does `port` match one of the tenant's port patterns ('443', '8000-8999', '*')? */
export function portAllowed(port: number, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    if (p === '*') return true;
    const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(p);
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return port >= lo && port <= hi;
  });
}

/** An endpoint binding as the egress check sees it, or why it is not one. */
export function parseEndpoint(value: unknown): { url: URL; host: string; port: number } | { problem: string } {
  if (typeof value !== 'string') return { problem: 'an endpoint is a URL string' };
  if (value.length > INSTALL_LIMITS.endpointLength) return { problem: `an endpoint has at most ${INSTALL_LIMITS.endpointLength} characters` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `only http and https endpoints, not ${url.protocol}` };
  // a credential in the URL would be stored and recorded in history: bind a secret instead
  if (url.username || url.password) return { problem: 'an endpoint must not contain credentials (user:password@): bind a secret' };
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (!host) return { problem: 'the URL has no host' };
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { url, host, port };
}

const SECRET_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const SECRET_REF = /^secret:\/\/([a-z][a-z0-9-]{1,39})\/([a-z][a-z0-9_-]{0,62})$/;
const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Which roles, approvals and quotas an install may set (the API's schema says the same). */
export function policyProblems(policies: InstancePolicies | undefined, quotas: InstanceQuotas | undefined): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const int = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  const roles = policies?.runRoles;
  if (roles !== undefined && (!Array.isArray(roles) || roles.length > ROLES.length || roles.some((r) => !(ROLES as readonly string[]).includes(r)))) {
    out.push({ path: '/policies/runRoles', message: `roles among ${ROLES.join(', ')}`, code: 'POLICY_INVALID' });
  }
  if (policies?.approvalsPerRun !== undefined && !int(policies.approvalsPerRun, 0, INSTALL_LIMITS.approvalsPerRun)) {
    out.push({ path: '/policies/approvalsPerRun', message: `an integer from 0 to ${INSTALL_LIMITS.approvalsPerRun}`, code: 'POLICY_INVALID' });
  }
  if (quotas?.maxConcurrentRuns !== undefined && !int(quotas.maxConcurrentRuns, 1, INSTALL_LIMITS.maxConcurrentRuns)) {
    out.push({ path: '/quotas/maxConcurrentRuns', message: `an integer from 1 to ${INSTALL_LIMITS.maxConcurrentRuns}`, code: 'QUOTA_INVALID' });
  }
  if (quotas?.runsPerDay !== undefined && !int(quotas.runsPerDay, 1, INSTALL_LIMITS.runsPerDay)) {
    out.push({ path: '/quotas/runsPerDay', message: `an integer from 1 to ${INSTALL_LIMITS.runsPerDay}`, code: 'QUOTA_INVALID' });
  }
  return out;
}

/**
 * The effective parameters of an install: the template's defaults under the installer's
 * values (top level: nested defaults apply when a run's plan is built).
 */
export function installParameters(bindings: TemplateBindings, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of bindings.parameters) if ('default' in p && p.default !== undefined) out[p.name] = p.default;
  return { ...out, ...(given ?? {}) };
}

/**
 * Do the bindings fit the version and the installing tenant? Secrets: each the spec
 * declares is bound to a secret name of the tenant that exists; parameters: required ones
 * given, the whole set valid against the schema (`validate`), endpoints http(s) URLs whose
 * host the tenant's egress policy allows (`hostCheck`) on a port of its list; environment
 * and region offered by the template; policies and quotas within bounds.
 */
export function checkBindings(
  facts: InstallFacts,
  req: Pick<InstallRequest, 'environment' | 'region' | 'parameters' | 'secrets' | 'policies' | 'quotas'>,
  deps: { hostCheck: HostCheck; validate: (params: Record<string, unknown>) => { path: string; message: string }[] },
): BindingReport {
  const problems: ErrorDetail[] = [];
  const missing = { secrets: [] as string[], parameters: [] as string[] };
  const endpoints: EndpointVerdict[] = [];
  const secretBindings: Record<string, string> = {};

  // environment and region
  if (!(ENVIRONMENTS as readonly string[]).includes(req.environment)) {
    problems.push({ path: '/environment', message: `one of ${ENVIRONMENTS.join(', ')}`, code: 'ENVIRONMENT_INVALID' });
  } else if (!facts.template.environments.includes(req.environment)) {
    problems.push({ path: '/environment', message: `the template is offered for ${facts.template.environments.join(', ')} only`, code: 'ENVIRONMENT_NOT_OFFERED' });
  }
  if (req.region !== undefined && (typeof req.region !== 'string' || !REGION.test(req.region))) {
    problems.push({ path: '/region', message: 'a region such as eu-west-1', code: 'REGION_INVALID' });
  } else if (facts.template.regions.length && (req.region === undefined || !facts.template.regions.includes(req.region))) {
    problems.push({ path: '/region', message: `the template is offered in ${facts.template.regions.join(', ')} only: choose one`, code: 'REGION_NOT_OFFERED' });
  }
  problems.push(...policyProblems(req.policies, req.quotas));

  // secrets: names of the installing tenant's own store
  const declared = new Set(facts.version.bindings.secrets.map((s) => s.name));
  const given = req.secrets ?? {};
  const entries = Object.entries(given);
  if (entries.length > INSTALL_LIMITS.secrets) {
    problems.push({ path: '/secrets', message: `at most ${INSTALL_LIMITS.secrets} secret bindings`, code: 'SECRET_BINDING_INVALID' });
  } else {
    for (const [specName, bound] of entries) {
      const at = `/secrets/${escape(specName)}`;
      if (!declared.has(specName)) {
        problems.push({ path: at, message: 'the spec declares no such secret', code: 'SECRET_UNKNOWN' });
        continue;
      }
      if (typeof bound !== 'string') {
        problems.push({ path: at, message: 'the name of one of your secrets', code: 'SECRET_BINDING_INVALID' });
        continue;
      }
      const ref = SECRET_REF.exec(bound);
      if (ref && ref[1] !== facts.tenant) {
        // never another tenant's secret (the publisher's included): installs bind their own
        problems.push({ path: at, message: `a secret of tenant "${ref[1]}" cannot be bound: bind a secret of your tenant "${facts.tenant}"`, code: 'SECRET_FORBIDDEN' });
        continue;
      }
      const name = ref ? ref[2]! : bound;
      if (!SECRET_NAME.test(name)) {
        problems.push({ path: at, message: 'a secret name: a lower-case letter, then letters, digits, "_" or "-" (at most 63)', code: 'SECRET_BINDING_INVALID' });
        continue;
      }
      secretBindings[specName] = name;
    }
  }
  const present = new Set(facts.secretsPresent);
  for (const s of facts.version.bindings.secrets) {
    const bound = secretBindings[s.name];
    if (bound === undefined) {
      if (!(s.name in given)) {
        missing.secrets.push(s.name);
        problems.push({ path: `/secrets/${escape(s.name)}`, message: `the spec needs secret "${s.name}": bind one of your secrets to it`, code: 'SECRET_BINDING_MISSING' });
      }
    } else if (!present.has(bound)) {
      missing.secrets.push(s.name);
      problems.push({ path: `/secrets/${escape(s.name)}`, message: `tenant "${facts.tenant}" has no secret "${bound}" (store it with PUT /api/secrets/${bound})`, code: 'SECRET_NOT_FOUND' });
    }
  }

  // parameters
  const raw = req.parameters ?? {};
  const shape = shapeProblem(raw, INSTALL_LIMITS.parameters, '/parameters');
  let size = 0;
  try {
    size = JSON.stringify(raw).length;
  } catch {
    size = Infinity;
  }
  if (shape) problems.push({ path: shape.path, message: shape.message, code: shape.code });
  else if (size > INSTALL_LIMITS.parametersBytes) problems.push({ path: '/parameters', message: `at most ${INSTALL_LIMITS.parametersBytes} bytes as JSON`, code: 'PARAMETERS_TOO_LARGE' });
  else {
    const params = installParameters(facts.version.bindings, raw);
    for (const p of facts.version.bindings.parameters) {
      if (p.required && params[p.name] === undefined) {
        missing.parameters.push(p.name);
        problems.push({ path: `/parameters/${escape(p.name)}`, message: `parameter "${p.name}" is required and has no default`, code: 'PARAMETER_REQUIRED' });
      }
    }
    const requiredPaths = new Set(missing.parameters.map((n) => `/parameters/${escape(n)}`));
    for (const issue of deps.validate(params)) {
      const path = `/parameters${issue.path}`;
      if (!requiredPaths.has(path)) problems.push({ path, message: issue.message, code: 'PARAMS_INVALID' });
    }
    for (const p of facts.version.bindings.parameters.filter((b) => b.endpoint)) {
      const value = params[p.name];
      if (value === undefined) continue;
      const at = `/parameters/${escape(p.name)}`;
      const parsed = parseEndpoint(value);
      const shown = typeof value === 'string' ? value.slice(0, INSTALL_LIMITS.endpointLength) : JSON.stringify(value)?.slice(0, 200) ?? '';
      if ('problem' in parsed) {
        endpoints.push({ parameter: p.name, url: shown, allowed: false, reason: parsed.problem });
        problems.push({ path: at, message: parsed.problem, code: 'ENDPOINT_INVALID' });
        continue;
      }
      const host = deps.hostCheck(parsed.host);
      const reasons = [...host.reasons];
      if (!portAllowed(parsed.port, facts.egressPorts)) {
        reasons.push(`port ${parsed.port} is not among the egress ports of tenant "${facts.tenant}" [${facts.egressPorts.join(', ')}]`);
      }
      const allowed = host.allow && reasons.length === 0;
      endpoints.push({ parameter: p.name, url: shown, allowed, ...(allowed ? {} : { reason: reasons.join('; ') }) });
      if (!host.allow) problems.push({ path: at, message: host.reasons.join('; ') || `host "${parsed.host}" is not allowed`, code: 'EGRESS_DENIED' });
      if (!portAllowed(parsed.port, facts.egressPorts)) problems.push({ path: at, message: reasons.at(-1)!, code: 'EGRESS_PORT_DENIED' });
    }
  }
  return { problems, missing, endpoints, secretBindings };
}

/** The code an invalid install reports: the problems' own when they share one, else BINDINGS_INVALID. */
export function bindingErrorCode(problems: readonly ErrorDetail[]): string {
  const codes = new Set(problems.map((p) => p.code ?? INSTALL_CODES.bindingsInvalid));
  return codes.size === 1 ? [...codes][0]! : INSTALL_CODES.bindingsInvalid;
}

/** Parameters a runner may not override: the endpoints, bound (and egress-checked) at install. */
export const lockedParameters = (bindings: TemplateBindings) => bindings.parameters.filter((p) => p.endpoint).map((p) => p.name);

/** May `actor` start runs of an instance with these policies? */
export const mayRunInstance = (actor: Pick<Actor, 'roles'>, policies: InstancePolicies) =>
  !policies.runRoles?.length || policies.runRoles.some((r) => actor.roles.includes(r));

// ---- uninstall ----

export type InFlight = 'finish' | 'cancel';

export interface UninstallInput {
  instanceId: string;
  inFlight: InFlight;
  requestedBy: Actor;
}

export interface UninstallState {
  instanceId: string;
  status: 'uninstalling' | 'uninstalled' | 'failed';
  inFlight: InFlight;
  /** runs of the instance still running at the last look */
  runsInFlight: number;
  /** runs this lifecycle asked to cancel */
  cancelled: string[];
  error?: InstallError;
}

export interface UninstallResult {
  instanceId: string;
  status: 'uninstalled';
  cancelled: string[];
  receiptId: string;
}

/** disable / enable: one short lifecycle each, so who changed the instance is in history. */
export interface InstanceStatusInput {
  instanceId: string;
  change: 'disable' | 'enable';
  requestedBy: Actor;
}

export type InstanceStatus = 'installing' | 'active' | 'disabled' | 'uninstalling' | 'uninstalled';

/** A run in flight of an instance, as the uninstall lifecycle sees it. */
export interface InstanceRun {
  runId: string;
  workflowId: string;
}
