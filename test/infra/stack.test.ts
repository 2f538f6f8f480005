import { accessSync, constants } from 'node:fs';
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { stackEnv } from '../support/stack-env.ts';

// The servers the global setup started answer, through both ways tests find them.
describe('test stack', () => {
  const env = stackEnv();
  const stack = inject('maestroStack');

  it('exposes the same addresses by env and by inject', () => {
    expect(stack.databaseUrl).toBe(env.databaseUrl);
    expect(stack.temporalAddress).toBe(env.temporalAddress);
    expect(stack.typesenseUrl).toBe(env.typesenseUrl);
    expect(() => accessSync(stack.temporalTestServerPath, constants.X_OK)).not.toThrow();
  });

  it('Postgres answers select 1 in the maestro database', async () => {
    const sql = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ one: number; db: string }[]>`select 1 as one, current_database() as db`;
      expect(row).toEqual({ one: 1, db: 'maestro' });
    } finally {
      await sql.end();
    }
  });

  it('Typesense reports healthy and checks the API key', async () => {
    const health = await fetch(`${env.typesenseUrl}/health`);
    expect(await health.json()).toEqual({ ok: true });
    const denied = await fetch(`${env.typesenseUrl}/collections`, { headers: { 'X-TYPESENSE-API-KEY': 'wrong' } });
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${env.typesenseUrl}/collections`, { headers: { 'X-TYPESENSE-API-KEY': env.typesenseApiKey } });
    expect(allowed.status).toBe(200);
  });

  it('Temporal describes the namespace, with our search attributes registered', async () => {
    const connection = await Connection.connect({ address: env.temporalAddress });
    try {
      const ns = await connection.workflowService.describeNamespace({ namespace: stack.temporalNamespace });
      expect(ns.namespaceInfo?.name).toBe(stack.temporalNamespace);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: stack.temporalNamespace });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['TenantId', 'TemplateId', 'Lifecycle']));
    } finally {
      await connection.close();
    }
  });
});
