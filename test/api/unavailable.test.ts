import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { freePorts } from '../../platform/embedded/ports.ts';
import { createSql } from '../../platform/db.ts';
import { EncryptionCodec } from '../../platform/codec.ts';
import { createTypesense } from '../../platform/typesense.ts';
import { openStack, type Stack } from '../support/stack.ts';

// A dependency out of reach is 503 SERVICE_UNAVAILABLE with Retry-After (declared on every
// operation), not a 500 that reads like a bug.

let s: Stack;
beforeAll(async () => {
  s = await openStack({ worker: false });
});
afterAll(async () => s?.close());

async function appWithout(which: 'postgres' | 'temporal') {
  const [closed] = await freePorts(1); // nothing listens there
  const sql = which === 'postgres' ? createSql(`postgres://postgres:postgres@127.0.0.1:${closed}/maestro`, { max: 1 }) : s.sql;
  const temporal =
    which === 'temporal' ? new Client({ connection: Connection.lazy({ address: `127.0.0.1:${closed}`, connectTimeout: '2s' }), namespace: 'default' }) : s.client;
  const app = createApp({
    config: s.config,
    sql,
    temporal,
    typesense: createTypesense(s.config.typesenseUrl, s.env.typesenseApiKey),
    codec: EncryptionCodec.fromSpec(s.config.CODEC_KEYS!),
    jwtSecret: s.env.jwtSecret,
    log: pino({ level: 'silent' }),
  });
  const request = (method: string, path: string, user: 'alice' | 'root', body?: unknown) =>
    app.request(`http://test${path}`, {
      method,
      headers: { authorization: `Bearer ${s.tokens[user]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  return { request, close: () => (which === 'postgres' ? sql.end({ timeout: 1 }) : temporal.connection.close()) };
}

async function expectUnavailable(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  const body = (await res.json()) as { code: string; message: string; requestId: string };
  expect(body).toEqual({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/unavailable/), requestId: res.headers.get('x-request-id') });
}

describe('a dependency out of reach', () => {
  it('Postgres: 503, not 500', async () => {
    const { request, close } = await appWithout('postgres');
    try {
      await expectUnavailable(await request('GET', '/api/definitions/acme.some-flow', 'alice'));
      await expectUnavailable(await request('GET', '/api/runs', 'alice'));
    } finally {
      await close();
    }
  });

  it('Temporal: 503, not 500', async () => {
    const { request, close } = await appWithout('temporal');
    try {
      await expectUnavailable(await request('POST', '/api/catalog/health-rollups', 'root', {}));
    } finally {
      await close();
    }
  });
});
