import type { Client } from '@temporalio/client';
import type { Client as Typesense } from 'typesense';
import type { Logger } from 'pino';
import type { Sql } from '../platform/db.ts';
import type { Config } from '../platform/config.ts';
import type { Actor } from '../domain/actor.ts';
import type { EncryptionCodec } from '../platform/codec.ts';

/** Everything the API needs, built once by api/server.ts (or by a test). */
export interface ApiDeps {
  config: Config;
  sql: Sql;
  temporal: Client;
  typesense: Typesense;
  codec: EncryptionCodec;
  jwtSecret: string;
  log: Logger;
}

export interface AppEnv {
  Variables: { actor: Actor; requestId: string; log: Logger };
}
