/** Identifiers and deterministic workflow ids (one lifecycle per business key). */
export const TENANT_ID = /^[a-z][a-z0-9-]{1,39}$/;
export const WORKFLOW_NAME = /^[a-z][a-z0-9-]{2,62}$/;
export const DEFINITION_ID = /^[a-z][a-z0-9-]{1,39}\.[a-z][a-z0-9-]{2,62}$/;

/** A definition is owned by the tenant that authored it; its id is `<tenant>.<name>`. */
export const definitionId = (tenant: string, name: string) => `${tenant}.${name}`;

export function splitDefinitionId(id: string): { tenant: string; name: string } | undefined {
  if (!DEFINITION_ID.test(id)) return undefined;
  const dot = id.indexOf('.');
  return { tenant: id.slice(0, dot), name: id.slice(dot + 1) };
}

export const workflowIds = {
  draft: (definition: string, version: string) => `draft/${definition}/${version}`,
  publish: (definition: string, version: string) => `publish/${definition}/${version}`,
  registerAdapter: (name: string, version: string) => `adapter/${name}@${version}/register`,
  adapterStatus: (name: string, version: string, status: string) => `adapter/${name}@${version}/${status}`,
  run: (definition: string, runId: string) => `run/${definition}/${runId}`,
};

export function parseRunWorkflowId(id: string): { definitionId: string; runId: string } | undefined {
  const m = /^run\/([^/]+)\/([^/]+)$/.exec(id);
  return m ? { definitionId: m[1]!, runId: m[2]! } : undefined;
}

export function parsePublishWorkflowId(id: string): { definitionId: string; version: string } | undefined {
  const m = /^publish\/([^/]+)\/([^/]+)$/.exec(id);
  return m ? { definitionId: m[1]!, version: m[2]! } : undefined;
}
