import type { TaskManifest } from '../../domain/manifest.ts';
import { inputError } from '../../domain/errors.ts';
import { checkHttpUrl, type EgressGuard } from '../../platform/egress.ts';
import type { SecretStore } from '../../platform/secrets.ts';
import { callHttp } from './http.ts';
import { adapterActivity } from './run-adapter.ts';

interface HttpRequestInputs {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: unknown;
  /** the resolved bearer token (the input held its secret reference) */
  authToken?: string;
  timeoutMs?: number;
  expectStatus?: number[];
}

/**
 * http.request@1.0.0 — one HTTP call. Always sends `Idempotency-Key: <workflow id>/<step>`
 * so an endpoint that honours it applies a retried call once. Output: { status, headers, body }.
 */
export function httpRequestActivity(deps: { guard: EgressGuard; secrets: SecretStore; manifest: TaskManifest }) {
  return adapterActivity(deps.manifest, deps.secrets, async ({ inputs, context, manifest }) => {
    const i = inputs as unknown as HttpRequestInputs;
    const method = i.method ?? 'GET';
    const url = checkHttpUrl(i.url);
    const headers = toHeaders(i.headers);
    let body: string | undefined;
    if (i.body !== undefined) {
      if (method === 'GET') throw inputError('INPUT_INVALID', 'a GET request cannot have a body');
      if (typeof i.body === 'string') {
        body = i.body;
        if (!headers.has('content-type')) headers.set('content-type', 'text/plain; charset=utf-8');
      } else {
        body = JSON.stringify(i.body);
        if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      }
    }
    if (i.authToken) headers.set('authorization', `Bearer ${i.authToken}`);
    headers.set('idempotency-key', context.idempotencyKey);
    const r = await callHttp(deps.guard, {
      url,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      timeoutMs: i.timeoutMs ?? 10_000,
      tenantId: context.tenantId,
      manifestAllow: manifest.spec.security.egress.allow,
      ...(i.expectStatus ? { expectStatus: i.expectStatus } : {}),
    });
    return { status: r.status, headers: r.headers, body: r.body };
  });
}

function toHeaders(input: Record<string, string> | undefined): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(input ?? {})) {
    try {
      headers.set(name, value);
    } catch {
      // the value is not echoed: it may be a credential
      throw inputError('INPUT_INVALID', `header "${name}" has an invalid name or value`);
    }
  }
  return headers;
}
