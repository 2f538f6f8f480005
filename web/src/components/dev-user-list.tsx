import { For } from 'solid-js';
import type { DevUser } from '../data/dev-auth.ts';
import { RoleList } from './role-list.tsx';

function byTenant(users: DevUser[]): [string, DevUser[]][] {
  const groups = new Map<string, DevUser[]>();
  for (const u of users) groups.set(u.tenant, [...(groups.get(u.tenant) ?? []), u]);
  return [...groups.entries()];
}

/** Seeded demo users grouped by tenant; choosing one signs in as them. */
export function DevUserList(props: {
  users: DevUser[];
  busySub?: string;
  currentSub?: string;
  onChoose: (user: DevUser) => void;
}) {
  return (
    <div class="tenant-groups">
      <For each={byTenant(props.users)}>
        {([tenant, users]) => (
          <section class="card tenant-group" aria-labelledby={`tenant-${tenant}`}>
            <h2 id={`tenant-${tenant}`}>
              <span class="muted">Tenant</span> {tenant}
            </h2>
            <ul class="user-list">
              <For each={users}>
                {(u) => (
                  <li>
                    <button
                      type="button"
                      class="user-choice"
                      data-testid="dev-user"
                      data-sub={u.sub}
                      disabled={props.busySub !== undefined}
                      aria-current={props.currentSub === u.sub ? 'true' : undefined}
                      onClick={() => props.onChoose(u)}
                    >
                      <span class="user-name">
                        {u.name}
                        {props.busySub === u.sub ? ' — signing in…' : ''}
                        {props.currentSub === u.sub ? ' (current)' : ''}
                      </span>
                      <code class="user-sub">{u.sub}</code>
                      <span class="user-meta">
                        <RoleList roles={u.roles} />
                        {u.team ? <span class="muted">team {u.team}</span> : null}
                      </span>
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </For>
    </div>
  );
}
