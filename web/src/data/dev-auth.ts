import { action, query } from '@solidjs/router';
import type { Actor, Role } from '../../../domain/actor.ts';
import { ApiError, apiFetch } from './api.ts';
import { signIn } from './session.ts';

export interface DevUser {
  sub: string;
  name: string;
  tenant: string;
  roles: Role[];
  team?: string;
}

/** Seeded demo users, or `null` when the server has dev login switched off (404). */
export const devUsers = query(async (): Promise<DevUser[] | null> => {
  try {
    return await apiFetch<DevUser[]>('/api/dev/users', { auth: false });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}, 'devUsers');

export const devLogin = action(async (sub: string): Promise<Actor> => {
  const { token, actor } = await apiFetch<{ token: string; actor: Actor }>('/api/dev/login', {
    method: 'POST',
    body: { user: sub },
    auth: false,
  });
  signIn(token, actor);
  return actor;
}, 'devLogin');
