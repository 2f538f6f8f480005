import { action, query } from '@solidjs/router';
import type { Readiness, SecretListItem } from '../../../domain/secrets.ts';
import { apiFetch } from './api.ts';

export type { Readiness, SecretListItem } from '../../../domain/secrets.ts';
export { SECRET_DESCRIPTION_MAX, SECRET_NAME, SECRET_NAME_RULE, SECRET_VALUE_MAX_BYTES } from '../../../domain/secrets.ts';

const secretPath = (name: string) => `/api/secrets/${encodeURIComponent(name)}`;

/** GET /api/secrets: the tenant's secrets, names and metadata only. */
export const tenantSecrets = query(() => apiFetch<{ items: SecretListItem[] }>('/api/secrets'), 'tenantSecrets');

export interface SecretInput {
  name: string;
  value: string;
  /** omitted keeps the current description; "" clears it */
  description?: string;
}

/**
 * Creates or rotates a secret (PUT). The value goes to the API once and is not kept: the
 * caller clears its field. On success the router revalidates every query (the list, and
 * the readiness of any run form on screen).
 */
export const storeSecret = action(async (input: SecretInput): Promise<{ name: string }> => {
  await apiFetch<void>(secretPath(input.name), {
    method: 'PUT',
    body: { value: input.value, ...(input.description !== undefined ? { description: input.description } : {}) },
  });
  return { name: input.name };
}, 'storeSecret');

export const deleteSecret = action(async (name: string): Promise<{ name: string }> => {
  await apiFetch<void>(secretPath(name), { method: 'DELETE' });
  return { name };
}, 'deleteSecret');

/** The readiness answered fresh (not from the cache): what the run form checks at the moment of start. */
export const freshReadiness = (id: string, version: string) =>
  apiFetch<Readiness>(`/api/definitions/${encodeURIComponent(id)}/readiness?version=${encodeURIComponent(version)}`);

/** GET /api/definitions/{id}/readiness: the secrets a direct run of the version needs, and which are missing. */
export const readiness = query((id: string, version: string) => freshReadiness(id, version), 'readiness');

/**
 * Where a run form or the install wizard sends someone to store a missing secret, and where
 * the Secrets page leads back once it is stored: a workflow (`for`) or a path of the
 * Switchboard (`return`).
 */
export function storeSecretHref(name: string, forDefinition?: string, returnTo?: string): string {
  const p = new URLSearchParams({ name });
  if (forDefinition) p.set('for', forDefinition);
  if (returnTo) p.set('return', returnTo);
  return `/secrets?${p.toString()}`;
}

/** A path of this Switchboard to return to, or undefined (never another origin). */
export const localPath = (v: string | undefined) => (v && /^\/(?![/\\])[^\s]*$/.test(v) ? v : undefined);
