/**
 * The install check in one place: the facts of a template version as the installing tenant
 * sees them (by the one visibility rule, platform/access.ts), the install policy's decision
 * (policies/install.rego) and the binding checks of domain/install.ts, with the tenant's own
 * secrets (names only) and egress allow-list (policies/egress.rego) and ports. The install
 * lifecycle evaluates it in its activities (so it is in history); the API's install-check
 * route evaluates the same as a preview, without side effects.
 */
import type { Sql } from './db.ts';
import type { InstallPolicyInput, PolicyEngine } from './opa.ts';
import { visibleDefinitionSql, visibleVersionSql } from './access.ts';
import type { Actor } from '../domain/actor.ts';
import type { Visibility } from '../domain/access.ts';
import type { Risk } from '../domain/spec.ts';
import type { SpecV1 } from '../domain/spec-types.ts';
import { ENVIRONMENTS, templateBindings, type Environment, type TemplateBindings } from '../domain/marketplace.ts';
import { checkBindings, type BindingReport, type InstallDecision, type InstallFacts, type InstallRequest } from '../domain/install.ts';
import { compileTenantSchema, schemaIssues } from '../domain/schema-validator.ts';
import { applyDefaults } from '../domain/run.ts';
import { DomainError } from '../domain/errors.ts';
import { compareSemver } from '../domain/semver.ts';

/** A template and one of its versions, as `tenant` may see them. */
export interface TemplateVersionFacts {
  templateId: string;
  definitionId: string;
  ownerTenant: string;
  title: string;
  visibility: Visibility;
  /** the template is visible to the tenant (its own, or offered by its profile) */
  visible: boolean;
  environments: Environment[];
  regions: string[];
  version: string;
  versionStatus: string;
  versionVisible: boolean;
  digest: string;
  /** absent when the version does not exist (versionStatus 'missing': the policy denies) */
  spec?: SpecV1;
  risk: Risk;
  bindings: TemplateBindings;
}

/** The template (undefined: no such template). `version` absent: the newest published version the tenant may see. */
export async function loadTemplateVersion(sql: Sql, tenant: string, templateId: string, version?: string): Promise<TemplateVersionFacts | undefined> {
  const [t] = await sql<{ id: string; definition_id: string; owner_tenant: string; visibility: Visibility; environments: string[]; regions: string[]; title: string; visible: boolean }[]>`
    select t.id, t.definition_id, t.tenant_id as owner_tenant, t.visibility, t.environments, t.regions,
           coalesce(d.title, d.name) as title, ${visibleDefinitionSql(sql, tenant, 'd')} as visible
    from workflow_template t join workflow_definition d on d.id = t.definition_id
    where t.id = ${templateId}`;
  if (!t) return undefined;
  let chosen = version;
  if (!chosen) {
    const published = await sql<{ version: string }[]>`
      select v.version from workflow_version v join workflow_definition d on d.id = v.definition_id
      where v.definition_id = ${t.definition_id} and v.status = 'published' and ${visibleVersionSql(sql, tenant, 'v', 'd')}`;
    chosen = published.map((p) => p.version).sort(compareSemver).at(-1);
  }
  const [v] = chosen
    ? await sql<{ version: string; status: string; digest: string; spec: SpecV1; visible: boolean }[]>`
        select v.version, v.status, v.digest, v.spec, ${visibleVersionSql(sql, tenant, 'v', 'd')} as visible
        from workflow_version v join workflow_definition d on d.id = v.definition_id
        where v.definition_id = ${t.definition_id} and v.version = ${chosen}`
    : [];
  if (!v) return { ...base(t), version: chosen ?? '', versionStatus: 'missing', versionVisible: false, digest: '', risk: 'low', bindings: { parameters: [], secrets: [] } };
  return {
    ...base(t),
    version: v.version,
    versionStatus: v.status,
    versionVisible: v.visible,
    digest: v.digest,
    spec: v.spec,
    risk: v.spec.metadata.risk,
    bindings: templateBindings(v.spec),
  };
}

const base = (t: { id: string; definition_id: string; owner_tenant: string; visibility: Visibility; environments: string[]; regions: string[]; title: string; visible: boolean }) => ({
  templateId: t.id,
  definitionId: t.definition_id,
  ownerTenant: t.owner_tenant,
  title: t.title,
  visibility: t.visibility,
  visible: t.visible,
  environments: t.environments.filter((e): e is Environment => (ENVIRONMENTS as readonly string[]).includes(e)),
  regions: t.regions,
});

/** The install policy's decision for `actor` installing this version into `tenant`. */
export function decideInstall(policy: PolicyEngine, actor: Actor, tenant: string, f: TemplateVersionFacts, req: Pick<InstallRequest, 'environment' | 'region'>): InstallDecision {
  return policy.installDecision(installPolicyInput(actor, tenant, f, req));
}

/** The facts policies/install.rego decides on, for `actor` installing this version into `tenant`. */
export function installPolicyInput(actor: Actor, tenant: string, f: TemplateVersionFacts, req: Pick<InstallRequest, 'environment' | 'region'>): InstallPolicyInput {
  return {
    actor: { sub: actor.sub, tenant: actor.tenant, roles: actor.roles },
    tenant,
    environment: req.environment,
    ...(req.region ? { region: req.region } : {}),
    template: { id: f.templateId, owner_tenant: f.ownerTenant, visibility: f.visibility, visible: f.visible, risk: f.risk },
    version: { version: f.version, status: f.versionStatus, visible: f.versionVisible },
  };
}

/** The binding checks of domain/install.ts against the tenant's own secrets, egress allow-list and ports. */
export async function checkInstallBindings(
  sql: Sql,
  policy: PolicyEngine,
  tenant: string,
  f: TemplateVersionFacts,
  req: Pick<InstallRequest, 'environment' | 'region' | 'parameters' | 'secrets' | 'policies' | 'quotas'>,
): Promise<BindingReport> {
  const boundNames = Object.values(req.secrets ?? {})
    .filter((n): n is string => typeof n === 'string')
    .map((n) => n.replace(new RegExp(`^secret://${tenant}/`), ''))
    .slice(0, 64);
  const present = boundNames.length
    ? (await sql<{ name: string }[]>`select name from secret where tenant_id = ${tenant} and name = any(${boundNames}::text[])`).map((r) => r.name)
    : [];
  const [setting] = await sql<{ egress_allow: string[]; egress_ports: string[] }[]>`
    select egress_allow, egress_ports from tenant_setting where tenant_id = ${tenant}`;
  const tenantAllow = setting?.egress_allow ?? [];
  const facts: InstallFacts = {
    tenant,
    template: { id: f.templateId, definitionId: f.definitionId, environments: f.environments, regions: f.regions },
    version: { version: f.version, bindings: f.bindings, ...(f.spec?.parameters ? { parametersSchema: f.spec.parameters } : {}) },
    secretsPresent: present,
    // a tenant without settings may call nothing (as platform/egress.ts)
    egressPorts: setting?.egress_ports ?? [],
  };
  return checkBindings(facts, req, {
    // the endpoint is bound for whichever adapter the spec gives it to: only the tenant's list decides here
    hostCheck: (host) => {
      const d = policy.egressDecision({ tenant, host, manifest_allow: ['*'], tenant_allow: tenantAllow });
      return { allow: d.allow, reasons: d.reasons };
    },
    validate: (params) => {
      const schema = f.spec?.parameters;
      if (!schema) return [];
      try {
        const check = compileTenantSchema(schema);
        return check(applyDefaults(schema, params)) ? [] : schemaIssues(check.errors);
      } catch (e) {
        if (e instanceof DomainError) return [{ path: '', message: e.message }];
        throw e;
      }
    },
  });
}
