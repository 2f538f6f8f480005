import * as oauth from 'oauth4webapi';
import { CLI_CLIENT_ID, CLI_REDIRECT_URI, DEFAULT_SCOPES } from './embedded-clients.ts';

/**
 * Signs a user in at the embedded OpenID provider the way a browser would, over plain HTTP:
 * authorization request with PKCE (S256) and state → the provider's login form (username,
 * password) → its consent step → the redirect with the code → the token request. What
 * comes back is an access token the provider issued (a JWT for the API), nothing minted
 * here. Used by `npm run token`, the seed script and the tests.
 */
export interface PasswordSignIn {
  issuer: string;
  username: string;
  password: string;
  clientId?: string;
  redirectUri?: string;
  scope?: string;
}

export class SignInError extends Error {
  override name = 'SignInError';
}

const MAX_HOPS = 12;

export async function signInWithPassword(o: PasswordSignIn): Promise<{ accessToken: string; expiresIn?: number }> {
  const clientId = o.clientId ?? CLI_CLIENT_ID;
  const redirectUri = o.redirectUri ?? CLI_REDIRECT_URI;
  const issuer = new URL(o.issuer);
  // the embedded provider is plain http on loopback
  const insecure = { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const client: oauth.Client = { client_id: clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorize = new URL(as.authorization_endpoint!);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: o.scope ?? DEFAULT_SCOPES,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'login',
  }).toString();

  const cookies = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      if (i > 0) cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
    return res;
  };

  let url = authorize.href;
  let res = await request(url);
  let loggedIn = false;
  for (let hop = 0; ; hop++) {
    if (hop > MAX_HOPS) throw new SignInError(`sign-in at ${o.issuer} did not finish after ${MAX_HOPS} steps`);
    if (res.status >= 300 && res.status < 400) {
      const location = new URL(res.headers.get('location') ?? '', url).href;
      await res.body?.cancel();
      if (location.startsWith(`${redirectUri}?`)) {
        url = location;
        break;
      }
      url = location;
      res = await request(url);
      continue;
    }
    const body = await res.text();
    const form = /<form method="post" action="([^"]+)"/.exec(body);
    if (res.status === 200 && form && !loggedIn) {
      loggedIn = true;
      url = new URL(form[1]!.replace(/&#47;/g, '/'), url).href;
      res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: o.username, password: o.password }).toString(),
      });
      continue;
    }
    const reason = /<p class="error"[^>]*>([^<]*)</.exec(body)?.[1];
    throw new SignInError(`sign-in as ${o.username} at ${o.issuer} failed (HTTP ${res.status}${reason ? `: ${reason}` : ''})`);
  }

  const params = oauth.validateAuthResponse(as, client, new URL(url), state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  return { accessToken: tokens.access_token, ...(tokens.expires_in !== undefined ? { expiresIn: tokens.expires_in } : {}) };
}
