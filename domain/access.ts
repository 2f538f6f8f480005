/**
 * The access model, in one place (ADR 0005). Two halves:
 *
 * - **Permissions** say which roles may attempt an action at all. Routes declare the one
 *   they need (api/permissions.ts enforces it before the handler runs), so the list below is
 *   the whole role matrix of the API.
 * - **The visibility rule** says which catalog entries, versions and templates a tenant may
 *   see, run directly or install. platform/access.ts translates it, once, into the SQL
 *   predicate and the Typesense filter; test/domain/access-matrix.test.ts proves the three
 *   agree on a generated matrix of tenants × profiles × statuses.
 *
 * Decisions that are provenance — which visibility a publish gets, whether an install may
 * go ahead — are not made here but by OPA (policies/publish.rego, policies/install.rego)
 * inside the lifecycle's activities, so they are recorded in its history. This rule only
 * decides what a caller may look at and ask for.
 */
import { hasRole, type Actor, type Role } from './actor.ts';

export const VISIBILITY_PROFILES = ['internal-only', 'partner-curated', 'public-ecosystem'] as const;
export type Visibility = (typeof VISIBILITY_PROFILES)[number];

/** Every action the API guards, with the roles that may attempt it. `any` = every authenticated caller. */
export const PERMISSIONS = {
  'session.read': 'any',
  'catalog.read': 'any',
  'spec.validate': 'any',
  'registry.read': 'any',
  'definition.draft': ['author', 'publisher'],
  // the publish policy decides who may publish what, at which visibility (in history)
  'definition.publish': ['author', 'publisher'],
  'publish.read': 'any',
  // the publish lifecycle's Update validator decides who may approve (in history)
  'publish.decide': 'any',
  'run.start': 'any',
  'run.read': 'any',
  // the run's Update validators decide per step / per run
  'run.decide': 'any',
  'template.read': 'any',
  'template.curate': ['platform-curator', 'platform-admin'],
  // a template's upgrade campaigns: its owning tenant's publishers and curators (counts only)
  'campaign.read': ['author', 'publisher', 'platform-curator'],
  'usage.read': 'any',
  'install.request': ['tenant-admin'],
  // the install lifecycle's Update validator decides (a second tenant admin)
  'install.decide': ['tenant-admin'],
  // the guardrails decide who may override which rule (a role the rule names, never the requester)
  'install.override': 'any',
  'instance.read': 'any',
  'instance.manage': ['tenant-admin'],
  // the upgrade lifecycle requires a tenant admin's approval when the requester is not one
  'upgrade.request': ['tenant-admin', 'author', 'publisher'],
  // the upgrade lifecycle's Update validator decides (a tenant admin who did not request it)
  'upgrade.decide': ['tenant-admin'],
  'upgrade.override': 'any',
  // the tenant's policy settings (region, endpoint regions, risk cap, critical-run limits)
  'tenant.policy.read': 'any',
  'tenant.policy.write': ['tenant-admin'],
  // reviews: the review lifecycle's Update validator and review.rego decide who may decide which kind
  'review.read': 'any',
  'review.request': ['publisher', 'platform-curator'],
  'review.decide': ['platform-reviewer', 'platform-admin'],
  'certification.read': 'any',
  'certification.request': ['platform-certifier'],
  // trust roots are public; receipts are filtered by tenant and what the caller may see
  'trust.read': 'any',
  'trust.admin': ['platform-admin'],
  'receipt.read': 'any',
  'secret.read': 'any',
  'secret.write': ['tenant-admin', 'publisher'],
  'registry.write': ['publisher', 'platform-admin'],
  'catalog.admin': ['platform-admin'],
  'payload.decode': ['platform-admin'],
  'policy.read': 'any',
} as const satisfies Record<string, 'any' | readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const rolesFor = (p: Permission): readonly Role[] | 'any' => PERMISSIONS[p];

export function isPermitted(actor: Pick<Actor, 'roles'>, p: Permission): boolean {
  const roles = PERMISSIONS[p];
  return roles === 'any' || hasRole(actor as Actor, ...roles);
}

/** What the visibility rule needs to know of a catalog entry (a definition and its template). */
export interface Offering {
  /** the tenant that owns the definition */
  ownerTenant: string;
  /** workflow_definition.status */
  status: string;
  /** the template's visibility profile; no template = internal-only */
  visibility: Visibility;
  /** partner-curated: the tenants on the template's curated list */
  audience: readonly string[];
}

/** What the rule needs to know of one version. */
export interface OfferedVersion {
  status: string;
  /** the visibility its publish decided; internal-only versions never leave the tenant */
  visibility: Visibility;
}

/** Is `tenant` in the template's audience (ignoring who owns it)? */
export function inAudience(tenant: string, o: Pick<Offering, 'visibility' | 'audience'>): boolean {
  return o.visibility === 'public-ecosystem' || (o.visibility === 'partner-curated' && o.audience.includes(tenant));
}

/**
 * May `tenant` see the entry? Its own entries always (drafts, deprecated, archived too);
 * another tenant's only while published and offered to it by the template's profile.
 */
export function canSee(tenant: string, o: Offering): boolean {
  if (o.ownerTenant === tenant) return true;
  return o.status === 'published' && inAudience(tenant, o);
}

/** May `tenant` see this version of the entry? Others see only published versions offered beyond the owner. */
export function canSeeVersion(tenant: string, o: Offering, v: OfferedVersion): boolean {
  if (o.ownerTenant === tenant) return true;
  return canSee(tenant, o) && v.status === 'published' && v.visibility !== 'internal-only';
}

/**
 * May `tenant` run the entry directly (POST /definitions/{id}/runs)? Only its own: another
 * tenant's workflow runs from an instance, with that tenant's own bindings and quotas.
 */
export const canRunDirectly = (tenant: string, o: Pick<Offering, 'ownerTenant'>) => o.ownerTenant === tenant;

/**
 * May `tenant` install this version? When it may see it. Whether the install goes ahead
 * (roles, risk, environment, region) is the install policy's decision, in the lifecycle.
 */
export const canInstallVersion = (tenant: string, o: Offering, v: OfferedVersion) =>
  v.status === 'published' && (o.ownerTenant === tenant ? true : canSeeVersion(tenant, o, v));

/**
 * The visibility a publish asks for when the request names none: a global spec is offered
 * to the ecosystem, a tenant-local one stays in its tenant. The publish policy decides
 * whether the actor may have it.
 */
export const defaultVisibility = (scope: string): Visibility => (scope === 'global' ? 'public-ecosystem' : 'internal-only');

/** Profiles whose installers the publisher may know by name (the curated list is its own). */
export const installersNamedFor = (v: Visibility) => v === 'partner-curated';

/** What the curated-list rules need to know of a template. */
export interface CuratedTemplate {
  ownerTenant: string;
  visibility: Visibility;
}

/**
 * May the actor change a template's curated list? A platform curator (template.curate), for
 * any tenant's partner-curated template: the list is a platform decision, not the
 * publisher's (it cannot widen its own audience).
 */
export const canCurate = (actor: Pick<Actor, 'roles'>, t: Pick<CuratedTemplate, 'visibility'>) =>
  isPermitted(actor, 'template.curate') && t.visibility === 'partner-curated';

/** May the actor read the curated list? The owning tenant, and the curators who keep it. */
export const canReadAudience = (actor: Pick<Actor, 'tenant' | 'roles'>, t: CuratedTemplate) =>
  t.ownerTenant === actor.tenant || canCurate(actor, t);
