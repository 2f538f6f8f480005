import type { AdapterActivity } from '../../domain/adapter-io.ts';
import { taskRef, type TaskManifest } from '../../domain/manifest.ts';
import type { Sql } from '../../platform/db.ts';
import type { PolicyEngine } from '../../platform/opa.ts';
import type { SecretStore } from '../../platform/secrets.ts';
import type { ExpressionSandbox } from '../../platform/expression-sandbox.ts';
import { createEgressGuard, tenantAllowFromDb } from '../../platform/egress.ts';
import { loadBuiltinManifests } from '../../platform/registry.ts';
import { httpRequestActivity } from './http-request.ts';
import { notifyWebhookActivity } from './notify-webhook.ts';
import { transformActivity } from './transform.ts';

export interface AdapterDeps {
  sql: Sql;
  policy: PolicyEngine;
  secrets: SecretStore;
  sandbox: ExpressionSandbox;
}

/** Task refs of the built-in activity adapters (approval and delay are engine primitives). */
export const BUILTIN_ADAPTER_REFS = ['http.request@1.0.0', 'notify.webhook@1.0.0', 'transform@1.0.0'] as const;

/**
 * The built-in adapter activities, keyed by task ref: the run engine calls the activity
 * whose type name is the step's task ref with one AdapterInput. Each adapter reads its
 * own manifest (adapters/builtin/) for its input schema, secret inputs and egress list.
 */
export function createAdapterActivities(deps: AdapterDeps): Record<string, AdapterActivity> {
  const manifests = new Map<string, TaskManifest>(loadBuiltinManifests().map((m) => [taskRef(m), m]));
  const manifest = (ref: (typeof BUILTIN_ADAPTER_REFS)[number]) => {
    const m = manifests.get(ref);
    if (!m) throw new Error(`adapters/builtin has no manifest for ${ref}`);
    return m;
  };
  const guard = createEgressGuard({ policy: deps.policy, tenantAllow: tenantAllowFromDb(deps.sql) });
  return {
    'http.request@1.0.0': httpRequestActivity({ guard, secrets: deps.secrets, manifest: manifest('http.request@1.0.0') }),
    'notify.webhook@1.0.0': notifyWebhookActivity({ guard, secrets: deps.secrets, manifest: manifest('notify.webhook@1.0.0') }),
    'transform@1.0.0': transformActivity({ secrets: deps.secrets, manifest: manifest('transform@1.0.0'), sandbox: deps.sandbox }),
  };
}
