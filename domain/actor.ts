export const ROLES = ['author', 'publisher', 'reviewer', 'tenant-admin', 'platform-curator', 'platform-reviewer', 'platform-certifier', 'platform-admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, as carried by the bearer token. */
export interface Actor {
  sub: string;
  tenant: string;
  roles: Role[];
  team?: string;
  name?: string;
}

export const hasRole = (actor: Actor, ...roles: Role[]) => roles.some((r) => actor.roles.includes(r));
