import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { ROLES, type Actor } from '../domain/actor.ts';
import { TENANT_ID } from '../domain/ids.ts';
import { DomainError } from '../domain/errors.ts';

const ISSUER = 'maestro-conductor';
const AUDIENCE = 'maestro-api';

const Claims = z.object({
  sub: z.string().min(1).max(120),
  tenant: z.string().regex(TENANT_ID),
  roles: z.array(z.enum(ROLES)),
  team: z.string().max(120).optional(),
  name: z.string().max(200).optional(),
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function signToken(secret: string, actor: Actor, ttl = '12h'): Promise<string> {
  const { sub, ...claims } = actor;
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(keyOf(secret));
}

export async function verifyToken(secret: string, token: string): Promise<Actor> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new DomainError('unauthenticated', 'TOKEN_INVALID', 'the token does not carry valid claims');
    return claims.data;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if (e instanceof joseErrors.JWTExpired) throw new DomainError('unauthenticated', 'TOKEN_EXPIRED', 'the token has expired');
    throw new DomainError('unauthenticated', 'TOKEN_INVALID', 'the token is not valid');
  }
}
