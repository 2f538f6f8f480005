// The embedded OpenID provider as a process of its own (started and supervised by
// scripts/start.ts and the test setup, like the other servers): loopback only.
//   OIDC_PROVIDER_PORT, OIDC_PROVIDER_STATE (key file, created on first start), DEMO_PASSWORD
import { createServer } from 'node:http';
import { createIdentityProvider } from './provider.ts';
import { loadOrCreateProviderState } from './provider-state.ts';

const port = Number(process.env.OIDC_PROVIDER_PORT);
const stateFile = process.env.OIDC_PROVIDER_STATE;
const demoPassword = process.env.DEMO_PASSWORD;
const ttl = process.env.OIDC_PROVIDER_ACCESS_TOKEN_TTL ? Number(process.env.OIDC_PROVIDER_ACCESS_TOKEN_TTL) : undefined;
if (!Number.isInteger(port) || port < 1 || port > 65535 || !stateFile || !demoPassword || demoPassword.length < 12) {
  console.error('oidc-provider: needs OIDC_PROVIDER_PORT, OIDC_PROVIDER_STATE and DEMO_PASSWORD (at least 12 characters)');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const { handler } = createIdentityProvider({ issuer, state: await loadOrCreateProviderState(stateFile), demoPassword, ...(ttl ? { accessTokenTtl: ttl } : {}) });
const server = createServer(handler);
server.listen(port, '127.0.0.1', () => console.log(`oidc-provider: issuer ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
