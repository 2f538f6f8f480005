import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import { notFound } from '../../domain/errors.ts';
import { signDevToken } from '../../platform/auth.ts';
import type { Config } from '../../platform/config.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { ActorBody } from '../schemas.ts';
import { guarded } from '../permissions.ts';

const me = guarded('session.read', {
  method: 'get',
  path: '/me',
  tags: ['session'],
  summary: 'The authenticated actor',
  responses: {
    200: json(ActorBody, 'You'),
    401: commonErrors[401],
  },
});

export function sessionRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(me, (c) => c.json(c.get('actor'), 200));
  return app;
}

const users = createRoute({
  method: 'get',
  path: '/dev/users',
  tags: ['dev'],
  summary: 'Seeded demo users (explicit dev mode only)',
  security: [],
  responses: { 200: json(z.array(ActorBody), 'Demo users') },
});

const login = createRoute({
  method: 'post',
  path: '/dev/login',
  tags: ['dev'],
  summary: 'Mint a token for a demo user (explicit dev mode on loopback only)',
  security: [],
  request: { body: { required: true, content: { 'application/json': { schema: z.strictObject({ user: z.string().min(1).max(120) }) } } } },
  responses: {
    200: json(z.object({ token: z.string(), actor: ActorBody }), 'A bearer token'),
    404: errorResponse('No such demo user'),
  },
});

const AuthConfig = z
  .object({
    issuer: z.url().meta({ description: 'the OpenID provider whose access tokens the API accepts' }),
    clientId: z.string().meta({ description: "the Switchboard's public client (authorization code + PKCE)" }),
    scopes: z.string(),
    audience: z.string(),
    devLogin: z.boolean().meta({ description: 'explicit dev mode: POST /api/dev/login is available' }),
  })
  .meta({ id: 'AuthConfig' });

const authConfig = createRoute({
  method: 'get',
  path: '/auth/config',
  tags: ['session'],
  summary: 'How to sign in: the OpenID provider and the public client of the Switchboard',
  security: [],
  responses: { 200: json(AuthConfig, 'Sign-in configuration') },
});

export function authConfigRoutes(config: Config) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const body = { issuer: config.oidcIssuer, clientId: config.OIDC_CLIENT_ID, scopes: config.OIDC_SCOPES, audience: config.OIDC_AUDIENCE, devLogin: config.devLogin };
  app.openapi(authConfig, (c) => c.json(body, 200));
  return app;
}

/**
 * Dev login: mounted only in explicit dev mode (AUTH_DEV_LOGIN=true, which the
 * configuration allows only on a loopback HOST outside production); otherwise 404.
 */
export function devRoutes({ jwtSecret, config }: Pick<ApiDeps, 'jwtSecret' | 'config'>) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(users, (c) => c.json(DEMO_USERS, 200));
  app.openapi(login, async (c) => {
    const { user } = c.req.valid('json');
    const actor = DEMO_USERS.find((u) => u.sub === user);
    if (!actor) throw notFound('USER_NOT_FOUND', `no demo user "${user}"`);
    return c.json({ token: await signDevToken(jwtSecret, actor, config.OIDC_AUDIENCE), actor }, 200);
  });
  return app;
}
