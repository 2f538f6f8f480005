/**
 * The embedded OpenID provider's fixed registrations: the API as a resource server, the
 * Switchboard and the command-line tools as public clients (authorization code + PKCE).
 * A configured external provider (Keycloak in docker-compose.yml) registers the same.
 */
export const API_AUDIENCE = 'maestro-api';
/** the Resource Indicator (RFC 8707) of the API at the embedded provider; tokens for it carry `aud: maestro-api` */
export const API_RESOURCE = 'urn:maestro:api';
/** the resource scope that asks for an access token to the API */
export const API_SCOPE = 'api';
export const DEFAULT_SCOPES = `openid profile ${API_SCOPE}`;

export const SWITCHBOARD_CLIENT_ID = 'maestro-switchboard';
/** npm run token, the seed script and the tests: a native client that never listens on its redirect */
export const CLI_CLIENT_ID = 'maestro-cli';
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';
