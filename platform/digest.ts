import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.ts';

/** Content digest: sha-256 of the canonical JSON serialization. */
export const contentDigest = (value: unknown) => `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
