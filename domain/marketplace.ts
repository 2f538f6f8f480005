/**
 * Marketplace facts derived from a spec: what an installer must bind, and the offer a
 * publish makes. Pure, shared by the publish lifecycle (it stores them on the template),
 * the install lifecycle (it checks them) and the Switchboard (the install wizard).
 */
import type { Visibility } from './access.ts';
import type { SpecV1 } from './spec-types.ts';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A region: a lower-case cloud-style name such as `eu-west-1` or `us`. */
export const REGION = /^[a-z]{2}(-[a-z0-9]{1,20}){0,3}$/;

export interface ParameterBinding {
  name: string;
  /** required by the parameters schema and without a default: the installer must give it */
  required: boolean;
  default?: unknown;
  type?: string;
  description?: string;
  /**
   * An endpoint: a URL (JSON Schema `format: uri` or `url`). The installer's value is checked
   * against the installing tenant's egress allow-list, host and port.
   */
  endpoint: boolean;
}

export interface TemplateBindings {
  parameters: ParameterBinding[];
  /** every secret the spec declares; an installer binds each to a secret of its own tenant */
  secrets: { name: string; description?: string }[];
}

export function templateBindings(spec: Pick<SpecV1, 'parameters' | 'secrets'>): TemplateBindings {
  const props = spec.parameters?.properties ?? {};
  const required = new Set(Array.isArray(spec.parameters?.required) ? spec.parameters.required : []);
  return {
    parameters: Object.entries(props).map(([name, p]) => {
      const has = p && typeof p === 'object' && 'default' in p;
      return {
        name,
        required: required.has(name) && !has,
        ...(has ? { default: p.default } : {}),
        ...(typeof p?.type === 'string' ? { type: p.type } : {}),
        ...(typeof p?.description === 'string' ? { description: p.description } : {}),
        endpoint: p?.format === 'uri' || p?.format === 'url',
      };
    }),
    secrets: (spec.secrets ?? []).map((s) => ({ name: s.name, ...(s.description ? { description: s.description } : {}) })),
  };
}

/** What a Request Publish may say about the offering, beside the spec. */
export interface PublishOffer {
  summary?: string;
  environments?: Environment[];
  regions?: string[];
}

export interface TemplateSummary {
  id: string;
  definitionId: string;
  publisherTenant: string;
  publisher: string;
  visibility: Visibility;
  latestVersion: string;
  summary?: string;
  environments: Environment[];
  regions: string[];
  bindings: TemplateBindings;
}
