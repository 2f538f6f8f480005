import type { MiddlewareHandler } from 'hono';
import { DomainError } from '../domain/errors.ts';
import type { Actor } from '../domain/actor.ts';
import type { VerifiedToken } from '../platform/auth.ts';
import type { AppEnv } from './env.ts';

/** Tokens verified recently, by their exact text, until they expire (bounded, oldest out first). */
const MAX_VERIFIED = 10_000;

/**
 * Bearer-token authentication: every /api route except the public ones carries an actor,
 * from an access token of the configured OpenID provider (platform/auth.ts). A client
 * sends the same token with every request; its signature is checked once, and the claims
 * are reused until the token expires (the Switchboard's catalog searches as you type, and
 * a signature check costs more than the rest of such a request).
 */
export function authenticate(verify: (token: string) => Promise<VerifiedToken>): MiddlewareHandler<AppEnv> {
  const verified = new Map<string, { actor: Actor; expiresAt: number }>();
  return async (c, next) => {
    const header = c.req.header('authorization');
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) throw new DomainError('unauthenticated', 'UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
    const token = m[1]!;
    let hit = verified.get(token);
    if (!hit || hit.expiresAt <= Date.now()) {
      verified.delete(token);
      const { actor, expiresAt } = await verify(token); // throws on a bad, expired or never-expiring token
      hit = { actor: Object.freeze({ ...actor, roles: Object.freeze([...actor.roles]) as Actor['roles'] }), expiresAt };
      if (hit.expiresAt > Date.now()) {
        if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
        verified.set(token, hit);
      }
    }
    c.set('actor', hit.actor);
    await next();
  };
}
