/**
 * The marketplace's read shapes (GET /templates…) and the curate lifecycle's contract
 * types. Pure, shared by the API, the worker and the Switchboard.
 */
import type { VersionChangeFields } from './change-kind.ts';
import type { Actor } from './actor.ts';
import type { Visibility } from './access.ts';
import type { Environment, TemplateBindings } from './marketplace.ts';
import type { TrustSummary } from './trust.ts';

/** A partner-curated template's list holds at most this many tenants. */
export const MAX_AUDIENCE = 200;

export const TEMPLATE_VIEWS = ['marketplace', 'mine'] as const;
/** marketplace: offered to the caller's tenant (its own shared ones too) and published; mine: its tenant's own. */
export type TemplateView = (typeof TEMPLATE_VIEWS)[number];

export interface MyInstance {
  id: string;
  environment: string;
  version: string;
  status: string;
}

export interface TemplateListItem {
  id: string;
  definitionId: string;
  name: string;
  title?: string;
  description: string;
  summary?: string;
  category: string;
  risk: string;
  publisherTenant: string;
  /** who published the newest version */
  publisher: string;
  visibility: Visibility;
  latestVersion: string;
  environments: Environment[];
  regions: string[];
  certified: boolean;
  /** the latest version's signature, marketplace review and certification */
  trust: TrustSummary;
  /** tenants with an installed instance (active, disabled or uninstalling): a count, never who */
  installs: number;
  /** the caller's tenant's instances of the template (every status but uninstalled) */
  myInstances: MyInstance[];
}

export interface TemplateVersionItem extends VersionChangeFields {
  version: string;
  publishedAt: string;
  digest: string;
  visibility: Visibility;
}

export interface TemplateDetail extends TemplateListItem {
  bindings: TemplateBindings;
  /** the published versions the caller may see, newest first */
  versions: TemplateVersionItem[];
  /** the curated list: only for the owning tenant and platform curators */
  audience?: string[];
  /** the publish lifecycle of the newest version in the Temporal Web UI */
  temporalUrl?: string;
}

/** Publisher-side usage of a template: aggregates only, never an installer's data. */
export interface TemplateUsage {
  templateId: string;
  visibility: Visibility;
  versions: {
    version: string;
    installingTenants: number;
    instances: number;
    runs: number;
    failedRuns: number;
    /** failed or timed out / runs that finished and were not cancelled; absent when none did */
    failureRate?: number;
  }[];
  /** the newest published version */
  latestVersion: string;
  /** installed instances (active, disabled or uninstalling), every tenant's: a count */
  instances: number;
  /** installed instances not on the newest version: a count */
  lagging: number;
  /** partner-curated only: the tenants that installed it (the curated list is the publisher's own) */
  installers?: string[];
}

/** One of the caller's tenant's own instances in its usage view. */
export interface TenantUsageInstance {
  id: string;
  environment: string;
  version: string;
  status: string;
  upgradePolicy: string;
  /** not on the newest version its tenant may install */
  lagging: boolean;
}

/** GET /usage: the caller's tenant's installed templates, its versions and instances, and what lags. */
export interface TenantUsage {
  tenantId: string;
  templates: {
    templateId: string;
    title?: string;
    publisherTenant: string;
    /** the newest published version this tenant may install */
    latestVersion: string;
    /** the versions installed in this tenant, with how many of its instances are on each (newest first) */
    versions: { version: string; instances: number }[];
    instances: TenantUsageInstance[];
    lagging: number;
  }[];
  /** this tenant's installed instances not on their template's newest version */
  lagging: number;
}

export interface TemplateAudience {
  templateId: string;
  visibility: Visibility;
  tenants: { tenantId: string; addedBy: string; addedAt: string }[];
  /** the curate lifecycle that last changed the list */
  lastChange?: { by: string; at: string; workflowId: string; runId: string; temporalUrl: string };
}

export interface CurateTemplateInput {
  templateId: string;
  /** the whole curated list wanted (a set: the lifecycle adds and removes to match it) */
  tenants: string[];
  actor: Actor;
}

/** What one curate run changed; the same answer however often its activity is retried. */
export interface AudienceChange {
  audience: string[];
  added: string[];
  removed: string[];
  receiptId: string;
}

export type CurateTemplateResult =
  | ({ status: 'applied'; templateId: string } & AudienceChange)
  /** the lifecycle refused the change (a race the API's checks could not see): nothing was written */
  | { status: 'refused'; templateId: string; error: { code: string; message: string } };

export const curateWorkflowId = (templateId: string, key: string) => `curate/${templateId}/${key}`;
