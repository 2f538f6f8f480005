import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { isPermitted, rolesFor, type Permission } from '../domain/access.ts';
import { notAllowed } from '../domain/errors.ts';
import type { AppEnv } from './env.ts';
import { errorResponse } from './responses.ts';

/**
 * Routes declare the permission they need (domain/access.ts PERMISSIONS) and this wrapper
 * enforces it before input validation and the handler: the role matrix lives in one list,
 * not in handlers. The permission is also written into the OpenAPI operation
 * (`x-permission`, and a line of its description), and test/api/openapi.test.ts checks that
 * every authenticated operation declares one. Finer decisions (which entry, which tenant,
 * which visibility) stay with the visibility rule and the lifecycles' policies.
 */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get('actor');
    if (!actor || !isPermitted(actor, permission)) {
      const roles = rolesFor(permission);
      throw notAllowed('ROLE_REQUIRED', `${permission} requires one of the roles: ${roles === 'any' ? 'any' : roles.join(', ')}`);
    }
    await next();
  };
}

export function guarded<R extends RouteConfig>(permission: Permission, route: R) {
  const roles = rolesFor(permission);
  const who = roles === 'any' ? 'any signed-in user' : `roles ${roles.join(', ')}`;
  const middleware = route.middleware ? (Array.isArray(route.middleware) ? route.middleware : [route.middleware]) : [];
  return createRoute({
    ...route,
    description: `${route.description ? `${route.description}\n\n` : ''}Permission \`${permission}\` (${who}).`,
    'x-permission': permission,
    middleware: [requirePermission(permission), ...middleware],
    responses: roles === 'any' || route.responses[403] ? route.responses : { ...route.responses, 403: errorResponse(`ROLE_REQUIRED: needs ${who}`) },
  } as R);
}
