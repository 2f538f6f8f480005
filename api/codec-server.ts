import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { isPermitted } from '../domain/access.ts';
import { DomainError } from '../domain/errors.ts';
import type { VerifiedToken } from '../platform/auth.ts';
import type { EncryptionCodec } from '../platform/codec.ts';
import type { AppEnv } from './env.ts';
import { errorResponse, statusOf } from './errors.ts';

/** A batch of payloads the Web UI sends: Temporal's own limit is 2 MB a payload (blob size). */
export const CODEC_MAX_BODY = 4 * 1024 * 1024;

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
 * payloads here to read them — every tenant's, so only operators may. Outside a loopback
 * dev start (`open`), a request needs an operator token: CODEC_AUTH_TOKEN, or an access
 * token of a platform admin from the API's OpenID provider (the Web UI passes the user's
 * token when its own OIDC sign-in is on).
 */
export interface CodecServerOptions {
  origins: string[];
  /** CODEC_AUTH_TOKEN */
  token?: string;
  /** no token needed: the API listens on loopback outside production (npm start) */
  open: boolean;
  verify: (token: string) => Promise<VerifiedToken>;
  maxBodyBytes?: number;
}

export function codecServer(codec: EncryptionCodec, opts: CodecServerOptions) {
  const app = new Hono<AppEnv>();
  const maxBody = opts.maxBodyBytes ?? CODEC_MAX_BODY;
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
    if (opts.open) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!m) return errorResponse(c, 401, 'UNAUTHENTICATED', 'the codec server requires an operator token (CODEC_AUTH_TOKEN, or an access token of a platform admin)');
    if (opts.token && sameSecret(m[1]!, opts.token)) return next();
    try {
      const { actor } = await opts.verify(m[1]!);
      if (!isPermitted(actor, 'payload.decode')) return errorResponse(c, 403, 'OPERATOR_REQUIRED', 'decoding payloads of every tenant requires the platform-admin role');
    } catch (e) {
      if (e instanceof DomainError) return errorResponse(c, statusOf(e.kind), e.code, e.message);
      throw e;
    }
    return next();
  });
  app.use('*', bodyLimit({ maxSize: maxBody, onError: (c) => errorResponse(c, 413, 'PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBody / 1024 / 1024} MiB`) }));
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
