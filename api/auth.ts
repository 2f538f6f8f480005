import type { MiddlewareHandler } from 'hono';
import { DomainError, notAllowed } from '../domain/errors.ts';
import { hasRole, type Actor, type Role } from '../domain/actor.ts';
import { verifyToken } from '../platform/auth.ts';
import type { AppEnv } from './env.ts';

/** Bearer-token authentication: every /api route except the public ones carries an actor. */
export function authenticate(jwtSecret: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) throw new DomainError('unauthenticated', 'UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
    c.set('actor', await verifyToken(jwtSecret, m[1]!));
    await next();
  };
}

export function requireRole(actor: Actor, roles: Role[], action: string) {
  if (!hasRole(actor, ...roles)) {
    throw notAllowed('ROLE_REQUIRED', `${action} requires one of the roles: ${roles.join(', ')}`);
  }
}
