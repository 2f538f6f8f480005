import type { Actor } from './actor.ts';

/**
 * Seeded demo users of two tenants, for the embedded defaults (dev login, `npm run token`)
 * and the tests. Real deployments authenticate with their own identity provider.
 */
export const DEMO_TENANTS = [
  { id: 'acme', name: 'Acme Corp' },
  { id: 'globex', name: 'Globex Industries' },
] as const;

export const DEMO_USERS: Required<Actor>[] = [
  { sub: 'alice', name: 'Alice Author', tenant: 'acme', roles: ['author'], team: 'people-ops' },
  { sub: 'bob', name: 'Bob Reviewer', tenant: 'acme', roles: ['reviewer'], team: 'platform' },
  { sub: 'pat', name: 'Pat Publisher', tenant: 'acme', roles: ['author', 'publisher', 'reviewer'], team: 'platform' },
  { sub: 'carol', name: 'Carol Author', tenant: 'globex', roles: ['author'], team: 'finops' },
  { sub: 'dave', name: 'Dave Admin', tenant: 'globex', roles: ['reviewer', 'tenant-admin'], team: 'security' },
  { sub: 'tina', name: 'Tina Admin', tenant: 'acme', roles: ['tenant-admin'], team: 'it' },
  { sub: 'gus', name: 'Gus Admin', tenant: 'globex', roles: ['tenant-admin'], team: 'it' },
  { sub: 'cora', name: 'Cora Curator', tenant: 'acme', roles: ['platform-curator'], team: 'marketplace' },
  { sub: 'root', name: 'Rita Root', tenant: 'acme', roles: ['platform-admin'], team: 'platform' },
  // the platform's marketplace reviewers (review.rego maps their teams to review kinds) and certifier
  { sub: 'sam', name: 'Sam Security', tenant: 'acme', roles: ['platform-reviewer'], team: 'security' },
  { sub: 'sky', name: 'Sky Security', tenant: 'acme', roles: ['platform-reviewer'], team: 'security' },
  { sub: 'perry', name: 'Perry Performance', tenant: 'acme', roles: ['platform-reviewer'], team: 'sre' },
  { sub: 'dora', name: 'Dora Docs', tenant: 'acme', roles: ['platform-reviewer'], team: 'docs' },
  { sub: 'pia', name: 'Pia Platform', tenant: 'acme', roles: ['platform-reviewer'], team: 'platform' },
  { sub: 'cid', name: 'Cid Certifier', tenant: 'acme', roles: ['platform-certifier'], team: 'trust' },
];
