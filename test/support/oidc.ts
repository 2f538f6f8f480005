import { readFileSync } from 'node:fs';
import { SignJWT, importJWK, type JWTPayload } from 'jose';
import { signInWithPassword } from '../../platform/oidc/password-sign-in.ts';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import type { ProviderState } from '../../platform/oidc/provider-state.ts';
import type { StackEnv } from './stack-env.ts';

export type DemoUser = 'alice' | 'bob' | 'pat' | 'carol' | 'dave' | 'tina' | 'gus' | 'cora' | 'root' | 'sam' | 'sky' | 'perry' | 'dora' | 'pia' | 'cid';

/**
 * Access tokens of the demo users, each from a real sign-in at the embedded OpenID provider
 * (authorization code + PKCE through its login form); one sign-in per user and test
 * process, renewed when less than ten minutes are left.
 */
const cache = new Map<string, Promise<{ tokens: Record<DemoUser, string>; expiresAt: number }>>();

export async function demoTokens(env: StackEnv): Promise<Record<DemoUser, string>> {
  const hit = cache.get(env.oidcIssuer);
  if (hit) {
    const { tokens, expiresAt } = await hit;
    if (expiresAt - Date.now() > 10 * 60_000) return tokens;
  }
  const fresh = (async () => {
    const signedIn = await Promise.all(
      DEMO_USERS.map(async (u) => [u.sub, await signInWithPassword({ issuer: env.oidcIssuer, username: u.sub, password: env.demoPassword })] as const),
    );
    const expiresAt = Date.now() + Math.min(...signedIn.map(([, t]) => (t.expiresIn ?? 3600) * 1000));
    return { tokens: Object.fromEntries(signedIn.map(([sub, t]) => [sub, t.accessToken])) as Record<DemoUser, string>, expiresAt };
  })();
  cache.set(env.oidcIssuer, fresh);
  fresh.catch(() => cache.delete(env.oidcIssuer));
  return (await fresh).tokens;
}

/**
 * A token signed with the embedded provider's own key but shaped by the test (no `exp`, a
 * short one, another audience…): to probe what the API checks beyond the signature.
 */
export async function providerSignedToken(env: StackEnv, claims: JWTPayload, opts: { exp?: number | string | null } = {}): Promise<string> {
  const { signingKey } = JSON.parse(readFileSync(env.oidcStateFile, 'utf8')) as ProviderState;
  const key = await importJWK(signingKey, signingKey.alg);
  const jwt = new SignJWT({ iss: env.oidcIssuer, aud: 'maestro-api', ...claims })
    .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: 'at+jwt' })
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? '1h');
  return jwt.sign(key);
}
