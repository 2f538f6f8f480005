import type { Config } from '../config.ts';
import { ensureDevSecrets } from '../dev-secrets.ts';
import { signInWithPassword } from './password-sign-in.ts';

/**
 * An access token for a demo user, issued by the embedded OpenID provider after a real
 * sign-in (authorization code + PKCE, its login form): what `npm run token` prints and
 * what the seed script uses. Only for the embedded provider: with an external one
 * (OIDC_ISSUER), tokens come from that provider.
 */
export async function demoUserToken(config: Config, sub: string): Promise<string> {
  if (!config.embedded.oidc) {
    throw new Error(`OIDC_ISSUER is ${config.oidcIssuer}: get a token from that provider (demo tokens come from the embedded provider of npm start)`);
  }
  const password = process.env.DEMO_PASSWORD || ensureDevSecrets(config.dataDir).DEMO_PASSWORD;
  try {
    return (await signInWithPassword({ issuer: config.oidcIssuer, username: sub, password })).accessToken;
  } catch (e) {
    if (e instanceof TypeError) throw new Error(`the embedded OpenID provider does not answer at ${config.oidcIssuer}: is "npm start" running?`);
    throw e;
  }
}
