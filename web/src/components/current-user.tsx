import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { session } from '../data/session.ts';
import { RoleList } from './role-list.tsx';

/** The signed-in user in the header, with the way to become someone else. */
export function CurrentUser() {
  return (
    <Show
      when={session.token()}
      fallback={
        <A class="button header-button" href="/sign-in">
          Sign in
        </A>
      }
    >
      <div class="current-user" data-testid="current-user">
        <div class="who">
          <span class="who-name">{session.actor()?.name ?? session.actor()?.sub ?? 'Token user'}</span>
          <span class="who-detail">
            <span class="who-tenant">
              <span class="visually-hidden">Tenant: </span>
              {session.actor()?.tenant ?? 'unknown tenant'}
            </span>
            <Show when={session.actor()?.roles.length}>
              <RoleList roles={session.actor()?.roles ?? []} />
            </Show>
          </span>
        </div>
        <A class="button header-button" href="/sign-in">
          Switch user
        </A>
      </div>
    </Show>
  );
}
