import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors, type Configuration, type ResponseType } from 'oidc-provider';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import { API_AUDIENCE, API_RESOURCE, API_SCOPE, CLI_CLIENT_ID, CLI_REDIRECT_URI, SWITCHBOARD_CLIENT_ID } from './embedded-clients.ts';
import { SIGNING_ALG, type ProviderState } from './provider-state.ts';

/**
 * The embedded OpenID provider of `npm start` and the tests, built on the OpenID-certified
 * `oidc-provider`: the demo users are its accounts (one generated password, DEMO_PASSWORD),
 * the Switchboard and the command-line tools are public clients that sign in by
 * authorization code + PKCE, and access tokens for the API are JWTs (ES256, `aud:
 * maestro-api`, one hour) carrying the caller's tenant, roles, team and name.
 *
 * It serves loopback only, so its clients are "native" (RFC 8252): any port of
 * 127.0.0.1/localhost is a valid redirect, which lets the Switchboard run on any port.
 */
export interface IdentityProviderOptions {
  issuer: string;
  state: ProviderState;
  demoPassword: string;
  /** access token lifetime in seconds (default 3600) */
  accessTokenTtl?: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const samePassword = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const isLoopbackOrigin = (origin: string) => {
  const u = URL.parse(origin);
  return !!u && u.protocol === 'http:' && LOOPBACK.has(u.hostname);
};

function accountClaims(sub: string) {
  const user = DEMO_USERS.find((u) => u.sub === sub);
  return user && { tenant: user.tenant, roles: [...user.roles], team: user.team, name: user.name };
}

export function createIdentityProvider(options: IdentityProviderOptions) {
  const { issuer, state, demoPassword } = options;
  const nativeClient = { application_type: 'native' as const, token_endpoint_auth_method: 'none' as const, grant_types: ['authorization_code'], response_types: ['code' as ResponseType] };
  const configuration: Configuration = {
    clients: [
      { ...nativeClient, client_id: SWITCHBOARD_CLIENT_ID, client_name: 'Maestro Switchboard', redirect_uris: ['http://127.0.0.1/sign-in/callback', 'http://localhost/sign-in/callback'] },
      { ...nativeClient, client_id: CLI_CLIENT_ID, client_name: 'Maestro command line', redirect_uris: [CLI_REDIRECT_URI] },
    ],
    jwks: { keys: [state.signingKey as never] },
    cookies: { keys: state.cookieKeys, long: { sameSite: 'lax' }, short: { sameSite: 'lax' } },
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: (_ctx, sub) => {
      const claims = accountClaims(sub);
      return claims ? { accountId: sub, claims: () => ({ sub, name: claims.name }) } : undefined;
    },
    extraTokenClaims: (_ctx, token) => (token.kind === 'AccessToken' && token.accountId ? accountClaims(token.accountId) : undefined),
    features: {
      devInteractions: { enabled: false }, // its login form accepts any password
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: API_AUDIENCE,
            accessTokenTTL: options.accessTokenTtl ?? 3600, // the API requires exp
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: SIGNING_ALG } },
          };
        },
      },
    },
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG] },
    clientDefaults: { id_token_signed_response_alg: SIGNING_ALG },
    pkce: { required: () => true },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    // the Switchboard calls the token endpoint from its own (loopback, any port) origin
    clientBasedCORS: (_ctx, origin, client) => client.clientAuthMethod === 'none' && isLoopbackOrigin(origin),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p class="error">${escapeHtml(String(out.error_description ?? out.error))}</p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, submitted: boolean) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    const { prompt, params, session } = details;
    if (prompt.name === 'login') {
      if (!submitted) return send(res, 200, loginPage(uid, String(params.client_id)));
      const form = new URLSearchParams(await readBody(req));
      const username = form.get('username')?.trim() ?? '';
      const password = form.get('password') ?? '';
      if (!accountClaims(username) || !samePassword(password, demoPassword)) {
        return send(res, 401, loginPage(uid, String(params.client_id), username, 'Unknown user or wrong password.'));
      }
      return provider.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
    }
    if (prompt.name === 'consent') {
      // Our own applications only: consent is implied, as with Keycloak's first-party clients.
      const grant = details.grantId
        ? (await provider.Grant.find(details.grantId))!
        : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
      const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    }
    return send(res, 400, page('Sign-in error', '<p class="error">Unsupported interaction.</p>'));
  }

  /** Node request listener: the login interaction here, everything else (OIDC endpoints) by oidc-provider. */
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/.exec((req.url ?? '').split('?')[0]!);
    if (!m) return void callback(req, res);
    if (req.method !== (m[2] ? 'POST' : 'GET')) return send(res, 405, page('Sign-in error', '<p class="error">Method not allowed.</p>'));
    interaction(req, res, m[1]!, !!m[2]).catch((e: unknown) => {
      const expired = e instanceof errors.SessionNotFound;
      if (!res.headersSent) send(res, expired ? 400 : 500, page('Sign-in error', `<p class="error">${expired ? 'This sign-in has expired or was started elsewhere. Go back to the application and sign in again.' : 'Sign-in failed.'}</p>`));
    });
  };
  return { provider, handler };
}

const MAX_FORM = 4096;
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Maestro Conductor</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.45rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b42318}.muted{color:#57606a;font-size:.9rem}code{font-size:.85rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function loginPage(uid: string, clientId: string, username = '', error?: string) {
  const users = DEMO_USERS.map((u) => `<code>${escapeHtml(u.sub)}</code>`).join(', ');
  return page(
    'Sign in to Maestro Conductor',
    `<p class="muted">for <strong>${escapeHtml(clientId)}</strong> · embedded identity provider (loopback only)</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" value="${escapeHtml(username)}" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>
<p class="muted">Demo accounts: ${users}. Their password is <code>DEMO_PASSWORD</code> in <code>.data/keys/dev-secrets.json</code> (printed by <code>npm start</code>).</p>`,
  );
}
