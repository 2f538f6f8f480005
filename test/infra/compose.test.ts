import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml is safe by default: no default secrets, dev login off, only the app and
// the identity provider published, and those on loopback unless MAESTRO_BIND says otherwise.
// (.ci/run also validates it with docker-compose itself, with and without secrets.)
interface Service {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  command?: string[] | string;
}
const text = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has no default for any secret: each is required (${VAR:?…})', () => {
    for (const name of ['POSTGRES_PASSWORD', 'TYPESENSE_API_KEY', 'CODEC_KEYS', 'CODEC_AUTH_TOKEN', 'SECRETS_KEY', 'KEYCLOAK_ADMIN_PASSWORD', 'MAESTRO_DEMO_PASSWORD']) {
      expect(text, name).toContain(`\${${name}:?`);
      expect(text, name).not.toMatch(new RegExp(`\\$\\{${name}:?-`));
    }
    expect(text).not.toMatch(/POSTGRES_PASSWORD: postgres\b|postgres:postgres@/);
    expect(text).not.toContain('AUTH_JWT_SECRET');
  });

  it('runs the app in production mode: no dev login, Keycloak as the OpenID provider', () => {
    const env = services.api!.environment!;
    expect(env.NODE_ENV).toBe('production');
    expect(env.AUTH_DEV_LOGIN).toBeUndefined();
    expect(env.OIDC_ISSUER).toMatch(/\/realms\/maestro$/);
    expect(services.keycloak!.image).toMatch(/^quay\.io\/keycloak\/keycloak:\d+\.\d+\.\d+$/);
    expect(services.keycloak!.command).toContain('--import-realm');
  });

  it('publishes only the app and the sign-in pages (on MAESTRO_BIND, loopback by default), and the operator UI on loopback', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.map(([name]) => name).sort()).toEqual(['api', 'keycloak', 'temporal-ui']);
    for (const [name, p] of published) {
      expect(p, name).toMatch(name === 'temporal-ui' ? /^127\.0\.0\.1:/ : /^\$\{MAESTRO_BIND:-127\.0\.0\.1\}:/);
    }
  });

  it('provisions the realm from a file with the demo users, their tenant, team and roles in access tokens', () => {
    const realm = JSON.parse(readFileSync(new URL('../../deploy/keycloak/maestro-realm.json', import.meta.url), 'utf8')) as {
      users: { username: string; attributes: Record<string, string[]>; realmRoles: string[] }[];
      clients: { clientId: string; publicClient: boolean; attributes: Record<string, string>; protocolMappers: { protocolMapper: string; config: Record<string, string> }[] }[];
    };
    expect(realm.users.map((u) => u.username).sort()).toEqual(['alice', 'bob', 'carol', 'cora', 'dave', 'gus', 'pat', 'root', 'tina']);
    expect(realm.users.find((u) => u.username === 'dave')).toMatchObject({ attributes: { tenant: ['globex'] }, realmRoles: ['reviewer', 'tenant-admin'] });
    const switchboard = realm.clients.find((c) => c.clientId === 'maestro-switchboard')!;
    expect(switchboard.publicClient).toBe(true);
    expect(switchboard.attributes['pkce.code.challenge.method']).toBe('S256');
    const claims = switchboard.protocolMappers.map((m) => m.config['claim.name'] ?? m.config['included.custom.audience']);
    expect(claims.sort()).toEqual(['maestro-api', 'roles', 'team', 'tenant']);
  });
});
