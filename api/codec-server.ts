import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import type { EncryptionCodec } from '../platform/codec.ts';
import type { AppEnv } from './env.ts';
import { errorResponse } from './errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Constant-time comparison (of digests, so lengths never differ). */
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

const JsonPayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })).max(1000),
});

const fromJson = (p: z.infer<typeof JsonPayloads>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * Codec server for operators: the Temporal Web UI (and `temporal` CLI) send encrypted
 * payloads here to read them. Protected by a bearer token when CODEC_AUTH_TOKEN is set.
 */
export function codecServer(codec: EncryptionCodec, opts: { origins: string[]; token?: string; disabledReason?: string }) {
  const app = new Hono<AppEnv>();
  app.use(
    '*',
    cors({
      origin: opts.origins,
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
      credentials: true,
      maxAge: 600,
    }),
  );
  app.use('*', async (c, next) => {
    if (opts.disabledReason) return errorResponse(c, 503, 'CODEC_DISABLED', opts.disabledReason);
    if (opts.token && !sameSecret(c.req.header('authorization') ?? '', `Bearer ${opts.token}`)) {
      return errorResponse(c, 401, 'UNAUTHENTICATED', 'the codec server requires its bearer token');
    }
    return next();
  });
  for (const op of ['encode', 'decode'] as const) {
    app.post(`/${op}`, async (c) => {
      const body = JsonPayloads.safeParse(await c.req.json().catch(() => undefined));
      if (!body.success) return errorResponse(c, 400, 'MALFORMED_PAYLOADS', 'expected { "payloads": [ { "metadata": {…}, "data": "…" } ] }');
      try {
        const out = await codec[op](body.data.payloads.map(fromJson));
        return c.json({ payloads: out.map(toJson) });
      } catch {
        return errorResponse(c, 422, 'CODEC_FAILED', `could not ${op} the payloads (unknown key or corrupted data)`);
      }
    });
  }
  return app;
}
