import { createSignal } from 'solid-js';
import { query } from '@solidjs/router';
import type { Actor, Role } from '../../../domain/actor.ts';

/**
 * Who is using the Switchboard. The bearer token lives in localStorage so a reload (or a
 * second tab) keeps the session; the actor is kept beside it only for display — the API
 * decides from the token alone.
 */
export const TOKEN_KEY = 'maestro.token';
const ACTOR_KEY = 'maestro.actor';
/** set by an explicit sign-out: the next OIDC sign-in asks the provider for credentials again */
export const FORCE_LOGIN_KEY = 'maestro.oidc.forceLogin';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled (privacy mode): behave as signed out
  }
}

function write(key: string, value: string | null) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

function parseActor(json: string | null): Actor | null {
  if (!json) return null;
  try {
    const a = JSON.parse(json) as Partial<Actor>;
    return typeof a.sub === 'string' && typeof a.tenant === 'string' ? { ...a, sub: a.sub, tenant: a.tenant, roles: a.roles ?? [] } : null;
  } catch {
    return null;
  }
}

const [token, setToken] = createSignal<string | null>(read(TOKEN_KEY));
/** The actor kept at sign-in; for a token stored some other way (a script), its claims. */
const storedActor = () => {
  const t = read(TOKEN_KEY);
  return parseActor(read(ACTOR_KEY)) ?? (t ? actorFromToken(t) : null);
};
const [actor, setActor] = createSignal<Actor | null>(storedActor());

export const session = { token, actor };

/** The token sent with API calls, read fresh so another tab's sign-in takes effect at once. */
export const currentToken = () => read(TOKEN_KEY) ?? token();

export function signIn(newToken: string, who: Actor | null) {
  write(TOKEN_KEY, newToken);
  write(ACTOR_KEY, who ? JSON.stringify(who) : null);
  // Cached answers belong to the previous user (possibly another tenant): drop them.
  query.clear();
  setToken(newToken);
  setActor(who);
}

export function signOut() {
  write(FORCE_LOGIN_KEY, '1');
  write(TOKEN_KEY, null);
  write(ACTOR_KEY, null);
  query.clear();
  setToken(null);
  setActor(null);
}

/**
 * Best-effort reading of a pasted JWT's claims, for the header only. Nothing is verified
 * here; the server does that on every request.
 */
export function actorFromToken(jwt: string): Actor | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (typeof claims.sub !== 'string') return null;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      sub: claims.sub,
      tenant: str(claims.tenant) ?? str(claims.tenantId) ?? '—',
      roles: Array.isArray(claims.roles) ? (claims.roles.filter((r) => typeof r === 'string') as Role[]) : [],
      team: str(claims.team),
      name: str(claims.name),
    };
  } catch {
    return null;
  }
}

if (typeof window !== 'undefined') {
  // Keep tabs in step: signing in or out in one tab applies to all.
  window.addEventListener('storage', (e) => {
    if (e.key !== TOKEN_KEY && e.key !== ACTOR_KEY && e.key !== null) return;
    query.clear();
    setToken(read(TOKEN_KEY));
    setActor(storedActor());
  });
}
