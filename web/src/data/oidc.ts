import { query } from '@solidjs/router';
import * as oauth from 'oauth4webapi';
import type { Actor } from '../../../domain/actor.ts';
import { apiFetch, readApiResponse } from './api.ts';
import { FORCE_LOGIN_KEY } from './session.ts';

/**
 * Sign-in by OpenID Connect: authorization code + PKCE (S256) as a public client, with
 * oauth4webapi (WebCrypto). The API says which provider and client (GET /api/auth/config);
 * the verifier and state wait in sessionStorage while the browser visits the provider.
 */
export interface AuthConfig {
  issuer: string;
  clientId: string;
  scopes: string;
  audience: string;
  devLogin: boolean;
}

export const authConfig = query(() => apiFetch<AuthConfig>('/api/auth/config', { auth: false }), 'authConfig');

const PENDING_KEY = 'maestro.oidc.pending';
interface Pending {
  issuer: string;
  verifier: string;
  state: string;
  next: string;
}

export const redirectUri = () => `${location.origin}/sign-in/callback`;

async function authorizationServer(cfg: AuthConfig) {
  const issuer = new URL(cfg.issuer);
  // the embedded provider of `npm start` is plain http on loopback
  const options = { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  return { as, options };
}

/** Leaves for the provider's sign-in page; `next` is where to return afterwards. */
export async function beginSignIn(cfg: AuthConfig, next: string): Promise<void> {
  const { as } = await authorizationServer(cfg);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pending: Pending = { issuer: cfg.issuer, verifier, state, next };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  // after an explicit sign-out, ask for credentials again instead of the provider's session
  const forceLogin = localStorage.getItem(FORCE_LOGIN_KEY) === '1';
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: cfg.scopes,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(forceLogin ? { prompt: 'login' } : {}),
  }).toString();
  location.assign(url.href);
}

/** On /sign-in/callback: the code for a token, and the actor the API sees in it. */
export async function completeSignIn(cfg: AuthConfig, callbackUrl: URL): Promise<{ token: string; actor: Actor; next: string }> {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  if (!pending || pending.issuer !== cfg.issuer) throw new Error('No sign-in was started in this tab (or it was started for another provider). Sign in again.');
  const { as, options } = await authorizationServer(cfg);
  const client: oauth.Client = { client_id: cfg.clientId };
  const params = oauth.validateAuthResponse(as, client, callbackUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.verifier, options);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  const actor = await readApiResponse<Actor>(
    await fetch('/api/me', { headers: { accept: 'application/json', authorization: `Bearer ${tokens.access_token}` } }),
  );
  localStorage.removeItem(FORCE_LOGIN_KEY);
  return { token: tokens.access_token, actor, next: pending.next };
}
