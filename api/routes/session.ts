import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { DEMO_USERS } from '../../domain/demo-users.ts';
import { notFound } from '../../domain/errors.ts';
import { signToken } from '../../platform/auth.ts';
import type { ApiDeps, AppEnv } from '../env.ts';
import { validationHook } from '../errors.ts';
import { commonErrors, errorResponse, json } from '../responses.ts';
import { ActorBody } from '../schemas.ts';

const me = createRoute({
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
  summary: 'Seeded demo users (embedded defaults only)',
  responses: { 200: json(z.array(ActorBody), 'Demo users') },
});

const login = createRoute({
  method: 'post',
  path: '/dev/login',
  tags: ['dev'],
  summary: 'Mint a token for a demo user (embedded defaults only)',
  request: { body: { required: true, content: { 'application/json': { schema: z.strictObject({ user: z.string().min(1).max(120) }) } } } },
  responses: {
    200: json(z.object({ token: z.string(), actor: ActorBody }), 'A bearer token'),
    404: errorResponse('No such demo user'),
  },
});

/** Dev login for the embedded defaults; not mounted when AUTH_DEV_LOGIN is off (production). */
export function devRoutes({ jwtSecret }: Pick<ApiDeps, 'jwtSecret'>) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(users, (c) => c.json(DEMO_USERS, 200));
  app.openapi(login, async (c) => {
    const { user } = c.req.valid('json');
    const actor = DEMO_USERS.find((u) => u.sub === user);
    if (!actor) throw notFound('USER_NOT_FOUND', `no demo user "${user}"`);
    return c.json({ token: await signToken(jwtSecret, actor), actor }, 200);
  });
  return app;
}
