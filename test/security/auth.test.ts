import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config.ts';
import { EncryptionCodec } from '../../platform/codec.ts';
import { signInWithPassword, SignInError } from '../../platform/oidc/password-sign-in.ts';
import { openStack, type Stack } from '../support/stack.ts';
import { providerSignedToken } from '../support/oidc.ts';

// No open doors: the API takes access tokens of its OpenID provider (the embedded one here,
// signed in through its real login flow), every token must expire, dev login exists only in
// explicit dev mode on loopback, and the codec server decrypts only for operators.
let s: Stack;
beforeAll(async () => {
  s = await openStack({ worker: false });
});
afterAll(async () => s?.close());

async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { code: string; message: string; requestId: string };
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(typeof body.requestId).toBe('string');
  return body;
}
const me = (token: string, stack: Stack = s) => stack.request('GET', '/api/me', { headers: { authorization: `Bearer ${token}` } });
const alice = { sub: 'alice', tenant: 'acme', roles: ['author'], team: 'people-ops', name: 'Alice Author' };

describe('OIDC access tokens', () => {
  it('accepts a token from the embedded provider, signed in by authorization code + PKCE through its login form', async () => {
    const { accessToken } = await signInWithPassword({ issuer: s.env.oidcIssuer, username: 'dave', password: s.env.demoPassword });
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(decodeJwt(accessToken)).toMatchObject({ iss: s.env.oidcIssuer, aud: 'maestro-api', sub: 'dave', exp: expect.any(Number) });
    const res = await me(accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'dave', tenant: 'globex', roles: ['reviewer', 'tenant-admin'], team: 'security', name: 'Dave Admin' });
  });

  it('npm run token prints a token the provider issued after signing the user in', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'pat'], {
      env: { PATH: process.env.PATH, OIDC_PORT: new URL(s.env.oidcIssuer).port, DEMO_PASSWORD: s.env.demoPassword, DATA_DIR: s.env.dataDir },
    });
    const token = stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ iss: s.env.oidcIssuer, sub: 'pat', client_id: 'maestro-cli' });
    expect(((await (await me(token)).json()) as { roles: string[] }).roles).toEqual(['author', 'publisher', 'reviewer']);
  });

  it('the provider checks the password', async () => {
    await expect(signInWithPassword({ issuer: s.env.oidcIssuer, username: 'root', password: 'not-the-password' })).rejects.toThrow(SignInError);
    await expect(signInWithPassword({ issuer: s.env.oidcIssuer, username: 'mallory', password: s.env.demoPassword })).rejects.toThrow(/wrong password/);
  });

  it('refuses a token without exp, even one signed with the provider key', async () => {
    expect((await me(await providerSignedToken(s.env, alice))).status).toBe(200);
    const forever = await providerSignedToken(s.env, alice, { exp: null });
    expect(decodeJwt(forever).exp).toBeUndefined();
    const body = await expectError(await me(forever), 401, 'TOKEN_INVALID');
    expect(body.message).toMatch(/exp/);
  });

  it('checks issuer and audience, and counts only our roles', async () => {
    await expectError(await me(await providerSignedToken(s.env, { ...alice, aud: 'another-api' })), 401, 'TOKEN_INVALID');
    await expectError(await me(await providerSignedToken(s.env, { ...alice, iss: 'http://127.0.0.1:1' })), 401, 'TOKEN_INVALID');
    await expectError(await me(await providerSignedToken(s.env, { ...alice, tenant: undefined })), 401, 'TOKEN_INVALID');
    const keycloakish = await providerSignedToken(s.env, { ...alice, roles: ['author', 'offline_access', 'default-roles-maestro'] });
    expect(((await (await me(keycloakish)).json()) as { roles: string[] }).roles).toEqual(['author']);
  });

  it('refuses a token whose name or team holds text that cannot be stored', async () => {
    for (const claims of [{ ...alice, name: 'Alice\u0000' }, { ...alice, team: 'ops\ud800' }]) {
      await expectError(await me(await providerSignedToken(s.env, claims)), 401, 'TOKEN_INVALID');
    }
  });

  it('refuses tokens of the dev-login signer outside dev mode', async () => {
    const { signDevToken } = await import('../../platform/auth.ts');
    await expectError(await me(await signDevToken(s.env.jwtSecret, { ...alice, roles: ['platform-admin'] }, 'maestro-api')), 401, 'TOKEN_INVALID');
  });

  it('an unreachable provider is a 503 with the error shape, not a 500', async () => {
    const cut = await openStack({ worker: false, envOverrides: { OIDC_ISSUER: 'http://127.0.0.1:9' } });
    try {
      await expectError(await me(await providerSignedToken(s.env, { ...alice, iss: 'http://127.0.0.1:9' }), cut), 503, 'AUTH_UNAVAILABLE');
      await expectError(await me('not.a.token', cut), 401, 'TOKEN_INVALID');
    } finally {
      await cut.close();
    }
  });

  it('publishes how to sign in', async () => {
    const res = await s.request('GET', '/api/auth/config');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ issuer: s.env.oidcIssuer, clientId: 'maestro-switchboard', scopes: 'openid profile api', audience: 'maestro-api', devLogin: false });
  });
});

describe('dev login', () => {
  it('is refused outside explicit dev mode', async () => {
    await expectError(await s.request('POST', '/api/dev/login', { body: JSON.stringify({ user: 'root' }) }), 404, 'ROUTE_NOT_FOUND');
    await expectError(await s.request('GET', '/api/dev/users'), 404, 'ROUTE_NOT_FOUND');
    // production, and a development start without AUTH_DEV_LOGIN, are not dev mode
    expect(loadConfig({ NODE_ENV: 'production' }).devLogin).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).devLogin).toBe(false);
  });

  it('cannot be switched on beyond loopback or in production', () => {
    expect(() => loadConfig({ AUTH_DEV_LOGIN: 'true', HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUTH_DEV_LOGIN: 'true', HOST: '10.1.2.3' })).toThrow(/loopback/);
    expect(() => loadConfig({ AUTH_DEV_LOGIN: 'true', NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadConfig({ AUTH_DEV_LOGIN: 'true', HOST: '127.0.0.1' }).devLogin).toBe(true);
  });

  it('in explicit dev mode on loopback hands out expiring tokens, and never accepts one without exp', async () => {
    const dev = await openStack({ worker: false, envOverrides: { AUTH_DEV_LOGIN: 'true' } });
    try {
      const res = await dev.request('POST', '/api/dev/login', { body: JSON.stringify({ user: 'bob' }) });
      expect(res.status).toBe(200);
      const { token } = (await res.json()) as { token: string };
      expect(decodeJwt(token).exp).toEqual(expect.any(Number));
      expect(((await (await me(token, dev)).json()) as { sub: string }).sub).toBe('bob');
      // the provider's tokens still work in dev mode
      expect((await me(dev.tokens.carol, dev)).status).toBe(200);

      const forever = await new SignJWT({ tenant: 'acme', roles: ['platform-admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('root')
        .setIssuer('maestro-dev-login')
        .setAudience('maestro-api')
        .sign(new TextEncoder().encode(dev.env.jwtSecret));
      await expectError(await me(forever, dev), 401, 'TOKEN_INVALID');
    } finally {
      await dev.close();
    }
  });
});

describe('codec server', () => {
  const codec = () => EncryptionCodec.fromSpec(s.env.codecKeys);
  async function decodeBody() {
    const [enc] = await codec().encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"tenant":"acme"}') }]);
    return JSON.stringify({
      payloads: [{ metadata: Object.fromEntries(Object.entries(enc!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(enc!.data!).toString('base64') }],
    });
  }
  const decode = (stack: Stack, body: string, token?: string) =>
    stack.request('POST', '/codec/decode', { body, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('beyond loopback, decodes only for an operator: a platform admin of the provider or CODEC_AUTH_TOKEN', async () => {
    const exposed = await openStack({ worker: false, envOverrides: { HOST: '0.0.0.0' } });
    try {
      const body = await decodeBody();
      await expectError(await decode(exposed, body), 401, 'UNAUTHENTICATED');
      await expectError(await decode(exposed, body, 'guess'), 401, 'TOKEN_INVALID');
      await expectError(await decode(exposed, body, exposed.tokens.alice), 403, 'OPERATOR_REQUIRED');
      await expectError(await decode(exposed, body, await providerSignedToken(s.env, { sub: 'root', tenant: 'acme', roles: ['platform-admin'] }, { exp: null })), 401, 'TOKEN_INVALID');
      const ok = await decode(exposed, body, exposed.tokens.root);
      expect(ok.status).toBe(200);
      const out = (await ok.json()) as { payloads: { data: string }[] };
      expect(Buffer.from(out.payloads[0]!.data, 'base64').toString()).toBe('{"tenant":"acme"}');
    } finally {
      await exposed.close();
    }
  });

  it('on loopback in production also wants an operator token', async () => {
    const prod = await openStack({ worker: false, envOverrides: { NODE_ENV: 'production' } });
    try {
      await expectError(await decode(prod, await decodeBody()), 401, 'UNAUTHENTICATED');
      expect((await decode(prod, await decodeBody(), prod.tokens.root)).status).toBe(200);
    } finally {
      await prod.close();
    }
  });

  it('limits the body, before reading it and in every mode', async () => {
    const big = JSON.stringify({ payloads: [{ data: 'A'.repeat(5 * 1024 * 1024) }] });
    await expectError(await decode(s, big), 413, 'PAYLOAD_TOO_LARGE'); // loopback dev start: open, but bounded
    const exposed = await openStack({ worker: false, envOverrides: { HOST: '0.0.0.0' } });
    try {
      await expectError(await decode(exposed, big), 401, 'UNAUTHENTICATED'); // nothing read for a stranger
      await expectError(await decode(exposed, big, exposed.tokens.root), 413, 'PAYLOAD_TOO_LARGE');
    } finally {
      await exposed.close();
    }
  });
});
