import { createHmac } from 'node:crypto';
import type { TaskManifest } from '../../domain/manifest.ts';
import { checkHttpUrl, type EgressGuard } from '../../platform/egress.ts';
import type { SecretStore } from '../../platform/secrets.ts';
import { callHttp } from './http.ts';
import { adapterActivity } from './run-adapter.ts';

export const SIGNATURE_HEADER = 'x-maestro-signature';

/**
 * `sha256=<hex HMAC-SHA256 of the exact body bytes>`: a receiver recomputes it with the
 * shared secret over the raw body and compares in constant time. The body is the same on
 * every retry, so is the signature (the Idempotency-Key tells retries apart from new calls).
 */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

interface NotifyInputs {
  url: string;
  message: string;
  channel?: string;
  payload?: Record<string, unknown>;
  /** the resolved signing secret (the input held its reference) */
  signingSecret?: string;
}

/** notify.webhook@1.0.0 — POSTs { message, channel, payload } as JSON. Output: { delivered, status }. */
export function notifyWebhookActivity(deps: { guard: EgressGuard; secrets: SecretStore; manifest: TaskManifest }) {
  return adapterActivity(deps.manifest, deps.secrets, async ({ inputs, context, manifest }) => {
    const i = inputs as unknown as NotifyInputs;
    const body = JSON.stringify({ message: i.message, ...(i.channel !== undefined ? { channel: i.channel } : {}), ...(i.payload !== undefined ? { payload: i.payload } : {}) });
    const headers = new Headers({ 'content-type': 'application/json', 'idempotency-key': context.idempotencyKey });
    if (i.signingSecret) headers.set(SIGNATURE_HEADER, signBody(i.signingSecret, body));
    const r = await callHttp(deps.guard, {
      url: checkHttpUrl(i.url),
      method: 'POST',
      headers,
      body,
      timeoutMs: 10_000,
      tenantId: context.tenantId,
      manifestAllow: manifest.spec.security.egress.allow,
    });
    return { delivered: true, status: r.status };
  });
}
