import type { Actor } from '../../../domain/actor.ts';

/**
 * Who may do what with an upgrade, as the HTTP contract says (the API decides; this only
 * keeps buttons from being offered to people it would refuse): a tenant admin, author or
 * publisher of the instance's tenant may ask for one; a tenant admin who did not ask for
 * it decides one that awaits approval (the API shows only the caller's tenant's upgrades).
 */
export const mayRequestUpgrade = (actor: Pick<Actor, 'roles'> | null | undefined) =>
  Boolean(actor && actor.roles.some((r) => r === 'tenant-admin' || r === 'author' || r === 'publisher'));

export const mayDecideUpgrade = (actor: Pick<Actor, 'roles' | 'sub'> | null | undefined, upgrade: { requestedBy: string }) =>
  Boolean(actor && actor.roles.includes('tenant-admin') && actor.sub !== upgrade.requestedBy);
