import { For } from 'solid-js';
import type { Role } from '../../../domain/actor.ts';

export function RoleList(props: { roles: readonly Role[] }) {
  return (
    <ul class="roles" aria-label="Roles">
      <For each={props.roles}>{(role) => <li class="chip">{role}</li>}</For>
    </ul>
  );
}
