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

/** Where the run form sends someone to store a missing secret (and back, once stored). */
export const storeSecretHref = (name: string, forDefinition?: string) =>
  `/secrets?name=${encodeURIComponent(name)}${forDefinition ? `&for=${encodeURIComponent(forDefinition)}` : ''}`;
