import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { ROLES, type Actor, type Role } from '../domain/actor.ts';
import { TENANT_ID } from '../domain/ids.ts';
import { DomainError } from '../domain/errors.ts';
import { textProblem } from '../domain/input-shape.ts';

/**
 * Bearer tokens. The API accepts access tokens of one OpenID provider (its issuer, its
 * JWKS, our audience), and — only in explicit dev mode — tokens of the dev-login signer.
 * Every token must expire (`exp`); the caller's tenant, roles, team and name are claims.
 */
export const DEV_ISSUER = 'maestro-dev-login';

const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);

// claims end up in histories, approvals and Postgres rows: text that cannot be stored (a NUL,
// a lone surrogate — Keycloak lets users edit their own name) makes the token invalid
const storableText = (s: string) => textProblem(s) === undefined;

const Claims = z.object({
  sub: z.string().min(1).max(120).refine(storableText),
  tenant: z.string().regex(TENANT_ID),
  // a provider may add roles of its own (Keycloak: offline_access, default-roles-…): only ours count
  roles: z
    .array(z.string())
    .max(100)
    .default([])
    .transform((rs) => [...new Set(rs.filter(isRole))]),
  team: z.string().max(120).refine(storableText).optional(),
  name: z.string().max(200).refine(storableText).optional(),
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** The dev-mode signer (POST /api/dev/login, explicit dev mode only). */
export async function signDevToken(secret: string, actor: Actor, audience: string, ttl = '12h'): Promise<string> {
  const { sub, ...claims } = actor;
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(keyOf(secret));
}

export interface VerifiedToken {
  actor: Actor;
  /** epoch milliseconds */
  expiresAt: number;
}

export interface TokenVerifierOptions {
  /** the accepted `iss` */
  issuer: string;
  /** the required `aud` */
  audience: string;
  /** default: the `jwks_uri` of the issuer's discovery document */
  jwksUrl?: string;
  /** set only in dev mode: HS256 tokens of the dev-login signer are accepted too */
  devSecret?: string;
}

const unauthenticated = (code: string, message: string) => new DomainError('unauthenticated', code, message);
const ASYMMETRIC = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

export function createTokenVerifier(o: TokenVerifierOptions): (token: string) => Promise<VerifiedToken> {
  let jwks: Promise<JWTVerifyGetKey> | undefined;
  const keys = () => {
    jwks ??= (async () => {
      let url = o.jwksUrl;
      if (!url) {
        const res = await fetch(`${o.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
        if (!res.ok) throw new Error(`discovery answered ${res.status}`);
        url = ((await res.json()) as { jwks_uri?: string }).jwks_uri;
        if (!url) throw new Error('discovery names no jwks_uri');
      }
      return createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    })();
    // a provider that is down now may answer later: do not keep the failure
    jwks.catch(() => (jwks = undefined));
    return jwks;
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === 'HS256' && o.devSecret) {
        ({ payload } = await jwtVerify(token, keyOf(o.devSecret), { issuer: DEV_ISSUER, audience: o.audience, algorithms: ['HS256'], requiredClaims: ['exp'] }));
      } else {
        const getKey = await keys().catch((e: unknown) => {
          throw new DomainError('unavailable', 'AUTH_UNAVAILABLE', `the identity provider's keys cannot be fetched (${(e as Error).message})`);
        });
        ({ payload } = await jwtVerify(token, getKey, { issuer: o.issuer, audience: o.audience, algorithms: ASYMMETRIC, requiredClaims: ['exp'] }));
      }
    } catch (e) {
      if (e instanceof DomainError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw unauthenticated('TOKEN_EXPIRED', 'the token has expired');
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'exp') throw unauthenticated('TOKEN_INVALID', 'the token does not expire (exp is required)');
      if (e instanceof joseErrors.JWKSTimeout || (e instanceof TypeError && /fetch/i.test(e.message))) {
        throw new DomainError('unavailable', 'AUTH_UNAVAILABLE', "the identity provider's keys cannot be fetched");
      }
      throw unauthenticated('TOKEN_INVALID', 'the token is not valid');
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw unauthenticated('TOKEN_INVALID', 'the token does not carry valid claims (sub, tenant, roles)');
    const { team, name, ...actor } = claims.data;
    return { actor: { ...actor, ...(team !== undefined ? { team } : {}), ...(name !== undefined ? { name } : {}) }, expiresAt: payload.exp! * 1000 };
  };
}
