import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { bodyLimit } from 'hono/body-limit';
import type { ApiDeps, AppEnv } from './env.ts';
import { errorResponse, onError, validationHook } from './errors.ts';
import { authenticate } from './auth.ts';
import { inputGuard } from './input-guard.ts';
import { createTokenVerifier } from '../platform/auth.ts';
import { isLoopbackHost } from '../platform/config.ts';
import { definitionRoutes } from './routes/definitions.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { catalogAdminRoutes } from './routes/catalog-admin.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { reviewRoutes } from './routes/reviews.ts';
import { registryRoutes } from './routes/registry.ts';
import { runRoutes } from './routes/runs.ts';
import { secretRoutes } from './routes/secrets.ts';
import { installRoutes } from './routes/installs.ts';
import { instanceRoutes } from './routes/instances.ts';
import { upgradeRoutes } from './routes/upgrades.ts';
import { tenantPolicyRoutes } from './routes/tenant-policy.ts';
import { readinessRoutes } from './routes/readiness.ts';
import { templateRoutes } from './routes/templates.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { certificationRoutes } from './routes/certifications.ts';
import { trustRoutes } from './routes/trust.ts';
import { policyRoutes } from './routes/policy.ts';
import { healthRoutes } from './routes/health.ts';
import { authConfigRoutes, devRoutes, sessionRoutes } from './routes/session.ts';
import { codecServer } from './codec-server.ts';
import { apiDocs, switchboard } from './static.ts';
import { declareEdge, declaredMethods, jsonSchemaComponents, methodGuard, type OpenApiDocument } from './openapi.ts';
import { DOCUMENT_SCHEMA } from './spec-input.ts';
import { manifestSchema, specSchema } from '../domain/schema-validator.ts';

// the trust roots are public: anyone verifying a bundle offline needs them
const PUBLIC_API = new Set(['/api/health', '/api/openapi.json', '/api/auth/config', '/api/dev/users', '/api/dev/login', '/api/trust/keys']);

/** The HTTP surface: API under /api, codec server under /codec, the Switchboard at /. */
export function createApp(deps: ApiDeps) {
  const { config, log } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.use('*', requestId({ headerName: 'x-request-id', limitLength: 64 }));
  app.use('*', async (c, next) => {
    const reqLog = log.child({ requestId: c.get('requestId') });
    c.set('log', reqLog);
    const t0 = performance.now();
    await next();
    const actor = c.get('actor');
    reqLog.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - t0), sub: actor?.sub, tenant: actor?.tenant },
      'request',
    );
  });

  // OIDC access tokens of the configured issuer; dev-login tokens only in explicit dev mode
  const verify = createTokenVerifier({
    issuer: config.oidcIssuer,
    audience: config.OIDC_AUDIENCE,
    ...(config.OIDC_JWKS_URL ? { jwksUrl: config.OIDC_JWKS_URL } : {}),
    ...(config.devLogin ? { devSecret: deps.jwtSecret } : {}),
  });

  app.route('/codec', codecServer(deps.codec, {
    origins: config.CODEC_CORS_ORIGINS?.split(',').map((s) => s.trim()) ?? [config.temporalUiUrl, config.temporalUiUrl.replace('localhost', '127.0.0.1')],
    ...(config.CODEC_AUTH_TOKEN ? { token: config.CODEC_AUTH_TOKEN } : {}),
    // decrypting every tenant's payloads for anyone who can reach the port would undo the
    // encryption: without an operator token only a loopback dev start (npm start) is served
    open: !config.CODEC_AUTH_TOKEN && isLoopbackHost(config.HOST) && config.NODE_ENV !== 'production',
    verify,
  }));

  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const limit = bodyLimit({ maxSize: 1024 * 1024, onError: (c) => errorResponse(c, 413, 'PAYLOAD_TOO_LARGE', 'the request body exceeds 1 MiB') });
  // a GET or HEAD has no body; checking would only build a web Request from the Node one
  api.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next)));
  const auth = authenticate(verify);
  api.use('*', async (c, next) => (PUBLIC_API.has(c.req.path) || c.req.path.startsWith('/api/docs') ? next() : auth(c, next)));
  // after authentication: an anonymous caller learns nothing from how its input is judged
  api.use('*', inputGuard());
  api.route('/', healthRoutes(deps));
  api.route('/', authConfigRoutes(config));
  if (config.devLogin) api.route('/', devRoutes(deps));
  api.route('/', sessionRoutes());
  api.route('/', definitionRoutes(deps));
  api.route('/', catalogAdminRoutes(deps)); // before the catalog routes: /catalog/reindex is not an entry id
  api.route('/', catalogRoutes(deps));
  api.route('/', approvalRoutes(deps));
  api.route('/', reviewRoutes(deps));
  api.route('/', registryRoutes(deps));
  api.route('/', runRoutes(deps));
  api.route('/', secretRoutes(deps));
  api.route('/', installRoutes(deps)); // POST /templates/{id}/install-check only: the rest of /templates is the templates router's
  api.route('/', instanceRoutes(deps));
  api.route('/', upgradeRoutes(deps));
  api.route('/', readinessRoutes(deps));
  api.route('/', templateRoutes(deps));
  api.route('/', campaignRoutes(deps));
  api.route('/', certificationRoutes(deps));
  api.route('/', trustRoutes(deps));
  api.route('/', tenantPolicyRoutes(deps));
  api.route('/', policyRoutes(deps));
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const [field, schema] of [['spec', specSchema], ['manifest', manifestSchema]] as const) {
    for (const [name, component] of Object.entries(jsonSchemaComponents(DOCUMENT_SCHEMA[field], schema as Record<string, unknown>))) {
      api.openAPIRegistry.registerComponent('schemas', name, component);
    }
  }
  // generated once, on first request: the routes' own declarations plus what the edge answers
  let doc: OpenApiDocument | undefined;
  const document = () =>
    (doc ??= declareEdge(
      api.getOpenAPI31Document(
        {
          openapi: '3.1.0',
          info: { title: 'Maestro Conductor API', version: '0.1.0', description: 'Catalog, publishing and approvals. Every change runs as a Temporal lifecycle.' },
          servers: [{ url: '/api' }],
          security: [{ bearer: [] }],
        },
      ) as unknown as OpenApiDocument,
      { isPublic: (path) => PUBLIC_API.has(`/api${path}`) },
    ));
  api.get('/openapi.json', (c) => c.json(document()));
  api.route('/docs', apiDocs('/api/openapi.json'));
  let methods: ReturnType<typeof declaredMethods> | undefined;
  app.use('/api/*', methodGuard(() => (methods ??= declaredMethods(document(), { '/openapi.json': ['get'] })), '/api'));
  app.route('/api', api);
  app.all('/api/*', (c) => errorResponse(c, 404, 'ROUTE_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`));
  app.all('/codec/*', (c) => errorResponse(c, 404, 'ROUTE_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`));

  app.route('/', switchboard(config.WEB_DIST));
  return app;
}
