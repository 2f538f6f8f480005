/**
 * Tenant secrets as the API shows them: names and metadata, never values. Shared by the
 * API (which proves its schemas match these with `Same<>`) and the Switchboard.
 */
export const SECRET_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
export const SECRET_NAME_RULE = 'a lower-case letter, then letters, digits, "_" or "-" (at most 63)';
export const SECRET_VALUE_MAX_BYTES = 16 * 1024;
export const SECRET_DESCRIPTION_MAX = 500;

/** GET /secrets items. */
export interface SecretListItem {
  name: string;
  /** `secret://<tenant>/<name>`: what specs, runs and instance bindings carry */
  ref: string;
  description?: string;
  createdBy?: string;
  createdAt: string;
  updatedBy?: string;
  updatedAt: string;
  /** when the value was last replaced; absent while it is the first value */
  rotatedAt?: string;
}

/** GET /definitions/{id}/readiness: can this version run directly in the caller's tenant? */
export interface Readiness {
  definitionId: string;
  version: string;
  ready: boolean;
  secrets: { name: string; description?: string; ref: string; present: boolean }[];
}
