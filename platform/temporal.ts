import { Client, Connection } from '@temporalio/client';
import { fileURLToPath } from 'node:url';
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type DataConverter,
} from '@temporalio/common';
import { EncryptionCodec } from './codec.ts';

/** Typed search attributes on every lifecycle (never secrets or personal data: not encrypted). */
export const SA = {
  tenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  templateId: defineSearchAttributeKey('TemplateId', SearchAttributeType.KEYWORD),
  lifecycle: defineSearchAttributeKey('Lifecycle', SearchAttributeType.KEYWORD),
} as const;

export const SEARCH_ATTRIBUTES = { TenantId: 'Keyword', TemplateId: 'Keyword', Lifecycle: 'Keyword' } as const;

/** One data converter for client, worker and replayer: encrypted payloads and failures. */
export function createDataConverter(codecKeys: string): DataConverter {
  return {
    payloadCodecs: [EncryptionCodec.fromSpec(codecKeys)],
    failureConverterPath: fileURLToPath(new URL('./failure-converter.ts', import.meta.url)),
  };
}

export async function connectClient(opts: { address: string; namespace: string; codecKeys: string }) {
  const connection = await Connection.connect({ address: opts.address });
  const client = new Client({
    connection,
    namespace: opts.namespace,
    dataConverter: createDataConverter(opts.codecKeys),
  });
  return { connection, client };
}

/** Registers our search attributes on a server that does not have them (e.g. a cluster). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.keys(SEARCH_ATTRIBUTES).filter((k) => !customAttributes || !(k in customAttributes));
  if (missing.length) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k, 1 /* INDEXED_VALUE_TYPE_KEYWORD */])),
    });
  }
  return missing;
}

/**
 * A workflow execution's history in the Temporal Web UI: /namespaces/<ns>/workflows/<id>/<runId>/history.
 * The UI (2.54) answers "Bad Request" to a history link without the run id, so when the run
 * id is unknown the link opens the namespace's workflow list filtered to that workflow id.
 */
export const temporalWorkflowUrl = (uiUrl: string, namespace: string, workflowId: string, runId: string | undefined) =>
  runId
    ? `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`
    : `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId.replace(/["\\]/g, '\\$&')}"`)}`;
